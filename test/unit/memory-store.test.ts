import { submissionStoreConformance } from '../conformance/submission-store-conformance';
import { InMemorySubmissionStore } from '../helpers/memory-store';

submissionStoreConformance('in memory', async () => ({
  store: new InMemorySubmissionStore(),
  destroy: async () => {},
}));
