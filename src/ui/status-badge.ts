import type { SubmissionStatus } from '../domain/submission';
import { create } from './dom';

/** The status as its own word (never colour alone), coloured by app.css. */
export function statusBadge(status: SubmissionStatus): HTMLSpanElement {
  return create('span', { className: `badge badge-${status.toLowerCase()}`, text: status });
}
