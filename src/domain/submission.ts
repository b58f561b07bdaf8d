/**
 * The submission and its state machine.
 *
 * ```
 * PENDING ──claim──▶ PROCESSING ──complete──▶ PASSED | FAILED   (terminal, never change)
 *    ▲                  │
 *    └──release/reset───┘  (processing error, or reaper after STUCK_AFTER)
 * ```
 *
 * Every transition is one conditional write in the store; the conditions live in
 * the store adapter (see `adapters/dynamodb/conditions.ts`).
 */
export const SUBMISSION_STATUSES = ['PENDING', 'PROCESSING', 'PASSED', 'FAILED'] as const;
export type SubmissionStatus = (typeof SUBMISSION_STATUSES)[number];

export type TerminalStatus = Extract<SubmissionStatus, 'PASSED' | 'FAILED'>;

/** Days a decided submission is kept before DynamoDB's TTL may delete it (RETENTION_DAYS). */
export const DEFAULT_RETENTION_DAYS = 90;

/** Epoch seconds (the TTL attribute `expiresAt`) when a submission decided at `decidedAt` expires. */
export function expiryOf(decidedAt: Date, retentionDays: number): number {
  return Math.floor(decidedAt.getTime() / 1000) + retentionDays * 86_400;
}

export function isTerminal(status: SubmissionStatus): status is TerminalStatus {
  return status === 'PASSED' || status === 'FAILED';
}

/** One rule's outcome, kept on the submission so a person can read why it failed. */
export interface RuleOutcome {
  /** The rule's id in its rule set. */
  rule: string;
  /** The rule's type, e.g. `minLength`; absent for rules built in code. */
  type?: string;
  passed: boolean;
  /** The rule's message template, filled in. */
  message: string;
  /** What the rule measured, for a person, e.g. "length 7, minimum 10". */
  measured?: string;
}

/** Which rule set decided, so a verdict can be traced to the document that produced it. */
export interface RuleSetReference {
  id: string;
  version: number;
}

/** The rule set's verdict on the content. */
export interface ValidationResult {
  verdict: TerminalStatus;
  ruleSet?: RuleSetReference;
  /** One outcome per rule, in document order, whatever the verdict. */
  rules: RuleOutcome[];
  /** Set when this is a copy of an earlier identical submission's result (the `duplicate` rule's `reuseVerdict`). */
  reusedFrom?: string;
}

/**
 * Why a submission could not be processed, as opposed to being rejected for its
 * content (which is a FAILED verdict with `result` and no `error`).
 */
export const PROCESSING_ERROR_CODES = [
  'PROCESSING_FAILED',
  'ATTEMPTS_EXHAUSTED',
  'INTERRUPTED_TOO_OFTEN',
  'RULES_TOO_COSTLY',
] as const;
export type ProcessingErrorCode = (typeof PROCESSING_ERROR_CODES)[number];

export interface ProcessingError {
  code: ProcessingErrorCode;
  message: string;
}

export interface Submission {
  id: string;
  owner: string;
  content: string;
  status: SubmissionStatus;
  /**
   * Number of claims so far; incremented by every claim. The claims that a deadline or a
   * shutdown stopped are counted again in `interruptions`: they spend no attempt.
   */
  attempts: number;
  /** Claims stopped by a deadline or a shutdown before a decision (released without an error). */
  interruptions?: number;
  /** Set by a release: no claim may take the submission before this time (the retry back-off). */
  notBefore?: string;
  /** Fencing token of the current claim; present only while PROCESSING. */
  leaseToken?: string;
  createdAt: string;
  updatedAt: string;
  processingStartedAt?: string;
  leaseExpiresAt?: string;
  completedAt?: string;
  /** Lease token of the claim that wrote the terminal status. */
  decidedBy?: string;
  /** Lease token of the latest claim that released the submission (after an error, or stopped). */
  releasedBy?: string;
  /** The reaper run that last reset or deferred it (a retry of that write finds it). */
  rescuedBy?: string;
  result?: ValidationResult;
  error?: ProcessingError;
  /** The error of the latest released attempt, kept for operators while retries go on. */
  lastError?: ProcessingError;
}
