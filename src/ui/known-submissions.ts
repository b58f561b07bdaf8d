import { isTerminal } from '../domain/submission';
import type { Submission } from './api-client';

/** Whether `candidate` is further along than `than`: a decision beats everything, then the later update. */
function isFurther(candidate: Submission, than: Submission): boolean {
  if (isTerminal(than.status)) return false;
  if (isTerminal(candidate.status)) return true;
  if (candidate.updatedAt !== than.updatedAt) return candidate.updatedAt > than.updatedAt;
  return candidate.status === 'PROCESSING' && than.status === 'PENDING';
}

/** Whether `candidate` is at least as far along as `than`. */
function isAsFar(candidate: Submission, than: Submission): boolean {
  return !isFurther(than, candidate);
}

/**
 * The furthest-along representation of each submission any part of the page has seen:
 * the watched one's strongly consistent polls, and the recent list, which DynamoDB's
 * `ByOwner` index serves a moment late. Each part shows what is known here, so no part
 * shows a submission as undecided while another knows its verdict.
 */
export function knownSubmissions() {
  const known = new Map<string, Submission>();
  return {
    /**
     * Keeps `submission` if it is further along than what is known, or as far along and
     * `whole` (the submission's own representation, where a listing's copy holds only what
     * its index projects); returns what is now known.
     */
    remember(submission: Submission, whole = false): Submission {
      const current = known.get(submission.id);
      const keep =
        current === undefined || isFurther(submission, current) || (whole && isAsFar(submission, current));
      if (!keep) return current;
      known.set(submission.id, submission);
      return submission;
    },
  };
}

export type KnownSubmissions = ReturnType<typeof knownSubmissions>;
