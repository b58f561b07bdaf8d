import { createHash } from 'node:crypto';

/**
 * The key under which identical content of one owner is found again (the
 * `ByContent` index): sha256 of owner and content, never the content itself.
 * Another owner's identical content has another hash.
 */
export function contentHashOf(owner: string, content: string): string {
  return createHash('sha256')
    .update(JSON.stringify([owner, content]))
    .digest('hex');
}
