/**
 * Human output of `npm run ops`: pure functions from a command's report to
 * text, short and aligned. `--json` prints the reports themselves instead.
 */
import type { ReapReport } from '../../src/application/reaper-sweep';
import type { HistoryEntry } from '../../src/domain/history';
import type { StoredSubmission } from '../../src/ports/submission-store';
import type { MessageAge } from './message-age';
import type { RedriveEntry, RedriveReport } from './redrive';
import type { RequeueReport } from './requeue';
import type { QueueDepth, Stats } from './stats';

/**
 * Rows as columns, each padded to its widest cell. A row's last cell is free
 * text: never padded, and it widens no column (rows may differ in length).
 */
export function columns(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    row.slice(0, -1).forEach((cell, index) => {
      widths[index] = Math.max(widths[index] ?? 0, cell.length);
    });
  }
  return rows.map((row) =>
    row
      .map((cell, index) => (index === row.length - 1 ? cell : cell.padEnd(widths[index] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}

/** A duration in its two largest units: 42s, 5m 12s, 3h, 2d 3h. */
export function formatDuration(totalSeconds: number): string {
  const seconds = Math.max(0, Math.floor(totalSeconds));
  const units = [
    ['d', 86_400],
    ['h', 3_600],
    ['m', 60],
    ['s', 1],
  ] as const;
  const index = units.findIndex(([, size]) => seconds >= size);
  if (index < 0) return '0s';
  const [unit, size] = units[index]!;
  const major = `${Math.floor(seconds / size)}${unit}`;
  const next = units[index + 1];
  const minor = next ? Math.floor((seconds % size) / next[1]) : 0;
  return next && minor > 0 ? `${major} ${minor}${next[0]}` : major;
}

const depth = ({ visible, inFlight, delayed }: QueueDepth) =>
  `${visible} visible, ${inFlight} in flight, ${delayed} delayed`;

const messageAge = (age: MessageAge) =>
  'unavailable' in age
    ? `oldest message age: ${age.unavailable}`
    : `oldest message age ${formatDuration(age.ageSeconds)} (CloudWatch, minute of ${age.at})`;

export function formatStats(stats: Stats): string {
  const oldest = stats.oldestPending
    ? `oldest PENDING submission age ${formatDuration(stats.oldestPending.ageSeconds)} (${stats.oldestPending.id})`
    : '';
  return [
    `stage ${stats.stage}, table ${stats.table}`,
    ...columns([
      ['PENDING', String(stats.pending), oldest],
      ['PROCESSING', String(stats.processing), `${stats.processingLeaseExpired} past their lease`],
      ['queue', depth(stats.queue)],
      ['', messageAge(stats.queue.oldestMessageAge)],
      ['dead letters', depth(stats.deadLetterQueue)],
      ['', messageAge(stats.deadLetterQueue.oldestMessageAge)],
    ]),
    'Counts and the PENDING age come from the sparse index (never a table scan); message ages from',
    'CloudWatch (ApproximateAgeOfOldestMessage, the maximum per minute; it can lag a few minutes).',
  ].join('\n');
}

const describeError = (error: { code: string; message: string }) => `${error.code}: ${error.message}`;

/** When `at` is, relative to `now`: "in 4m 10s" or "3m ago". */
function relative(at: string, now: Date): string {
  const seconds = (Date.parse(at) - now.getTime()) / 1000;
  return seconds >= 0 ? `in ${formatDuration(seconds)}` : `${formatDuration(-seconds)} ago`;
}

export function formatHistoryEntry(entry: HistoryEntry): string {
  const attempt = entry.attempt === undefined ? '' : `attempt ${entry.attempt}`;
  const joined = (...parts: string[]) => parts.filter(Boolean).join(', ');
  switch (entry.event) {
    case 'accepted':
      return '';
    case 'claimed':
      return joined(attempt, `lease until ${entry.leaseExpiresAt}`);
    case 'released':
      return joined(attempt, describeError(entry.error));
    case 'decided':
      return joined(attempt, entry.errorCode ? `${entry.status} (${entry.errorCode})` : entry.status);
    case 'interrupted':
      return joined(
        attempt,
        `stopped by ${entry.by === 'deadline' ? "the invocation's deadline" : 'a shutdown'}`,
      );
    case 'reset':
      return joined(attempt, 'by the reaper (stuck past STUCK_AFTER)');
    case 'requeued':
      return `by an operator, from ${entry.from}`;
  }
}

export function formatSubmission(submission: StoredSubmission, now: Date, withContent: boolean): string {
  const rows: string[][] = [
    ['id', submission.id],
    ['status', submission.status],
    ['owner', submission.owner],
    ['attempts', String(submission.attempts)],
    ...(submission.interruptions ? [['interrupted', `${submission.interruptions} of them`]] : []),
    ['created', submission.createdAt],
    ['updated', submission.updatedAt],
  ];
  if (submission.processingStartedAt) rows.push(['processing since', submission.processingStartedAt]);
  if (submission.status === 'PROCESSING' && submission.leaseExpiresAt) {
    const live = Date.parse(submission.leaseExpiresAt) > now.getTime();
    rows.push([
      'lease',
      `until ${submission.leaseExpiresAt} (${live ? 'live' : 'expired'}, ${relative(submission.leaseExpiresAt, now)})`,
    ]);
  }
  if (submission.completedAt) rows.push(['completed', submission.completedAt]);
  if (submission.expiresAt !== undefined) {
    const expires = new Date(submission.expiresAt * 1000).toISOString();
    rows.push(['expires', `${expires} (retention; DynamoDB TTL deletes it after this)`]);
  }
  if (submission.error) rows.push(['error', describeError(submission.error)]);
  if (submission.lastError) rows.push(['last error', describeError(submission.lastError)]);
  if (submission.status === 'PENDING' && submission.notBefore) {
    rows.push(['retry not before', `${submission.notBefore} (${relative(submission.notBefore, now)})`]);
  }
  if (submission.orphanRequeues) rows.push(['orphan requeues', String(submission.orphanRequeues)]);
  const { result } = submission;
  const rules: string[] = [];
  if (result) {
    const ruleSet = result.ruleSet ? ` by rule set ${result.ruleSet.id} v${result.ruleSet.version}` : '';
    const reused = result.reusedFrom ? ` (verdict reused from ${result.reusedFrom})` : '';
    rows.push(['result', `${result.verdict}${ruleSet}${reused}`]);
    rules.push(
      ...columns(
        result.rules.map((rule) => [
          `  ${rule.passed ? 'pass' : 'FAIL'}`,
          rule.rule,
          rule.message + (rule.measured ? ` (${rule.measured})` : ''),
        ]),
      ),
    );
  }
  const content = ['content', withContent ? JSON.stringify(submission.content) : '(hidden; add --content)'];
  const history = columns(
    submission.history.map((entry) => [`  ${entry.at}`, entry.event, formatHistoryEntry(entry)]),
  );
  return [
    ...rows.map(labelled),
    ...rules,
    labelled(content),
    'history',
    ...(history.length > 0 ? history : ['  (none recorded)']),
  ].join('\n');
}

/** `show`'s label column is as wide as its longest label, whichever rows a submission has. */
const labelled = ([label, value]: string[]) => `${(label ?? '').padEnd('processing since'.length)}  ${value}`;

export function formatRequeue(report: RequeueReport, now: Date): string {
  if (report.requeued) {
    return report.from === 'PENDING'
      ? `requeued ${report.id}: still PENDING, a new message was sent`
      : `requeued ${report.id}: its lease had expired, reset to PENDING and a new message was sent`;
  }
  switch (report.reason) {
    case 'missing':
      return `refused: there is no submission ${report.id}`;
    case 'terminal':
      return `refused: ${report.id} is already ${report.status}; nothing changed`;
    case 'leased': {
      const until = report.leaseExpiresAt
        ? ` until ${report.leaseExpiresAt} (${relative(report.leaseExpiresAt, now)})`
        : '';
      return (
        `refused: ${report.id} is PROCESSING and a worker holds a live lease${until}; nothing changed. ` +
        'Requeue it once the lease has expired.'
      );
    }
  }
}

const WOULD: Record<RedriveEntry['action'], string> = {
  requeued: 'would requeue',
  deleted: 'would delete',
  left: 'would leave',
  failed: 'failed',
};

export function formatRedrive(report: RedriveReport): string {
  if (report.entries.length === 0) return 'the dead-letter queue is empty';
  const rows = report.entries.map((entry) => [
    entry.messageId,
    entry.submissionId ?? '-',
    entry.status ?? '-',
    (report.dryRun ? WOULD[entry.action] : entry.action) + (entry.note ? ` (${entry.note})` : ''),
  ]);
  const count = (action: RedriveEntry['action']) =>
    report.entries.filter((entry) => entry.action === action).length;
  const verb = (action: RedriveEntry['action']) => (report.dryRun ? WOULD[action] : action);
  const summary = (['requeued', 'deleted', 'left', 'failed'] as const)
    .filter((action) => count(action) > 0)
    .map((action) => `${count(action)} ${verb(action)}`)
    .join(', ');
  return [
    ...columns([['MESSAGE', 'SUBMISSION', 'STATUS', 'ACTION'], ...rows]),
    report.dryRun ? `dry run, nothing changed: ${summary}` : summary,
  ].join('\n');
}

export function formatReap(report: ReapReport): string {
  return columns([
    ['reset', String(report.reset), 'stuck PROCESSING submissions reset to PENDING and re-enqueued'],
    ['requeued', String(report.requeued), 'orphaned PENDING submissions re-enqueued'],
    ['examined', String(report.examined), 'due items read from the sparse index'],
    ['failed', String(report.failed), 'could not be rescued now; a later run retries them'],
  ]).join('\n');
}
