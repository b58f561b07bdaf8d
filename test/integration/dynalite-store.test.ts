import { inject } from 'vitest';
import { dynamoDbSubmissionStoreSuite } from '../conformance/dynamodb-store-conformance';

dynamoDbSubmissionStoreSuite('the dynalite emulator', () => ({
  resources: inject('resources'),
  endpoint: inject('emulatorEnv').AWS_ENDPOINT_URL_DYNAMODB!,
}));
