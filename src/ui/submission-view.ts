import { isTerminal } from '../domain/submission';
import type { Submission } from './api-client';
import { create, element } from './dom';
import { statusBadge } from './status-badge';

/**
 * The submission being watched: id, live status, and once decided the rule set
 * that decided, whether the verdict was reused, and each rule's outcome and measured value.
 */
export function submissionView() {
  const section = element('current', HTMLElement);
  const id = element('current-id', HTMLElement);
  const status = element('current-status', HTMLElement);
  const progress = element('current-progress', HTMLElement);
  const ruleSetRow = element('current-rule-set-row', HTMLElement);
  const ruleSet = element('current-rule-set', HTMLElement);
  const reused = element('current-reused', HTMLElement);
  const rules = element('current-rules', HTMLUListElement);
  const processingError = element('current-error', HTMLElement);

  return {
    show(submission: Submission): void {
      section.hidden = false;
      id.textContent = submission.id;
      status.replaceChildren(statusBadge(submission.status));
      progress.hidden = isTerminal(submission.status);
      const result = submission.result;
      ruleSetRow.hidden = result?.ruleSet === undefined;
      ruleSet.textContent = result?.ruleSet ? `${result.ruleSet.id}, version ${result.ruleSet.version}` : '';
      reused.hidden = result?.reusedFrom === undefined;
      reused.replaceChildren(
        ...(result?.reusedFrom === undefined
          ? []
          : [
              'Same content as an earlier submission, ',
              create('code', { text: result.reusedFrom }),
              ': its verdict was reused and no rule ran again.',
            ]),
      );
      rules.replaceChildren(
        ...(result?.rules ?? []).map((rule) =>
          create(
            'li',
            { className: rule.passed ? 'rule rule-passed' : 'rule rule-failed' },
            create('span', { className: 'rule-outcome', text: rule.passed ? 'Passed' : 'Failed' }),
            create(
              'span',
              { className: 'rule-detail' },
              create('span', { className: 'rule-message', text: rule.message }),
              ...(rule.measured
                ? [create('span', { className: 'rule-measured', text: `Measured: ${rule.measured}` })]
                : []),
            ),
            create('span', { className: 'rule-name', text: rule.rule }),
          ),
        ),
      );
      processingError.hidden = !submission.error;
      processingError.textContent = submission.error
        ? `Could not be processed: ${submission.error.message}`
        : '';
    },
  };
}

/** What the live region says when a submission's status changes. */
export function announcement(submission: Submission): string {
  const head = `Submission ${submission.id.slice(0, 8)} is ${submission.status}.`;
  if (submission.status !== 'FAILED') return head;
  const reasons = submission.error
    ? [submission.error.message]
    : (submission.result?.rules ?? []).filter((rule) => !rule.passed).map((rule) => rule.message);
  return [head, ...reasons].join(' ');
}
