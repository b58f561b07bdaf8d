/**
 * What the fuzz knows the service holds, learnt only from answers it has checked: the
 * submissions each caller created, the Idempotency-Keys each caller used, the ETags (of a
 * submission's state, and of its content) and listing cursors the service handed out. The oracle judges later answers against it.
 */

export interface KnownSubmission {
  id: string;
  owner: string;
  /** The content as submitted; undefined when the fuzz could not tell what the service stored. */
  content: string | undefined;
}

export class ServiceModel {
  readonly #submissions = new Map<string, KnownSubmission>();
  /** In creation order, so a generated index picks the same one on a replay of the same run. */
  readonly #ids: string[] = [];
  readonly #keys = new Map<string, { content: string; id: string }>();
  readonly #etags = new Map<string, Set<string>>();
  readonly #contentEtags = new Map<string, Set<string>>();
  readonly #cursors = new Map<string, string>();
  readonly #cursorOrder: string[] = [];

  addSubmission(submission: KnownSubmission): void {
    const id = submission.id.toLowerCase();
    if (this.#submissions.has(id)) return;
    this.#submissions.set(id, { ...submission, id });
    this.#ids.push(id);
  }

  submission(id: string): KnownSubmission | undefined {
    return this.#submissions.get(id.toLowerCase());
  }

  /** The `pick`-th known submission (modulo how many are known); undefined when none is. */
  pickSubmission(pick: number): KnownSubmission | undefined {
    const id = this.#ids[pick % Math.max(1, this.#ids.length)];
    return id === undefined ? undefined : this.#submissions.get(id);
  }

  /** The submission an Idempotency-Key of `owner` was first used for, with its content. */
  idempotencyRecord(owner: string, key: string): { content: string; id: string } | undefined {
    return this.#keys.get(`${owner}\n${key}`);
  }

  addIdempotencyRecord(owner: string, key: string, record: { content: string; id: string }): void {
    const name = `${owner}\n${key}`;
    if (!this.#keys.has(name)) this.#keys.set(name, record);
  }

  /** An ETag of GET /submissions/{id} (`state`) or of GET /submissions/{id}/content (`content`). */
  addEtag(id: string, etag: string, of: 'state' | 'content' = 'state'): void {
    const etags = of === 'state' ? this.#etags : this.#contentEtags;
    const known = etags.get(id.toLowerCase()) ?? new Set<string>();
    known.add(etag);
    etags.set(id.toLowerCase(), known);
  }

  etagsOf(id: string, of: 'state' | 'content' = 'state'): ReadonlySet<string> {
    return (of === 'state' ? this.#etags : this.#contentEtags).get(id.toLowerCase()) ?? new Set();
  }

  /** A cursor the service issued, and to whom. */
  addCursor(cursor: string, owner: string): void {
    if (this.#cursors.has(cursor)) return;
    this.#cursors.set(cursor, owner);
    this.#cursorOrder.push(cursor);
  }

  cursorOwner(cursor: string): string | undefined {
    return this.#cursors.get(cursor);
  }

  /** The `pick`-th cursor issued (to `owner` only, when given); undefined when there is none. */
  pickCursor(pick: number, owner?: string): string | undefined {
    const cursors =
      owner === undefined
        ? this.#cursorOrder
        : this.#cursorOrder.filter((cursor) => this.#cursors.get(cursor) === owner);
    return cursors[pick % Math.max(1, cursors.length)];
  }
}
