import { z } from 'zod';

/** The queue message: the id only, never the content. */
export const submissionMessageSchema = z.strictObject({ id: z.uuid() });
export type SubmissionMessage = z.infer<typeof submissionMessageSchema>;

export function encodeSubmissionMessage(id: string): string {
  return JSON.stringify({ id } satisfies SubmissionMessage);
}

/** The id a message names, or undefined when the body is not one of ours. */
export function decodeSubmissionMessage(body: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  const message = submissionMessageSchema.safeParse(parsed);
  return message.success ? message.data.id : undefined;
}
