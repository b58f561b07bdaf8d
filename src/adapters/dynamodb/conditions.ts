/**
 * The named parts of every transition's ConditionExpression, so the state
 * machine reads from the code. Placeholders are shared by all transitions:
 * `#status`, `:pending`, `:processing` and friends come from {@link names} and
 * the caller's values.
 */
export const condition = {
  /** create: nothing with this id exists yet. */
  isNew: 'attribute_not_exists(#id)',
  /** create, content stored apart: a retry of the same create rewrites the identical item. */
  sameContent: '#content = :content',
  statusIsPending: '#status = :pending',
  statusIsProcessing: '#status = :processing',
  /** A released submission's retry time has come (one never released has none). */
  retryIsDue: 'attribute_not_exists(#notBefore) OR #notBefore <= :now',
  /** The current claim's lease ran out, so another worker may take over. */
  leaseExpired: '#leaseExpiresAt < :now',
  /** Fencing: only the holder of the current lease token may write. */
  leaseIsOurs: '#leaseToken = :leaseToken',
  /** reaper: processing started before now − STUCK_AFTER. */
  startedBefore: '#processingStartedAt < :startedBefore',
  /** reaper: nobody touched this orphan since we read it from the index. */
  reapAtUnchanged: '#reapAt = :seenReapAt',
  /** idempotency: a key whose record outlived its retention may be used again. */
  keyExpired: '#expiresAt < :nowEpoch',
} as const;

export const and = (...parts: string[]): string => parts.map((part) => `(${part})`).join(' AND ');
export const or = (...parts: string[]): string => parts.map((part) => `(${part})`).join(' OR ');

/** Attribute-name placeholders for every attribute an expression names (`status`, `owner`, `result` are reserved words). */
export const names = {
  '#id': 'id',
  '#content': 'content',
  '#status': 'status',
  '#leaseToken': 'leaseToken',
  '#leaseExpiresAt': 'leaseExpiresAt',
  '#processingStartedAt': 'processingStartedAt',
  '#reapAt': 'reapAt',
  '#activeShard': 'activeShard',
  '#attempts': 'attempts',
  '#updatedAt': 'updatedAt',
  '#completedAt': 'completedAt',
  '#decidedBy': 'decidedBy',
  '#releasedBy': 'releasedBy',
  '#rescuedBy': 'rescuedBy',
  '#result': 'result',
  '#error': 'error',
  '#lastError': 'lastError',
  '#owner': 'owner',
  '#expiresAt': 'expiresAt',
  '#contentHash': 'contentHash',
  '#createdAt': 'createdAt',
  '#history': 'history',
  '#orphanRequeues': 'orphanRequeues',
  '#notBefore': 'notBefore',
  '#interruptions': 'interruptions',
} as const;

/** Keeps only the placeholders an expression mentions; DynamoDB rejects unused ones. */
export function namesUsedIn(...expressions: string[]): Record<string, string> {
  const text = expressions.join(' ');
  return Object.fromEntries(
    Object.entries(names).filter(([placeholder]) => new RegExp(`${placeholder}\\b`).test(text)),
  );
}
