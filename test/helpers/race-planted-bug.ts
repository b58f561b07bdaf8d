import type { SubmissionStore } from '../../src/ports/submission-store';
import { storeWith } from './faults';

/**
 * The planted bug: complete() without its fencing condition (`leaseIsOurs`),
 * as if the condition were `statusIsProcessing` alone. Any caller completes a
 * PROCESSING submission, whoever holds the lease. Done by handing the inner
 * store the current holder's token, so src/ stays untouched. Not atomic on its
 * own (a read, then the write): run it behind `CheckedSubmissionStore` (race-checked-store.ts),
 * which serialises calls.
 */
export function withoutCompleteFencing(store: SubmissionStore): SubmissionStore {
  return storeWith(store, {
    async complete(request) {
      const current = await store.get(request.id);
      const leaseToken =
        current?.status === 'PROCESSING' && current.leaseToken ? current.leaseToken : request.leaseToken;
      return store.complete({ ...request, leaseToken });
    },
  });
}
