import * as z from 'zod';

/**
 * The wire format of the `SubmissionQueue` port (submission-queue.ts): what a queue
 * adapter sends and a worker reads back. The queue message: the id only, never the content.
 */
export const submissionMessageSchema = z.strictObject({ id: z.uuid() });
export type SubmissionMessage = z.infer<typeof submissionMessageSchema>;

export function encodeSubmissionMessage(id: string): string {
  return JSON.stringify({ id } satisfies SubmissionMessage);
}

/** What a queue message body turned out to be: a submission's id, or why it is not one of ours. */
export type ReadMessage =
  | { id: string }
  /** `not-json`: the body does not parse; `wrong-shape`: JSON, but not `{ id: <uuid> }` (`detail` says how). */
  | { malformed: 'not-json' }
  | { malformed: 'wrong-shape'; detail: string };

/** Reads a message body; the body itself is never echoed back (it may hold anything). */
export function readSubmissionMessage(body: string): ReadMessage {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { malformed: 'not-json' };
  }
  const message = submissionMessageSchema.safeParse(parsed);
  if (message.success) return { id: message.data.id };
  const detail = message.error.issues
    .map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ');
  return { malformed: 'wrong-shape', detail };
}

/** The id a message names, or undefined when the body is not one of ours. */
export function decodeSubmissionMessage(body: string): string | undefined {
  const read = readSubmissionMessage(body);
  return 'id' in read ? read.id : undefined;
}
