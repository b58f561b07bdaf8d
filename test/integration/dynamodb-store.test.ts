import { inject } from 'vitest';
import { dynamoDbSubmissionStoreSuite } from '../conformance/dynamodb-submission-store';

dynamoDbSubmissionStoreSuite('the dynalite emulator', () => ({
  resources: inject('resources'),
  endpoint: inject('emulatorEnv').AWS_ENDPOINT_URL_DYNAMODB!,
}));
