/** Where accepted submissions wait for a worker. Messages carry the id only, never the content. */
export interface SubmissionQueue {
  enqueue(id: string): Promise<void>;
}
