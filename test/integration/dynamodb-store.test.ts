import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbSubmissionStore } from '../../src/adapters/dynamodb/submission-store';
import type { ValidationResult } from '../../src/domain/submission';
import { createTestBackend, type TestBackend } from '../helpers/backend';

const T0 = '2026-01-01T00:00:00.000Z';
const at = (seconds: number) => new Date(Date.parse(T0) + seconds * 1000).toISOString();
const passed: ValidationResult = {
  verdict: 'PASSED',
  rules: [{ rule: 'minLength', passed: true, message: 'ok' }],
};

describe('DynamoDbSubmissionStore against the DynamoDB emulator', () => {
  let backend: TestBackend;
  let store: DynamoDbSubmissionStore;

  beforeEach(async () => {
    backend = await createTestBackend();
    store = new DynamoDbSubmissionStore({
      client: backend.documents,
      tableName: backend.tableName,
      activeShards: 4,
    });
  });
  afterEach(() => backend.destroy());

  async function created(id = randomUUID(), owner = 'alice') {
    expect(await store.create({ id, owner, content: 'hello 12345', createdAt: T0 }, at(120))).toBe(true);
    return id;
  }

  /** Claims and decides PASSED: the submission is terminal afterwards. */
  async function completePassed(id: string, leaseToken: string) {
    const outcome = await store.complete({
      id,
      leaseToken,
      now: at(2),
      decision: { status: 'PASSED', result: passed },
    });
    expect(outcome.written).toBe(true);
  }

  async function claimed(id: string, leaseToken: string = randomUUID(), now = at(1)) {
    const outcome = await store.claim({ id, leaseToken, now, leaseExpiresAt: at(301) });
    expect(outcome.claimed).toBe(true);
    return leaseToken;
  }

  describe('create', () => {
    it('stores a PENDING submission with zero attempts', async () => {
      const id = await created();

      const stored = await store.get(id);

      expect(stored).toMatchObject({
        id,
        owner: 'alice',
        status: 'PENDING',
        attempts: 0,
        createdAt: T0,
        updatedAt: T0,
      });
      expect(stored).not.toHaveProperty('reapAt');
    });

    it('reports success when it finds its own item: a retry after a lost response', async () => {
      const id = randomUUID();
      const submission = { id, owner: 'alice', content: 'hello 12345', createdAt: T0 };
      expect(await store.create(submission, at(120))).toBe(true);

      expect(await store.create(submission, at(120))).toBe(true);
      expect(await backend.scanAll()).toHaveLength(1);
    });

    it('is refused when the id exists, leaving the first submission untouched', async () => {
      const id = await created();

      const again = await store.create({ id, owner: 'mallory', content: 'other', createdAt: at(5) }, at(9));

      expect(again).toBe(false);
      expect(await store.get(id)).toMatchObject({ owner: 'alice', content: 'hello 12345' });
    });
  });

  describe('claim', () => {
    it('moves PENDING to PROCESSING with the token, a lease and attempts + 1, returning the item', async () => {
      const id = await created();

      const outcome = await store.claim({ id, leaseToken: 'token-1', now: at(1), leaseExpiresAt: at(301) });

      expect(outcome).toMatchObject({
        claimed: true,
        submission: {
          id,
          status: 'PROCESSING',
          leaseToken: 'token-1',
          attempts: 1,
          content: 'hello 12345',
          processingStartedAt: at(1),
          leaseExpiresAt: at(301),
        },
      });
    });

    it('is refused while another lease is live', async () => {
      const id = await created();
      await claimed(id, 'first');

      const second = await store.claim({ id, leaseToken: 'second', now: at(300), leaseExpiresAt: at(600) });

      expect(second).toEqual({ claimed: false, reason: 'leased' });
      expect(await store.get(id)).toMatchObject({ leaseToken: 'first', attempts: 1 });
    });

    it('gives the lease back to a retry of the same claim (its first response was lost)', async () => {
      const id = await created();
      await claimed(id, 'mine');

      const retry = await store.claim({ id, leaseToken: 'mine', now: at(2), leaseExpiresAt: at(302) });

      expect(retry).toMatchObject({ claimed: true, submission: { leaseToken: 'mine', attempts: 1 } });
    });

    it('takes over a PROCESSING submission whose lease expired, with a new token', async () => {
      const id = await created();
      await claimed(id, 'first');

      const takeover = await store.claim({ id, leaseToken: 'second', now: at(302), leaseExpiresAt: at(602) });

      expect(takeover).toMatchObject({ claimed: true, submission: { leaseToken: 'second', attempts: 2 } });
    });

    it('is refused once the submission is terminal', async () => {
      const id = await created();
      const token = await claimed(id);
      await completePassed(id, token);

      expect(await store.claim({ id, leaseToken: 'late', now: at(9999), leaseExpiresAt: at(99999) })).toEqual(
        {
          claimed: false,
          reason: 'terminal',
        },
      );
    });

    it('is refused for an unknown id and creates nothing', async () => {
      const outcome = await store.claim({
        id: randomUUID(),
        leaseToken: 't',
        now: at(1),
        leaseExpiresAt: at(2),
      });

      expect(outcome).toEqual({ claimed: false, reason: 'missing' });
      expect(await backend.scanAll()).toHaveLength(0);
    });
  });

  describe('complete', () => {
    it('writes the verdict, clears the lease and leaves the active index', async () => {
      const id = await created();
      const token = await claimed(id);

      const outcome = await store.complete({
        id,
        leaseToken: token,
        now: at(2),
        decision: { status: 'PASSED', result: passed },
      });

      expect(outcome).toEqual({ written: true, status: 'PASSED' });
      const [item] = await backend.scanAll();
      expect(item).not.toHaveProperty('leaseToken');
      expect(item).not.toHaveProperty('activeShard');
      expect(item).not.toHaveProperty('reapAt');
      expect(await store.get(id)).toMatchObject({
        status: 'PASSED',
        result: passed,
        completedAt: at(2),
        updatedAt: at(2),
      });
    });

    it('records a processing error distinct from a content verdict', async () => {
      const id = await created();
      const token = await claimed(id);

      await store.complete({
        id,
        leaseToken: token,
        now: at(2),
        decision: { status: 'FAILED', error: { code: 'PROCESSING_FAILED', message: 'boom' } },
      });

      const stored = await store.get(id);
      expect(stored).toMatchObject({ status: 'FAILED', error: { code: 'PROCESSING_FAILED' } });
      expect(stored).not.toHaveProperty('result');
    });

    it('is refused with a stale token (fenced)', async () => {
      const id = await created();
      await claimed(id, 'current');

      const outcome = await store.complete({
        id,
        leaseToken: 'stale',
        now: at(2),
        decision: { status: 'PASSED', result: passed },
      });

      expect(outcome).toEqual({ written: false });
      expect(await store.get(id)).toMatchObject({ status: 'PROCESSING', leaseToken: 'current' });
    });

    it('is refused when the submission is not PROCESSING', async () => {
      const id = await created();

      const outcome = await store.complete({
        id,
        leaseToken: 'any',
        now: at(2),
        decision: { status: 'PASSED', result: passed },
      });

      expect(outcome).toEqual({ written: false });
      expect(await store.get(id)).toMatchObject({ status: 'PENDING' });
    });

    it('never changes a terminal status (decided once)', async () => {
      const id = await created();
      const token = await claimed(id);
      await completePassed(id, token);

      const again = await store.complete({
        id,
        leaseToken: 'another-claim',
        now: at(3),
        decision: { status: 'FAILED', result: { verdict: 'FAILED', rules: [] } },
      });

      expect(again).toEqual({ written: false });
      expect(await store.get(id)).toMatchObject({ status: 'PASSED', completedAt: at(2), decidedBy: token });
    });

    it('tells the decider its write landed when its retry finds its own token (a lost response)', async () => {
      const id = await created();
      const token = await claimed(id);
      await completePassed(id, token);

      const retry = await store.complete({
        id,
        leaseToken: token,
        now: at(3),
        decision: { status: 'PASSED', result: passed },
      });

      expect(retry).toEqual({ written: true, status: 'PASSED' });
      expect(await store.get(id)).toMatchObject({ status: 'PASSED', completedAt: at(2) });
    });

    it('is refused for an unknown id and creates nothing', async () => {
      const outcome = await store.complete({
        id: randomUUID(),
        leaseToken: 't',
        now: at(2),
        decision: { status: 'PASSED', result: passed },
      });

      expect(outcome).toEqual({ written: false });
      expect(await backend.scanAll()).toHaveLength(0);
    });
  });

  describe('release', () => {
    it('returns the submission to PENDING with the error noted and the lease cleared', async () => {
      const id = await created();
      const token = await claimed(id);

      const outcome = await store.release({
        id,
        leaseToken: token,
        now: at(2),
        reapAt: at(122),
        error: { code: 'PROCESSING_FAILED', message: 'boom' },
      });

      expect(outcome).toEqual({ written: true, status: 'PENDING' });
      const stored = await store.get(id);
      expect(stored).toMatchObject({
        status: 'PENDING',
        attempts: 1,
        lastError: { code: 'PROCESSING_FAILED' },
      });
      expect(stored).not.toHaveProperty('leaseToken');
      expect(
        (await store.claim({ id, leaseToken: 'next', now: at(3), leaseExpiresAt: at(303) })).claimed,
      ).toBe(true);
    });

    it('is refused with a stale token', async () => {
      const id = await created();
      await claimed(id, 'current');

      const outcome = await store.release({
        id,
        leaseToken: 'stale',
        now: at(2),
        reapAt: at(122),
        error: { code: 'PROCESSING_FAILED', message: 'x' },
      });

      expect(outcome).toEqual({ written: false });
      expect(await store.get(id)).toMatchObject({ status: 'PROCESSING', leaseToken: 'current' });
    });

    it('is refused after completion', async () => {
      const id = await created();
      const token = await claimed(id);
      await completePassed(id, token);

      const outcome = await store.release({
        id,
        leaseToken: token,
        now: at(3),
        reapAt: at(123),
        error: { code: 'PROCESSING_FAILED', message: 'x' },
      });

      expect(outcome).toEqual({ written: false });
      expect(await store.get(id)).toMatchObject({ status: 'PASSED' });
    });
  });

  describe('resetStuck', () => {
    it('resets PROCESSING that started before the cutoff, clearing the lease', async () => {
      const id = await created();
      const token = await claimed(id, undefined, at(1));

      expect(await store.resetStuck(id, at(2), at(302), at(422))).toBe(true);

      expect(await store.get(id)).toMatchObject({ status: 'PENDING', updatedAt: at(302) });
      const outcome = await store.complete({
        id,
        leaseToken: token,
        now: at(303),
        decision: { status: 'PASSED', result: passed },
      });
      expect(outcome).toEqual({ written: false });
    });

    it('is refused when processing started at or after the cutoff', async () => {
      const id = await created();
      await claimed(id, undefined, at(1));

      expect(await store.resetStuck(id, at(1), at(301), at(421))).toBe(false);
      expect(await store.get(id)).toMatchObject({ status: 'PROCESSING' });
    });

    it('is refused for PENDING and terminal submissions', async () => {
      const pending = await created();
      const done = await created();
      const token = await claimed(done);
      await completePassed(done, token);

      expect(await store.resetStuck(pending, at(999), at(999), at(1999))).toBe(false);
      expect(await store.resetStuck(done, at(999), at(999), at(1999))).toBe(false);
      expect(await store.get(done)).toMatchObject({ status: 'PASSED' });
    });
  });

  describe('deferOrphan', () => {
    it('moves the reap time forward once: a second reaper with the same reading is refused', async () => {
      const id = await created();

      expect(await store.deferOrphan(id, at(120), at(240))).toBe(true);
      expect(await store.deferOrphan(id, at(120), at(240))).toBe(false);
    });

    it('is refused once the submission was claimed', async () => {
      const id = await created();
      await claimed(id);

      expect(await store.deferOrphan(id, at(120), at(240))).toBe(false);
    });
  });

  describe('listDue (sparse index)', () => {
    it('returns only non-terminal submissions whose reap time has come, across shards', async () => {
      const ids = await Promise.all(Array.from({ length: 12 }, () => created()));
      const [stuck, done, ...pending] = ids as [string, string, ...string[]];
      await claimed(stuck, 'a', at(1));
      const token = await claimed(done, 'b', at(1));
      await completePassed(done, token);

      const beforeAnyDue = [];
      for await (const item of store.listDue(at(119))) beforeAnyDue.push(item);
      const due = [];
      for await (const item of store.listDue(at(400))) due.push(item);

      expect(beforeAnyDue).toEqual([]);
      expect(due.map((item) => item.id).sort()).toEqual([stuck, ...pending].sort());
      expect(due.find((item) => item.id === stuck)).toMatchObject({
        status: 'PROCESSING',
        processingStartedAt: at(1),
      });
    });
  });

  describe('listByOwner', () => {
    it('pages through one owner’s submissions, newest first, never another owner’s', async () => {
      const ids: string[] = [];
      for (let second = 0; second < 5; second += 1) {
        const id = randomUUID();
        await store.create({ id, owner: 'alice', content: 'x', createdAt: at(second) }, at(999));
        ids.push(id);
      }
      await store.create({ id: randomUUID(), owner: 'bob', content: 'x', createdAt: at(10) }, at(999));

      const first = await store.listByOwner('alice', 2);
      const second = await store.listByOwner('alice', 2, first.nextCursor);
      const third = await store.listByOwner('alice', 2, second.nextCursor);

      expect([...first.items, ...second.items, ...third.items].map((item) => item.id)).toEqual(
        [...ids].reverse(),
      );
      expect(first.items[0]).not.toHaveProperty('content');
    });

    it('refuses a cursor issued for another owner', async () => {
      await store.create({ id: randomUUID(), owner: 'bob', content: 'x', createdAt: at(1) }, at(999));
      await store.create({ id: randomUUID(), owner: 'bob', content: 'x', createdAt: at(2) }, at(999));
      const bobs = await store.listByOwner('bob', 1);

      await expect(store.listByOwner('alice', 1, bobs.nextCursor)).rejects.toThrow(/cursor/);
    });
  });
});
