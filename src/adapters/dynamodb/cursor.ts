import * as z from 'zod';
import { InvalidCursorError } from '../../domain/errors';

/** The owner index's LastEvaluatedKey: table key plus index key. */
const ownerIndexKey = z.strictObject({
  id: z.string().min(1).max(128),
  owner: z.string().min(1).max(256),
  createdAt: z.string().min(1).max(64),
});
export type OwnerIndexKey = z.infer<typeof ownerIndexKey>;

export function encodeCursor(key: OwnerIndexKey): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/** Refuses anything that is not a key of this owner's listing. */
export function decodeCursor(cursor: string, owner: string): OwnerIndexKey {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError();
  }
  const parsed = ownerIndexKey.safeParse(decoded);
  if (!parsed.success || parsed.data.owner !== owner) throw new InvalidCursorError();
  return parsed.data;
}
