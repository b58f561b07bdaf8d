import { describe, inject } from 'vitest';
import { dynamoDbSubmissionStoreSuite } from '../conformance/dynamodb-store-conformance';

const local = inject('dynamodbLocal');

// AWS's DynamoDB Local is the authority on DynamoDB's semantics; when it and
// dynalite disagree, the adapter must be right here and still pass there.
describe.skipIf('skipped' in local)('DynamoDB Local', () => {
  dynamoDbSubmissionStoreSuite('DynamoDB Local', () => ({
    resources: inject('resources'),
    endpoint: 'endpoint' in local ? local.endpoint : '',
  }));
});
