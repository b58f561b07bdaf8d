/**
 * Tallies of the counting proxy's records, and the exact check of a tally
 * against the floor (what `npm run bench -- --smoke` enforces in CI).
 */
import type { CallRecord } from './counting-proxy';

export interface OperationTally {
  /** Requests the emulator answered (held receives excluded). */
  calls: number;
  /** Items, messages or batch entries they carried (see CallRecord.items). */
  items: number;
  /** Query ScannedCount summed. */
  scanned: number;
  /** Requests answered with anything but 200. */
  errors: number;
}

export type Tally = Record<string, OperationTally>;

export function tally(calls: readonly CallRecord[]): Tally {
  const result: Tally = {};
  for (const call of calls) {
    if (call.held) continue;
    const entry = result[call.operation] ?? { calls: 0, items: 0, scanned: 0, errors: 0 };
    result[call.operation] = entry;
    entry.calls += 1;
    entry.items += call.items;
    entry.scanned += call.scanned;
    if (call.statusCode !== 200) entry.errors += 1;
  }
  return result;
}

export const callsOf = (tallied: Tally, operation: string) => tallied[operation]?.calls ?? 0;
export const itemsOf = (tallied: Tally, operation: string) => tallied[operation]?.items ?? 0;
export const totalCalls = (tallied: Tally) =>
  Object.values(tallied).reduce((sum, entry) => sum + entry.calls, 0);

/** One submission's path from POST to decision, as counted on the service's table and queue. */
export interface PipelineCalls {
  submissions: number;
  dynamodb: Tally;
  sqs: Tally;
  /** Receives that returned at least one message. */
  nonEmptyReceives: number;
  /** Long polls that returned nothing: a cost of idle pollers over time, not of submissions. */
  emptyReceives: number;
}

/**
 * Every way `calls` differs from the floor for `submissions` submissions, or
 * none: 1 PutItem + 1 SendMessage + 2 UpdateItem each (claim returning the item,
 * complete), nothing else on the table; each message received once and deleted
 * once, in one DeleteMessageBatch per non-empty receive; every request answered 200.
 */
export function differencesFromFloor(calls: PipelineCalls): string[] {
  const n = calls.submissions;
  const expected: Array<[string, Tally, string, number, 'calls' | 'items']> = [
    ['DynamoDB', calls.dynamodb, 'PutItem', n, 'calls'],
    ['DynamoDB', calls.dynamodb, 'UpdateItem', 2 * n, 'calls'],
    ['SQS', calls.sqs, 'SendMessage', n, 'calls'],
    ['SQS', calls.sqs, 'ReceiveMessage', n, 'items'],
    ['SQS', calls.sqs, 'DeleteMessageBatch', n, 'items'],
    ['SQS', calls.sqs, 'DeleteMessageBatch', calls.nonEmptyReceives, 'calls'],
  ];
  const differences: string[] = [];
  for (const [service, tallied, operation, want, what] of expected) {
    const got = what === 'calls' ? callsOf(tallied, operation) : itemsOf(tallied, operation);
    if (got !== want) differences.push(`${service} ${operation} ${what}: ${got}, floor ${want}`);
  }
  const allowed = {
    DynamoDB: new Set(['PutItem', 'UpdateItem']),
    SQS: new Set(['SendMessage', 'ReceiveMessage', 'DeleteMessageBatch']),
  };
  for (const [service, tallied] of [
    ['DynamoDB', calls.dynamodb],
    ['SQS', calls.sqs],
  ] as const) {
    for (const [operation, entry] of Object.entries(tallied)) {
      if (!allowed[service].has(operation)) {
        differences.push(`${service} ${operation}: ${entry.calls} call(s), floor 0`);
      }
      if (entry.errors > 0) differences.push(`${service} ${operation}: ${entry.errors} error answer(s)`);
    }
  }
  return differences;
}
