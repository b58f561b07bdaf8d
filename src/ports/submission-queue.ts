/**
 * Where accepted submissions wait for a worker. Messages carry the id only, never
 * the content; submission-message.ts encodes and reads them.
 */
export interface SubmissionQueue {
  enqueue(id: string): Promise<void>;
  /** Enqueues many ids; returns those that could not be enqueued (the reaper will). */
  enqueueMany(ids: readonly string[]): Promise<string[]>;
}
