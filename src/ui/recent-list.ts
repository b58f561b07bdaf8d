import { isTerminal } from '../domain/submission';
import { type ApiClient, ApiError, type Submission } from './api-client';
import { create, element } from './dom';
import type { KnownSubmissions } from './known-submissions';
import { backoffMs } from './poll-delay';
import { statusBadge } from './status-badge';

const LIMIT = 10;

const timeOf = (iso: string) =>
  new Date(iso).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });

function entry(submission: Submission, onView: (submission: Submission) => void): HTMLLIElement {
  const view = create('button', { className: 'secondary', text: 'View' });
  view.type = 'button';
  view.setAttribute('aria-label', `View submission ${submission.id}`);
  view.addEventListener('click', () => onView(submission));
  const time = create('time', { text: timeOf(submission.createdAt) });
  time.dateTime = submission.createdAt;
  const item = create(
    'li',
    {},
    statusBadge(submission.status),
    create('code', { className: 'submission-id', text: submission.id }),
    time,
    view,
  );
  item.dataset.id = submission.id;
  return item;
}

export interface RecentListOptions {
  /** What the rest of the page knows: each entry shows the furthest along of it and the listing's copy. */
  known: KnownSubmissions;
  /** Told what each refresh shows (e.g. a verdict the listing learnt before the watched submission's poll). */
  onListed?(shown: readonly Submission[]): void;
}

/**
 * The caller's latest submissions (GET /submissions), newest first. Refreshed on
 * demand, and on its own, backing off, while any of them is still undecided. The
 * listing is served by an index a moment behind the submission itself, so each entry
 * shows the furthest along of the listing's copy and what the page already knows.
 */
export function recentList(
  api: ApiClient,
  onView: (submission: Submission) => void,
  { known, onListed }: RecentListOptions,
) {
  const list = element('recent', HTMLOListElement);
  const note = element('recent-note', HTMLElement);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let latestRequest = 0;
  let lastSeen = '';
  let quietRefreshes = 0;

  const refresh = async (): Promise<void> => {
    clearTimeout(timer);
    const request = ++latestRequest;
    let items: Submission[];
    try {
      items = await api.listSubmissions(LIMIT);
    } catch (error) {
      if (request !== latestRequest) return;
      const failure = error instanceof ApiError ? error.failure : undefined;
      note.textContent = `Could not load recent submissions. ${failure?.message ?? ''}`.trim();
      if (failure?.retryable !== false) timer = setTimeout(refresh, backoffMs(++quietRefreshes));
      return;
    }
    if (request !== latestRequest) return;
    const shown = items.map((submission) => known.remember(submission));
    list.replaceChildren(...shown.map((submission) => entry(submission, onView)));
    note.textContent = items.length === 0 ? 'None yet.' : '';
    onListed?.(shown);
    const seen = shown.map((submission) => `${submission.id}:${submission.status}`).join();
    quietRefreshes = seen === lastSeen ? quietRefreshes + 1 : 0;
    lastSeen = seen;
    if (shown.some((submission) => !isTerminal(submission.status))) {
      timer = setTimeout(refresh, backoffMs(quietRefreshes));
    }
  };

  /** Shows what the page now knows of a listed submission at once, without waiting for a refresh. */
  const show = (submission: Submission): void => {
    const current = [...list.children].find((item) => (item as HTMLElement).dataset.id === submission.id);
    current?.replaceWith(entry(known.remember(submission), onView));
  };

  return { refresh, show };
}
