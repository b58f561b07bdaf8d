import type { SubmissionStore } from '../../src/ports/submission-store';

/**
 * The real store with some methods replaced. Used only to inject faults the
 * emulator cannot produce (throttling, outages, a worker stalling mid-write).
 */
export function storeWith(store: SubmissionStore, overrides: Partial<SubmissionStore>): SubmissionStore {
  return new Proxy(store, {
    get(target, property, receiver) {
      if (Object.hasOwn(overrides, property)) return overrides[property as keyof SubmissionStore];
      const value = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** An error shaped like the SDK's, for fault injection. */
export function awsError(name: string, message = name): Error {
  return Object.assign(new Error(message), { name, $fault: 'server', $metadata: { httpStatusCode: 500 } });
}
