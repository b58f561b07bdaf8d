import { submissionStoreConformance } from '../conformance/submission-store';
import { InMemorySubmissionStore } from '../helpers/memory-store';

submissionStoreConformance('in memory', async () => ({
  store: new InMemorySubmissionStore(),
  destroy: async () => {},
}));
