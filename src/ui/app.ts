/**
 * The page: submit text, watch its status until decided, see why, and the recent
 * submissions. Plain DOM; served by handlers/ui.ts, bundled by workbench/build/browser-bundle.ts.
 */
import { ApiError, apiClient, type Submission } from './api-client';
import { element } from './dom';
import { errorNotice } from './error-notice';
import { NETWORK_FAILURE } from './failure';
import { newIdempotencyKey } from './idempotency-key';
import { knownSubmissions } from './known-submissions';
import { decisionTimes } from './poll-delay';
import { recentList } from './recent-list';
import { announcement, submissionView } from './submission-view';
import { tokenStore } from './token-store';
import { type Watch, watchSubmission } from './watch-submission';

const form = element('submit-form', HTMLFormElement);
const content = element('content', HTMLTextAreaElement);
const contentError = element('content-error', HTMLElement);
const submitButton = element('submit', HTMLButtonElement);
const sending = element('sending', HTMLElement);
const tokenField = element('token', HTMLInputElement);
const tokenSettings = element('token-settings', HTMLDetailsElement);
const announcer = element('announcer', HTMLElement);

const api = apiClient(document.baseURI, () => tokenField.value.trim() || undefined);
const errors = errorNotice();
const current = submissionView();
/** The furthest along of every submission any part of the page has seen. */
const known = knownSubmissions();
/** How long the service takes to decide, as seen here: when to poll a new submission first. */
const decisions = decisionTimes();
let watching: { id: string; status: Submission['status']; watch: Watch } | undefined;
const recent = recentList(api, (submission) => watch(submission), {
  known,
  onListed(shown) {
    for (const submission of shown) decisions.record(submission);
    // The listing saw the watched submission further along than the panel: show that at
    // once, and poll it now for the submission's own representation.
    const listed = shown.find((submission) => submission.id === watching?.id);
    if (listed && watching && listed.status !== watching.status) {
      showWatched(listed, { fromListing: true });
      watching.watch.pollNow();
    }
  },
});

/**
 * Shows the furthest along of `latest` and what is known of the watched submission, in
 * every part of the page: `latest` is the submission's own representation (a poll's), or
 * the listing's copy, which the listing has just shown.
 */
function showWatched(latest: Submission, { fromListing = false } = {}): void {
  const furthest = known.remember(latest, !fromListing);
  current.show(furthest);
  if (!fromListing) recent.show(furthest);
  if (!watching || furthest.status === watching.status) return;
  watching.status = furthest.status;
  decisions.record(furthest);
  announcer.textContent = announcement(furthest);
  if (!fromListing) void recent.refresh();
}

/** The last POST that did not get an answer, so Retry reuses its Idempotency-Key. */
let unanswered: { text: string; key: string } | undefined;

function watch(submission: Submission, expectedDecisionMs?: number): void {
  watching?.watch.stop();
  errors.clear();
  const shown = known.remember(submission);
  current.show(shown);
  announcer.textContent = announcement(shown);
  watching = {
    id: shown.id,
    status: shown.status,
    watch: watchSubmission(
      api,
      submission.id,
      {
        onUpdate: (latest) => showWatched(latest),
        onError(failure) {
          errors.show(failure, () => watch(submission));
        },
      },
      expectedDecisionMs === undefined ? {} : { expectedDecisionMs },
    ),
  };
}

function setInFlight(inFlight: boolean): void {
  submitButton.disabled = inFlight;
  form.setAttribute('aria-busy', String(inFlight));
  sending.hidden = !inFlight;
}

async function submit(text: string): Promise<void> {
  if (submitButton.disabled) return;
  if (text.length === 0) {
    contentError.textContent = 'Write some content first: an empty submission cannot be checked.';
    contentError.hidden = false;
    content.setAttribute('aria-invalid', 'true');
    content.focus();
    return;
  }
  contentError.hidden = true;
  content.removeAttribute('aria-invalid');
  errors.clear();
  const key = unanswered?.text === text ? unanswered.key : newIdempotencyKey();
  unanswered = { text, key };
  setInFlight(true);
  try {
    const created = await api.createSubmission(text, key);
    unanswered = undefined;
    watch(created, decisions.expectedMs());
    void recent.refresh();
  } catch (error) {
    const failure = error instanceof ApiError ? error.failure : NETWORK_FAILURE;
    if (!failure.retryable) unanswered = undefined;
    errors.show(failure, () => void submit(content.value));
  } finally {
    setInFlight(false);
  }
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  void submit(content.value);
});

content.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
    event.preventDefault();
    form.requestSubmit();
  }
});

tokenField.value = tokenStore.read() ?? '';
tokenSettings.open = tokenField.value !== '';
tokenField.addEventListener('change', () => {
  tokenStore.write(tokenField.value.trim());
  void recent.refresh();
});

void recent.refresh();
