/**
 * The page: submit text, watch its status until decided, see why, and the recent
 * submissions. Plain DOM; served by handlers/ui.ts, bundled by workbench/build/browser-bundle.ts.
 */
import { ApiError, apiClient, type Submission } from './api-client';
import { element } from './dom';
import { errorNotice } from './error-notice';
import { NETWORK_FAILURE } from './failure';
import { newIdempotencyKey } from './idempotency-key';
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
const recent = recentList(api, (submission) => watch(submission));

let watching: Watch | undefined;
/** The last POST that did not get an answer, so Retry reuses its Idempotency-Key. */
let unanswered: { text: string; key: string } | undefined;

function watch(submission: Submission): void {
  watching?.stop();
  errors.clear();
  let status = submission.status;
  current.show(submission);
  announcer.textContent = announcement(submission);
  watching = watchSubmission(api, submission.id, {
    onUpdate(latest) {
      current.show(latest);
      if (latest.status === status) return;
      status = latest.status;
      announcer.textContent = announcement(latest);
      void recent.refresh();
    },
    onError(failure) {
      errors.show(failure, () => watch(submission));
    },
  });
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
    watch(created);
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
