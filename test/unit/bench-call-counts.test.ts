import { describe, expect, it } from 'vitest';
import { differencesFromFloor, type PipelineCalls, tally } from '../../bench/call-counts';
import type { CallRecord } from '../../bench/counting-proxy';

/** What the counting proxy would record for `n` submissions on the floor, in batches of `batch`. */
function floorRecords(n: number, batch: number): CallRecord[] {
  const call = (operation: string, items = 1): CallRecord => ({
    operation,
    resource: 'submissions',
    statusCode: 200,
    items,
    scanned: 0,
    arrivedAt: 0,
    at: 0,
  });
  const records: CallRecord[] = [];
  for (let index = 0; index < n; index += 1) {
    records.push(call('PutItem'), call('SendMessage'), call('UpdateItem'), call('UpdateItem'));
  }
  for (let start = 0; start < n; start += batch) {
    const size = Math.min(batch, n - start);
    records.push(call('ReceiveMessage', size), call('DeleteMessageBatch', size));
  }
  // An idle long poll, and one the proxy held and answered itself: neither concerns the floor.
  records.push(call('ReceiveMessage', 0), { ...call('ReceiveMessage', 0), held: true });
  return records;
}

function pipeline(records: CallRecord[], n: number): PipelineCalls {
  const isSqs = (record: CallRecord) => /Message/.test(record.operation);
  const receives = records.filter((record) => record.operation === 'ReceiveMessage' && !record.held);
  return {
    submissions: n,
    dynamodb: tally(records.filter((record) => !isSqs(record))),
    sqs: tally(records.filter(isSqs)),
    nonEmptyReceives: receives.filter((record) => record.items > 0).length,
    emptyReceives: receives.filter((record) => record.items === 0).length,
  };
}

describe('differencesFromFloor (what npm run bench -- --smoke enforces)', () => {
  it('finds none in exactly the floor, whatever the batch sizes and idle polls', () => {
    // Arrange
    const calls = pipeline(floorRecords(25, 10), 25);

    // Act
    const differences = differencesFromFloor(calls);

    // Assess
    expect(differences).toEqual([]);
    expect(calls.sqs.ReceiveMessage?.calls).toBe(4);
  });

  it.each([
    {
      name: 'a read after the claim',
      change: (records: CallRecord[]) => [...records, { ...records[0]!, operation: 'GetItem' }],
      expected: 'DynamoDB GetItem: 1 call(s), floor 0',
    },
    {
      name: 'a third UpdateItem',
      change: (records: CallRecord[]) => [...records, { ...records[0]!, operation: 'UpdateItem' }],
      expected: 'DynamoDB UpdateItem calls: 51, floor 50',
    },
    {
      name: 'a message received twice',
      change: (records: CallRecord[]) => [...records, { ...records[0]!, operation: 'ReceiveMessage' }],
      expected: 'SQS ReceiveMessage items: 26, floor 25',
    },
    {
      name: 'a delete outside the batch',
      change: (records: CallRecord[]) => [...records, { ...records[0]!, operation: 'DeleteMessage' }],
      expected: 'SQS DeleteMessage: 1 call(s), floor 0',
    },
    {
      name: 'a throttled write',
      change: (records: CallRecord[]) => [{ ...records[0]!, statusCode: 400 }, ...records.slice(1)],
      expected: 'DynamoDB PutItem: 1 error answer(s)',
    },
  ])('reports $name', ({ change, expected }) => {
    // Arrange
    const calls = pipeline(change(floorRecords(25, 10)), 25);

    // Act
    const differences = differencesFromFloor(calls);

    // Assess
    expect(differences).toContain(expected);
  });
});
