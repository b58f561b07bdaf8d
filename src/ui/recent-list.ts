import { isTerminal } from '../domain/submission';
import { type ApiClient, ApiError, type Submission } from './api-client';
import { create, element } from './dom';
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

/**
 * The caller's latest submissions (GET /submissions), newest first. Refreshed on
 * demand, and on its own, backing off, while any of them is still undecided.
 */
export function recentList(api: ApiClient, onView: (submission: Submission) => void) {
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
    list.replaceChildren(...items.map((submission) => entry(submission, onView)));
    note.textContent = items.length === 0 ? 'None yet.' : '';
    const seen = items.map((submission) => `${submission.id}:${submission.status}`).join();
    quietRefreshes = seen === lastSeen ? quietRefreshes + 1 : 0;
    lastSeen = seen;
    if (items.some((submission) => !isTerminal(submission.status))) {
      timer = setTimeout(refresh, backoffMs(quietRefreshes));
    }
  };

  return { refresh };
}
