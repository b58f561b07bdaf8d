/**
 * Names of the table's indexes and key attributes. The table itself is defined
 * once, in serverless.yml; these constants must match it.
 */
export const ACTIVE_INDEX = 'ActiveSubmissions';
export const OWNER_INDEX = 'ByOwner';
/** Every submission by `contentHash` (owner + content), `createdAt`: finds earlier identical submissions. */
export const CONTENT_INDEX = 'ByContent';

/**
 * The sparse index holds only non-terminal submissions: `activeShard` and
 * `reapAt` are set while PENDING or PROCESSING and removed on completion.
 * `reapAt` is when the reaper should look at the item (lease expiry while
 * PROCESSING, orphan deadline while PENDING), so a query for `reapAt <= now`
 * reads exactly the items that need attention.
 */
export function activeShardOf(id: string, shards: number): string {
  let hash = 0;
  for (let index = 0; index < id.length; index += 1) {
    hash = (hash * 31 + id.charCodeAt(index)) >>> 0;
  }
  return String(hash % shards);
}
