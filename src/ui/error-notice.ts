import { element } from './dom';
import type { Failure } from './failure';

/** The one place errors are shown (role="alert"), with a Retry button when retrying can help. */
export function errorNotice() {
  const box = element('error', HTMLElement);
  const message = element('error-message', HTMLElement);
  const retryButton = element('retry', HTMLButtonElement);
  let retry: (() => void) | undefined;

  retryButton.addEventListener('click', () => {
    const action = retry;
    clear();
    action?.();
  });

  function clear(): void {
    box.hidden = true;
    message.textContent = '';
    retry = undefined;
  }

  return {
    show(failure: Failure, onRetry?: () => void): void {
      retry = failure.retryable ? onRetry : undefined;
      message.textContent = failure.message;
      retryButton.hidden = retry === undefined;
      box.hidden = false;
    },
    clear,
  };
}
