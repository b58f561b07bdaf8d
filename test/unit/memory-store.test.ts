import { InMemorySubmissionStore } from '../../src/adapters/memory/submission-store';
import { submissionStoreConformance } from '../conformance/submission-store';

submissionStoreConformance('in memory', async () => ({
  store: new InMemorySubmissionStore(),
  destroy: async () => {},
}));
