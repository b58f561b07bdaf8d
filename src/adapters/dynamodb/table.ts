/**
 * Names of the table's indexes and key attributes. The table itself is defined
 * once, in serverless.yml; these constants must match it.
 */
export const ACTIVE_INDEX = 'ActiveSubmissions';
export const OWNER_INDEX = 'ByOwner';
/**
 * Decisions made under a `duplicate` rule, by `contentHash` (owner + content) and `createdAt`:
 * finds earlier identical submissions.
 */
export const CONTENT_INDEX = 'ByContent';

/**
 * Content up to this many bytes of UTF-8 lives in the submission's own (status) item, which then
 * stays within one write unit (1 KB) through every transition; longer content gets an item of
 * its own, written once, so a transition or a status poll costs the same at any content size.
 */
export const INLINE_CONTENT_MAX_BYTES = 128;

/** The key prefix of the item that holds a submission's content when it is not inline. */
export const CONTENT_KEY_PREFIX = 'content#';

export const contentIsInline = (content: string): boolean =>
  Buffer.byteLength(content, 'utf8') <= INLINE_CONTENT_MAX_BYTES;

/**
 * The sparse index holds only non-terminal submissions: `activeShard` and
 * `reapAt` are set while PENDING or PROCESSING and removed on completion.
 * `reapAt` is when the reaper should look at the item (ORPHAN_AFTER after it was
 * accepted, released or rescued; a claim leaves it), so a query for `reapAt <= now`
 * reads exactly the items that may need attention.
 */
export function activeShardOf(id: string, shards: number): string {
  let hash = 0;
  for (let index = 0; index < id.length; index += 1) {
    hash = (hash * 31 + id.charCodeAt(index)) >>> 0;
  }
  return String(hash % shards);
}
