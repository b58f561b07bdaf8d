import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { contentHashOf } from '../../src/domain/content-hash';
import { InvalidCursorError } from '../../src/domain/errors';
import type { Submission, ValidationResult } from '../../src/domain/submission';
import type {
  ActiveSubmission,
  IdempotencyRecord,
  NewSubmission,
  StoredSubmission,
  SubmissionPage,
  SubmissionStore,
} from '../../src/ports/submission-store';

/** The reaper run a rescue is marked with (SubmissionStore.resetStuck, deferOrphan). */
const REAPER_RUN = 'reaper-run-1';

/** One empty store for one test, and how to clean up after it. */
export interface StoreUnderTest {
  store: SubmissionStore;
  destroy(): Promise<void>;
}

/** Makes a fresh, empty store for every test (a new table, a new map). */
export type SubmissionStoreHarness = () => Promise<StoreUnderTest>;

const T0 = '2026-01-01T00:00:00.000Z';
const at = (seconds: number) => new Date(Date.parse(T0) + seconds * 1000).toISOString();
/** Later than every reap time the tests write: everything non-terminal is due. */
const END_OF_TIME = at(10_000_000);
/** Epoch seconds a decision is kept until (the caller computes it from RETENTION_DAYS). */
const RETAIN_UNTIL = Math.floor(Date.parse(T0) / 1000) + 90 * 86_400;
const passed: ValidationResult = {
  verdict: 'PASSED',
  rules: [{ rule: 'minLength', passed: true, message: 'ok' }],
};

async function collect(items: AsyncIterable<ActiveSubmission>): Promise<ActiveSubmission[]> {
  const collected: ActiveSubmission[] = [];
  for await (const item of items) collected.push(item);
  return collected;
}

/**
 * The SubmissionStore port's contract: every adapter (DynamoDB on each emulator,
 * in memory) runs these same tests, so none can drift from the state machine in
 * docs/design.md ("State machine"). Everything is observed through the port; checks of one adapter's
 * storage layout belong beside that adapter's test.
 */
export function submissionStoreConformance(name: string, harness: SubmissionStoreHarness): void {
  describe(`SubmissionStore conformance: ${name}`, () => {
    let underTest: StoreUnderTest | undefined;
    let store: SubmissionStore;

    beforeEach(async () => {
      // A failed set-up must not make afterEach destroy the previous test's store twice.
      underTest = undefined;
      underTest = await harness();
      store = underTest.store;
    });
    afterEach(() => underTest?.destroy());

    async function created(id = randomUUID(), owner = 'alice') {
      expect(await store.create({ id, owner, content: 'hello 12345', createdAt: T0 }, at(120))).toBe(true);
      return id;
    }

    async function claimed(id: string, leaseToken: string = randomUUID(), now = at(1)) {
      const outcome = await store.claim({ id, leaseToken, now, leaseExpiresAt: at(301) });
      expect(outcome.claimed).toBe(true);
      return leaseToken;
    }

    /** Decides PASSED: the submission is terminal afterwards. */
    async function completePassed(id: string, leaseToken: string) {
      const outcome = await store.complete({
        id,
        leaseToken,
        now: at(2),
        decision: { status: 'PASSED', result: passed },
        expiresAt: RETAIN_UNTIL,
      });
      expect(outcome.written).toBe(true);
    }

    /** Ids the reaper would see if it ran at the end of time. */
    async function everDue() {
      return (await collect(store.listDue(END_OF_TIME))).map((item) => item.id);
    }

    describe('content of any size', () => {
      /** 64 KiB of UTF-8 with multi-byte characters: the largest content the API accepts. */
      const long = 'é€😀 line\n'.repeat(65_536 / 16).slice(0, 30_000);
      const sizes = { short: 'short 1', long, longest: 'x'.repeat(65_536) };

      it.each(Object.entries(sizes))(
        'keeps %s content whole through claim and decision; a status read never carries it',
        async (_size, content) => {
          // Prepare
          const id = randomUUID();
          await store.create({ id, owner: 'alice', content, createdAt: at(0) }, at(120));

          // Act
          const claim = await store.claim({ id, leaseToken: 'a', now: at(1), leaseExpiresAt: at(301) });
          await completePassed(id, 'a');
          const whole = await store.get(id);
          const status = await store.getWithoutContent(id);
          const listed = await store.listByOwner('alice', 10);

          // Assess
          expect(claim.claimed && claim.submission.content).toBe(content);
          expect(whole).toMatchObject({ id, status: 'PASSED', content });
          expect(status).toMatchObject({ id, status: 'PASSED' });
          expect(status).not.toHaveProperty('content');
          expect(listed.items).toEqual([expect.objectContaining({ id, status: 'PASSED' })]);
          expect(listed.items[0]).not.toHaveProperty('content');
        },
      );

      it('stores long content of a batch, and a retry of a create finds its own long content', async () => {
        // Prepare
        const [first, second] = [randomUUID(), randomUUID()];
        const submission = { id: first, owner: 'alice', content: sizes.longest, createdAt: at(0) };

        // Act
        const unstored = await store.createMany(
          [submission, { id: second, owner: 'alice', content: long, createdAt: at(1) }],
          at(120),
        );
        const retried = await store.create(submission, at(120));
        const other = await store.create({ ...submission, content: `${sizes.longest}!` }, at(120));

        // Assess
        expect(unstored).toEqual([]);
        expect(retried).toBe(true);
        expect(other).toBe(false);
        expect((await store.get(first))?.content).toBe(sizes.longest);
        expect((await store.get(second))?.content).toBe(long);
      });
    });

    describe('create', () => {
      it('stores a PENDING submission with zero attempts', async () => {
        // Prepare
        const id = await created();

        // Act
        const stored = await store.get(id);

        // Assess
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
        // Prepare
        const id = randomUUID();
        const submission = { id, owner: 'alice', content: 'hello 12345', createdAt: T0 };
        expect(await store.create(submission, at(120))).toBe(true);

        // Act
        const retry = await store.create(submission, at(120));

        // Assess
        expect(retry).toBe(true);
        const listed = await store.listByOwner('alice', 10);
        expect(listed.items.map((item) => item.id)).toEqual([id]);
        expect(await everDue()).toEqual([id]);
      });

      it('is refused when the id exists, leaving the first submission untouched', async () => {
        // Prepare
        const id = await created();

        // Act
        const again = await store.create({ id, owner: 'mallory', content: 'other', createdAt: at(5) }, at(9));

        // Assess
        expect(again).toBe(false);
        expect(await store.get(id)).toMatchObject({ owner: 'alice', content: 'hello 12345', createdAt: T0 });
        expect((await store.listByOwner('mallory', 10)).items).toEqual([]);
      });
    });

    describe('claim', () => {
      it('moves PENDING to PROCESSING with the token, a lease and attempts + 1, returning the item', async () => {
        // Prepare
        const id = await created();

        // Act
        const outcome = await store.claim({ id, leaseToken: 'token-1', now: at(1), leaseExpiresAt: at(301) });

        // Assess
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
        expect(outcome.claimed && outcome.submission).not.toHaveProperty('reapAt');
      });

      it('is refused while another lease is live', async () => {
        // Prepare
        const id = await created();
        await claimed(id, 'first');

        // Act
        const second = await store.claim({ id, leaseToken: 'second', now: at(300), leaseExpiresAt: at(600) });

        // Assess
        expect(second).toEqual({ claimed: false, reason: 'leased' });
        expect(await store.get(id)).toMatchObject({ leaseToken: 'first', attempts: 1 });
      });

      it('gives the lease back to a retry of the same claim (its first response was lost)', async () => {
        // Prepare
        const id = await created();
        await claimed(id, 'mine');

        // Act
        const retry = await store.claim({ id, leaseToken: 'mine', now: at(2), leaseExpiresAt: at(302) });

        // Assess
        expect(retry).toMatchObject({ claimed: true, submission: { leaseToken: 'mine', attempts: 1 } });
      });

      it('takes over a PROCESSING submission whose lease expired, with a new token', async () => {
        // Prepare
        const id = await created();
        await claimed(id, 'first');

        // Act
        const takeover = await store.claim({
          id,
          leaseToken: 'second',
          now: at(302),
          leaseExpiresAt: at(602),
        });

        // Assess
        expect(takeover).toMatchObject({ claimed: true, submission: { leaseToken: 'second', attempts: 2 } });
      });

      it('is refused once the submission is terminal', async () => {
        // Prepare
        const id = await created();
        const token = await claimed(id);
        await completePassed(id, token);

        // Act
        const late = await store.claim({ id, leaseToken: 'late', now: at(9999), leaseExpiresAt: at(99999) });

        // Assess
        expect(late).toEqual({ claimed: false, reason: 'terminal' });
      });

      it('is refused for an unknown id and creates nothing', async () => {
        // Prepare
        const id = randomUUID();

        // Act
        const outcome = await store.claim({ id, leaseToken: 't', now: at(1), leaseExpiresAt: at(2) });

        // Assess
        expect(outcome).toEqual({ claimed: false, reason: 'missing' });
        expect(await store.get(id)).toBeUndefined();
        expect(await everDue()).toEqual([]);
      });
    });

    describe('complete', () => {
      it('writes the verdict, clears the lease and leaves the active index', async () => {
        // Prepare
        const id = await created();
        const token = await claimed(id);

        // Act
        const outcome = await store.complete({
          id,
          leaseToken: token,
          now: at(2),
          decision: { status: 'PASSED', result: passed },
          expiresAt: RETAIN_UNTIL,
        });

        // Assess
        expect(outcome).toEqual({ written: true, status: 'PASSED' });
        const stored = await store.get(id);
        expect(stored).toMatchObject({
          status: 'PASSED',
          result: passed,
          completedAt: at(2),
          updatedAt: at(2),
          decidedBy: token,
        });
        expect(stored).not.toHaveProperty('leaseToken');
        expect(stored).not.toHaveProperty('leaseExpiresAt');
        expect(await everDue()).toEqual([]);
      });

      it('records a processing error distinct from a content verdict', async () => {
        // Prepare
        const id = await created();
        const token = await claimed(id);

        // Act
        await store.complete({
          id,
          leaseToken: token,
          now: at(2),
          decision: { status: 'FAILED', error: { code: 'PROCESSING_FAILED', message: 'boom' } },
          expiresAt: RETAIN_UNTIL,
        });

        // Assess
        const stored = await store.get(id);
        expect(stored).toMatchObject({ status: 'FAILED', error: { code: 'PROCESSING_FAILED' } });
        expect(stored).not.toHaveProperty('result');
      });

      it('is refused with a stale token (fenced)', async () => {
        // Prepare
        const id = await created();
        await claimed(id, 'current');

        // Act
        const outcome = await store.complete({
          id,
          leaseToken: 'stale',
          now: at(2),
          decision: { status: 'PASSED', result: passed },
          expiresAt: RETAIN_UNTIL,
        });

        // Assess
        expect(outcome).toEqual({ written: false });
        expect(await store.get(id)).toMatchObject({ status: 'PROCESSING', leaseToken: 'current' });
      });

      it('is refused when the submission is not PROCESSING', async () => {
        // Prepare
        const id = await created();

        // Act
        const outcome = await store.complete({
          id,
          leaseToken: 'any',
          now: at(2),
          decision: { status: 'PASSED', result: passed },
          expiresAt: RETAIN_UNTIL,
        });

        // Assess
        expect(outcome).toEqual({ written: false });
        expect(await store.get(id)).toMatchObject({ status: 'PENDING' });
      });

      it('never changes a terminal status (decided once)', async () => {
        // Prepare
        const id = await created();
        const token = await claimed(id);
        await completePassed(id, token);

        // Act
        const again = await store.complete({
          id,
          leaseToken: 'another-claim',
          now: at(3),
          decision: { status: 'FAILED', result: { verdict: 'FAILED', rules: [] } },
          expiresAt: RETAIN_UNTIL,
        });

        // Assess
        expect(again).toEqual({ written: false });
        expect(await store.get(id)).toMatchObject({ status: 'PASSED', completedAt: at(2), decidedBy: token });
      });

      it('tells the decider its write landed when its retry finds its own token (a lost response)', async () => {
        // Prepare
        const id = await created();
        const token = await claimed(id);
        await completePassed(id, token);

        // Act
        const retry = await store.complete({
          id,
          leaseToken: token,
          now: at(3),
          decision: { status: 'PASSED', result: passed },
          expiresAt: RETAIN_UNTIL,
        });

        // Assess
        expect(retry).toEqual({ written: true, status: 'PASSED' });
        expect(await store.get(id)).toMatchObject({ status: 'PASSED', completedAt: at(2) });
      });

      it('is refused for an unknown id and creates nothing', async () => {
        // Prepare
        const id = randomUUID();

        // Act
        const outcome = await store.complete({
          id,
          leaseToken: 't',
          now: at(2),
          decision: { status: 'PASSED', result: passed },
          expiresAt: RETAIN_UNTIL,
        });

        // Assess
        expect(outcome).toEqual({ written: false });
        expect(await store.get(id)).toBeUndefined();
        expect(await everDue()).toEqual([]);
      });
    });

    describe('release', () => {
      it('returns the submission to PENDING with the error noted and the lease cleared', async () => {
        // Prepare
        const id = await created();
        const token = await claimed(id);

        // Act
        const outcome = await store.release({
          id,
          leaseToken: token,
          now: at(2),
          reapAt: at(122),
          error: { code: 'PROCESSING_FAILED', message: 'boom' },
        });

        // Assess
        expect(outcome).toEqual({ written: true, status: 'PENDING' });
        const stored = await store.get(id);
        expect(stored).toMatchObject({
          status: 'PENDING',
          attempts: 1,
          updatedAt: at(2),
          lastError: { code: 'PROCESSING_FAILED' },
        });
        expect(stored).not.toHaveProperty('leaseToken');
        expect(stored).not.toHaveProperty('leaseExpiresAt');
        expect(
          (await store.claim({ id, leaseToken: 'next', now: at(3), leaseExpiresAt: at(303) })).claimed,
        ).toBe(true);
      });

      it("refuses every claim before the release's retry time, saying when, and allows one from it", async () => {
        // Prepare: released after an error, not to be retried before at(60)
        const id = await created();
        const token = await claimed(id);
        await store.release({
          id,
          leaseToken: token,
          now: at(2),
          notBefore: at(60),
          reapAt: at(180),
          error: { code: 'PROCESSING_FAILED', message: 'boom' },
        });

        // Act: two early copies of its message, then one on time
        const early = await store.claim({ id, leaseToken: 'early-1', now: at(3), leaseExpiresAt: at(303) });
        const justBefore = await store.claim({
          id,
          leaseToken: 'early-2',
          now: '2026-01-01T00:00:59.999Z',
          leaseExpiresAt: at(359),
        });
        const onTime = await store.claim({ id, leaseToken: 'on-time', now: at(60), leaseExpiresAt: at(360) });

        // Assess
        expect(early).toEqual({ claimed: false, reason: 'early', notBefore: at(60) });
        expect(justBefore).toEqual({ claimed: false, reason: 'early', notBefore: at(60) });
        expect(onTime.claimed).toBe(true);
        const stored = await store.get(id);
        expect(stored).toMatchObject({ status: 'PROCESSING', attempts: 2, leaseToken: 'on-time' });
        expect(stored).not.toHaveProperty('notBefore');
      });

      it('counts an interrupted release apart: no error noted, claimable at once, history says who stopped it', async () => {
        // Prepare
        const id = await created();
        const token = await claimed(id);

        // Act
        const outcome = await store.release({
          id,
          leaseToken: token,
          now: at(2),
          reapAt: at(122),
          interrupted: 'deadline',
        });
        const second = await claimed(id, 'second', at(3));
        await store.release({ id, leaseToken: second, now: at(4), reapAt: at(124), interrupted: 'shutdown' });

        // Assess
        expect(outcome).toEqual({ written: true, status: 'PENDING' });
        const stored = await store.get(id);
        expect(stored).toMatchObject({
          status: 'PENDING',
          attempts: 2,
          interruptions: 2,
          releasedBy: 'second',
        });
        expect(stored).not.toHaveProperty('lastError');
        expect(stored).not.toHaveProperty('notBefore');
        expect(stored?.history.slice(1)).toEqual([
          { event: 'claimed', at: at(1), leaseExpiresAt: at(301), attempt: 1 },
          { event: 'interrupted', at: at(2), by: 'deadline', attempt: 1 },
          { event: 'claimed', at: at(3), leaseExpiresAt: at(301), attempt: 2 },
          { event: 'interrupted', at: at(4), by: 'shutdown', attempt: 2 },
        ]);
      });

      it('tells the releaser its write landed when its retry finds its own token (a lost response)', async () => {
        // Prepare
        const id = await created();
        const token = await claimed(id);
        const release = {
          id,
          leaseToken: token,
          now: at(2),
          reapAt: at(122),
          error: { code: 'PROCESSING_FAILED' as const, message: 'boom' },
        };
        await store.release(release);

        // Act
        const retry = await store.release(release);

        // Assess
        expect(retry).toEqual({ written: true, status: 'PENDING' });
        expect(await store.get(id)).toMatchObject({ status: 'PENDING', attempts: 1, releasedBy: token });
      });

      it('is refused with a stale token', async () => {
        // Prepare
        const id = await created();
        await claimed(id, 'current');

        // Act
        const outcome = await store.release({
          id,
          leaseToken: 'stale',
          now: at(2),
          reapAt: at(122),
          error: { code: 'PROCESSING_FAILED', message: 'x' },
        });

        // Assess
        expect(outcome).toEqual({ written: false });
        expect(await store.get(id)).toMatchObject({ status: 'PROCESSING', leaseToken: 'current' });
      });

      it('is refused after completion', async () => {
        // Prepare
        const id = await created();
        const token = await claimed(id);
        await completePassed(id, token);

        // Act
        const outcome = await store.release({
          id,
          leaseToken: token,
          now: at(3),
          reapAt: at(123),
          error: { code: 'PROCESSING_FAILED', message: 'x' },
        });

        // Assess
        expect(outcome).toEqual({ written: false });
        expect(await store.get(id)).toMatchObject({ status: 'PASSED' });
      });

      it('is refused for an unknown id and creates nothing', async () => {
        // Prepare
        const id = randomUUID();

        // Act
        const outcome = await store.release({
          id,
          leaseToken: 't',
          now: at(2),
          reapAt: at(122),
          error: { code: 'PROCESSING_FAILED', message: 'x' },
        });

        // Assess
        expect(outcome).toEqual({ written: false });
        expect(await store.get(id)).toBeUndefined();
        expect(await everDue()).toEqual([]);
      });
    });

    describe('resetStuck', () => {
      it('resets PROCESSING that started before the cutoff, clearing the lease', async () => {
        // Prepare
        const id = await created();
        const token = await claimed(id, undefined, at(1));

        // Act
        const reset = await store.resetStuck(id, at(2), at(302), at(422), REAPER_RUN);

        // Assess
        expect(reset).toBe(true);
        const stored = await store.get(id);
        expect(stored).toMatchObject({ status: 'PENDING', updatedAt: at(302) });
        expect(stored).not.toHaveProperty('leaseToken');
        const zombie = await store.complete({
          id,
          leaseToken: token,
          now: at(303),
          decision: { status: 'PASSED', result: passed },
          expiresAt: RETAIN_UNTIL,
        });
        expect(zombie).toEqual({ written: false });
      });

      it('tells the reaper its reset landed when its retry finds its own mark (a lost response), and no other run', async () => {
        // Prepare
        const id = await created();
        await claimed(id, undefined, at(1));
        expect(await store.resetStuck(id, at(2), at(302), at(422), REAPER_RUN)).toBe(true);

        // Act
        const retry = await store.resetStuck(id, at(2), at(302), at(422), REAPER_RUN);
        const another = await store.resetStuck(id, at(2), at(302), at(422), 'another-reaper-run');

        // Assess
        expect([retry, another]).toEqual([true, false]);
        expect(await store.get(id)).toMatchObject({ status: 'PENDING', updatedAt: at(302) });
      });

      it('is refused when processing started at or after the cutoff', async () => {
        // Prepare
        const id = await created();
        await claimed(id, undefined, at(1));

        // Act
        const reset = await store.resetStuck(id, at(1), at(301), at(421), REAPER_RUN);

        // Assess
        expect(reset).toBe(false);
        expect(await store.get(id)).toMatchObject({ status: 'PROCESSING' });
      });

      it('is refused for PENDING and terminal submissions', async () => {
        // Prepare
        const pending = await created();
        const done = await created();
        const token = await claimed(done);
        await completePassed(done, token);

        // Act
        const resetPending = await store.resetStuck(pending, at(999), at(999), at(1999), REAPER_RUN);
        const resetDone = await store.resetStuck(done, at(999), at(999), at(1999), REAPER_RUN);

        // Assess
        expect(resetPending).toBe(false);
        expect(resetDone).toBe(false);
        expect(await store.get(pending)).toMatchObject({ status: 'PENDING', updatedAt: T0 });
        expect(await store.get(done)).toMatchObject({ status: 'PASSED' });
      });

      it('is refused for an unknown id and creates nothing', async () => {
        // Prepare
        const id = randomUUID();

        // Act
        const reset = await store.resetStuck(id, at(999), at(999), at(1999), REAPER_RUN);

        // Assess
        expect(reset).toBe(false);
        expect(await store.get(id)).toBeUndefined();
        expect(await everDue()).toEqual([]);
      });
    });

    describe('deferOrphan', () => {
      it('moves the reap time forward once: a second reaper with the same reading is refused', async () => {
        // Prepare
        const id = await created();

        // Act
        const first = await store.deferOrphan(id, at(120), at(240), REAPER_RUN);
        const second = await store.deferOrphan(id, at(120), at(240), 'another-reaper-run');

        // Assess
        expect(first).toBe(true);
        expect(second).toBe(false);
        expect(await collect(store.listDue(at(239)))).toEqual([]);
        expect(await collect(store.listDue(at(240)))).toMatchObject([{ id, reapAt: at(240) }]);
      });

      it('tells the reaper its deferral landed when its retry finds its own mark (a lost response)', async () => {
        // Prepare
        const id = await created();
        expect(await store.deferOrphan(id, at(120), at(240), REAPER_RUN)).toBe(true);

        // Act
        const retry = await store.deferOrphan(id, at(120), at(240), REAPER_RUN);

        // Assess
        expect(retry).toBe(true);
        expect(await store.get(id)).toMatchObject({ status: 'PENDING', orphanRequeues: 1 });
      });

      it('is refused once the submission was claimed', async () => {
        // Prepare
        const id = await created();
        await claimed(id);

        // Act
        const deferred = await store.deferOrphan(id, at(120), at(240), REAPER_RUN);

        // Assess
        expect(deferred).toBe(false);
      });

      it('is refused for an unknown id and creates nothing', async () => {
        // Prepare
        const id = randomUUID();

        // Act
        const deferred = await store.deferOrphan(id, at(120), at(240), REAPER_RUN);

        // Assess
        expect(deferred).toBe(false);
        expect(await store.get(id)).toBeUndefined();
        expect(await everDue()).toEqual([]);
      });
    });

    describe('dueAgain', () => {
      it('makes a PENDING submission due now when its reap time is the one seen', async () => {
        // Prepare: a rescue wrote reap time 240, then could not enqueue.
        const id = await created();
        await store.deferOrphan(id, at(120), at(240), REAPER_RUN);

        // Act
        const due = await store.dueAgain(id, at(240), at(130));

        // Assess
        expect(due).toBe(true);
        expect(await collect(store.listDue(at(130)))).toMatchObject([{ id, reapAt: at(130) }]);
      });

      it('is refused when the reap time moved on, or the submission was claimed', async () => {
        // Prepare
        const moved = await created();
        await store.deferOrphan(moved, at(120), at(240), REAPER_RUN);
        await store.deferOrphan(moved, at(240), at(480), 'another-reaper-run');
        const claimedOne = await created();
        await store.deferOrphan(claimedOne, at(120), at(240), REAPER_RUN);
        await claimed(claimedOne);

        // Act
        const outcomes = [
          await store.dueAgain(moved, at(240), at(130)),
          await store.dueAgain(claimedOne, at(240), at(130)),
        ];

        // Assess
        expect(outcomes).toEqual([false, false]);
        expect(await store.get(claimedOne)).toMatchObject({ status: 'PROCESSING' });
      });
    });

    describe('requeue (operator)', () => {
      it('ends a retry back-off: the submission may be claimed at once', async () => {
        // Prepare
        const id = await created();
        const token = await claimed(id);
        await store.release({
          id,
          leaseToken: token,
          now: at(2),
          notBefore: at(600),
          reapAt: at(720),
          error: { code: 'PROCESSING_FAILED', message: 'boom' },
        });

        // Act
        const requeued = await store.requeue({ id, now: at(3), reapAt: at(123) });

        // Assess
        expect(requeued).toEqual({ requeued: true, from: 'PENDING' });
        expect(
          (await store.claim({ id, leaseToken: 'now', now: at(4), leaseExpiresAt: at(304) })).claimed,
        ).toBe(true);
      });

      it('leaves a PENDING submission PENDING, moves its reap time and records it; twice is harmless', async () => {
        // Prepare
        const id = await created();

        // Act
        const first = await store.requeue({ id, now: at(10), reapAt: at(400) });
        const second = await store.requeue({ id, now: at(11), reapAt: at(401) });

        // Assess
        expect(first).toEqual({ requeued: true, from: 'PENDING' });
        expect(second).toEqual({ requeued: true, from: 'PENDING' });
        const stored = await store.get(id);
        expect(stored).toMatchObject({ status: 'PENDING', attempts: 0, updatedAt: T0 });
        expect(stored?.history).toEqual([
          { event: 'accepted', at: T0 },
          { event: 'requeued', at: at(10), from: 'PENDING' },
          { event: 'requeued', at: at(11), from: 'PENDING' },
        ]);
        expect(await collect(store.listDue(at(400)))).toEqual([]);
        expect(await collect(store.listDue(at(401)))).toMatchObject([{ id, status: 'PENDING' }]);
      });

      it('resets PROCESSING with an expired lease to PENDING: the old holder is fenced out', async () => {
        // Prepare
        const id = await created();
        const token = await claimed(id, 'old-holder', at(1));

        // Act
        const outcome = await store.requeue({ id, now: at(302), reapAt: at(422) });

        // Assess
        expect(outcome).toEqual({ requeued: true, from: 'PROCESSING' });
        const stored = await store.get(id);
        expect(stored).toMatchObject({ status: 'PENDING', attempts: 1, updatedAt: at(302) });
        expect(stored).not.toHaveProperty('leaseToken');
        expect(stored).not.toHaveProperty('leaseExpiresAt');
        expect(stored?.history.at(-1)).toEqual({ event: 'requeued', at: at(302), from: 'PROCESSING' });
        const zombie = await store.complete({
          id,
          leaseToken: token,
          now: at(303),
          decision: { status: 'PASSED', result: passed },
          expiresAt: RETAIN_UNTIL,
        });
        expect(zombie).toEqual({ written: false });
        expect(
          (await store.claim({ id, leaseToken: 'next', now: at(304), leaseExpiresAt: at(604) })).claimed,
        ).toBe(true);
      });

      it('refuses PROCESSING with a live lease, even at the very expiry instant, changing nothing', async () => {
        // Prepare
        const id = await created();
        await claimed(id, 'holder', at(1));
        const before = await store.get(id);

        // Act
        const live = await store.requeue({ id, now: at(100), reapAt: at(220) });
        const atExpiry = await store.requeue({ id, now: at(301), reapAt: at(421) });

        // Assess
        expect(live).toEqual({ requeued: false, reason: 'leased' });
        expect(atExpiry).toEqual({ requeued: false, reason: 'leased' });
        expect(await store.get(id)).toEqual(before);
      });

      it('refuses a decided submission, changing nothing', async () => {
        // Prepare
        const id = await created();
        await completePassed(id, await claimed(id));
        const before = await store.get(id);

        // Act
        const outcome = await store.requeue({ id, now: at(10), reapAt: at(130) });

        // Assess
        expect(outcome).toEqual({ requeued: false, reason: 'terminal' });
        expect(await store.get(id)).toEqual(before);
        expect(await everDue()).toEqual([]);
      });

      it('refuses an unknown id and creates nothing', async () => {
        // Prepare
        const id = randomUUID();

        // Act
        const outcome = await store.requeue({ id, now: at(10), reapAt: at(130) });

        // Assess
        expect(outcome).toEqual({ requeued: false, reason: 'missing' });
        expect(await store.get(id)).toBeUndefined();
        expect(await everDue()).toEqual([]);
      });
    });

    describe('history', () => {
      it('records every transition in order, with the attempt each claim, release and decision belongs to', async () => {
        // Prepare
        const id = await created();
        const first = await claimed(id, 'first', at(1));
        await store.release({
          id,
          leaseToken: first,
          now: at(2),
          reapAt: at(122),
          error: { code: 'PROCESSING_FAILED', message: 'rule timed out' },
        });
        const second = await claimed(id, 'second', at(3));

        // Act
        await store.complete({
          id,
          leaseToken: second,
          now: at(4),
          decision: { status: 'FAILED', error: { code: 'ATTEMPTS_EXHAUSTED', message: 'gave up' } },
          expiresAt: RETAIN_UNTIL,
        });

        // Assess
        expect((await store.get(id))?.history).toEqual([
          { event: 'accepted', at: T0 },
          { event: 'claimed', at: at(1), leaseExpiresAt: at(301), attempt: 1 },
          {
            event: 'released',
            at: at(2),
            error: { code: 'PROCESSING_FAILED', message: 'rule timed out' },
            attempt: 1,
          },
          { event: 'claimed', at: at(3), leaseExpiresAt: at(301), attempt: 2 },
          { event: 'decided', at: at(4), status: 'FAILED', errorCode: 'ATTEMPTS_EXHAUSTED', attempt: 2 },
        ]);
      });

      it('records a verdict without an error code, and returns the history from claim as well', async () => {
        // Prepare
        const id = await created();

        // Act
        const claim = await store.claim({ id, leaseToken: 'lease', now: at(1), leaseExpiresAt: at(301) });
        await completePassed(id, 'lease');

        // Assess
        expect(claim.claimed && (claim.submission as StoredSubmission).history).toEqual([
          { event: 'accepted', at: T0 },
          { event: 'claimed', at: at(1), leaseExpiresAt: at(301), attempt: 1 },
        ]);
        expect((await store.get(id))?.history.at(-1)).toEqual({
          event: 'decided',
          at: at(2),
          status: 'PASSED',
          attempt: 1,
        });
      });

      it('records a reaper reset, but only counts orphan re-enqueues (they may repeat)', async () => {
        // Prepare
        const id = await created();
        expect(await store.deferOrphan(id, at(120), at(240), REAPER_RUN)).toBe(true);
        expect(await store.deferOrphan(id, at(240), at(480), REAPER_RUN)).toBe(true);
        await claimed(id, 'stuck', at(500));

        // Act
        await store.resetStuck(id, at(501), at(800), at(920), REAPER_RUN);

        // Assess
        const stored = await store.get(id);
        expect(stored?.orphanRequeues).toBe(2);
        expect(stored?.history).toEqual([
          { event: 'accepted', at: T0 },
          { event: 'claimed', at: at(500), leaseExpiresAt: at(301), attempt: 1 },
          { event: 'reset', at: at(800), attempt: 1 },
        ]);
      });

      it('records nothing for a refused write', async () => {
        // Prepare
        const id = await created();
        await claimed(id, 'holder', at(1));
        const before = await store.get(id);

        // Act
        await store.claim({ id, leaseToken: 'rival', now: at(2), leaseExpiresAt: at(302) });
        await store.release({
          id,
          leaseToken: 'stale',
          now: at(2),
          reapAt: at(122),
          error: { code: 'PROCESSING_FAILED', message: 'x' },
        });
        await store.complete({
          id,
          leaseToken: 'stale',
          now: at(2),
          decision: { status: 'PASSED', result: passed },
          expiresAt: RETAIN_UNTIL,
        });
        await store.resetStuck(id, at(1), at(2), at(122), REAPER_RUN);
        await store.deferOrphan(id, at(120), at(240), REAPER_RUN);
        await store.requeue({ id, now: at(2), reapAt: at(122) });

        // Assess
        expect(await store.get(id)).toEqual(before);
        expect(before?.history).toHaveLength(2);
      });

      it('starts every batch-created submission with its acceptance', async () => {
        // Prepare
        const submissions = [randomUUID(), randomUUID()].map((id, index) => ({
          id,
          owner: 'alice',
          content: `item ${index}`,
          createdAt: at(index),
        }));

        // Act
        await store.createMany(submissions, at(120));

        // Assess
        for (const [index, submission] of submissions.entries()) {
          expect((await store.get(submission.id))?.history).toEqual([{ event: 'accepted', at: at(index) }]);
        }
      });

      it('keeps the history out of listings', async () => {
        // Prepare
        const done = await created();
        await completePassed(done, await claimed(done));
        await claimed(await created());

        // Act
        const { items } = await store.listByOwner('alice', 10);

        // Assess
        expect(items).toHaveLength(2);
        for (const item of items) expect(item).not.toHaveProperty('history');
      });
    });

    describe('retention (expiresAt)', () => {
      it('is set by the decision only: no other transition writes it', async () => {
        // Prepare
        const id = await created();
        const withoutExpiry = async () => expect(await store.get(id)).not.toHaveProperty('expiresAt');
        await withoutExpiry();
        const first = await claimed(id, 'first', at(1));
        await withoutExpiry();
        await store.release({
          id,
          leaseToken: first,
          now: at(2),
          reapAt: at(122),
          error: { code: 'PROCESSING_FAILED', message: 'x' },
        });
        await withoutExpiry();
        await store.requeue({ id, now: at(3), reapAt: at(123) });
        await withoutExpiry();
        await store.deferOrphan(id, at(123), at(243), REAPER_RUN);
        await withoutExpiry();
        await claimed(id, 'second', at(4));
        await store.resetStuck(id, at(5), at(305), at(425), REAPER_RUN);
        await withoutExpiry();
        await claimed(id, 'third', at(306));
        await store.requeue({ id, now: at(302 + 306), reapAt: at(722) });
        await withoutExpiry();
        const last = await claimed(id, 'fourth', at(700));
        await withoutExpiry();

        // Act
        await store.complete({
          id,
          leaseToken: last,
          now: at(701),
          decision: { status: 'PASSED', result: passed },
          expiresAt: RETAIN_UNTIL,
        });

        // Assess
        expect(await store.get(id)).toMatchObject({ status: 'PASSED', expiresAt: RETAIN_UNTIL });
        expect((await store.get(id))?.history.map((entry) => entry.event)).toEqual([
          'accepted',
          'claimed',
          'released',
          'requeued',
          'claimed',
          'reset',
          'claimed',
          'requeued',
          'claimed',
          'decided',
        ]);
      });

      it('keeps the first decision’s expiry when a later complete is refused', async () => {
        // Prepare
        const id = await created();
        const token = await claimed(id);
        await completePassed(id, token);

        // Act
        await store.complete({
          id,
          leaseToken: 'late',
          now: at(9),
          decision: { status: 'FAILED', error: { code: 'PROCESSING_FAILED', message: 'x' } },
          expiresAt: RETAIN_UNTIL + 999,
        });

        // Assess
        expect(await store.get(id)).toMatchObject({ status: 'PASSED', expiresAt: RETAIN_UNTIL });
      });
    });

    describe('listDue (sparse index)', () => {
      it('returns only non-terminal submissions whose reap time has come, across shards', async () => {
        // Prepare
        const ids = await Promise.all(Array.from({ length: 12 }, () => created()));
        const [stuck, done, ...pending] = ids as [string, string, ...string[]];
        await claimed(stuck, 'a', at(1));
        const token = await claimed(done, 'b', at(1));
        await completePassed(done, token);

        // Act
        const beforeAnyDue = await collect(store.listDue(at(119)));
        const due = await collect(store.listDue(at(400)));

        // Assess
        expect(beforeAnyDue).toEqual([]);
        expect(due.map((item) => item.id).sort()).toEqual([stuck, ...pending].sort());
        // A claim leaves the reap time as it was: the reaper reads the claimed item then, and
        // resets it only once it has been PROCESSING for STUCK_AFTER.
        expect(due.find((item) => item.id === stuck)).toMatchObject({
          status: 'PROCESSING',
          reapAt: at(120),
          processingStartedAt: at(1),
        });
        expect(due.find((item) => item.id === pending[0])).toMatchObject({
          status: 'PENDING',
          reapAt: at(120),
        });
      });

      it('follows each transition’s reap time: a claim keeps it, a release and a reset set it', async () => {
        // Prepare
        const [leased, released, reset] = await Promise.all([created(), created(), created()]);
        await claimed(leased, 'a', at(1));
        const releasedToken = await claimed(released, 'b', at(1));
        await claimed(reset, 'c', at(1));

        // Act
        await store.release({
          id: released,
          leaseToken: releasedToken,
          now: at(2),
          reapAt: at(500),
          error: { code: 'PROCESSING_FAILED', message: 'x' },
        });
        await store.resetStuck(reset, at(2), at(302), at(700), REAPER_RUN);

        // Assess
        const dueAt = async (seconds: number) =>
          (await collect(store.listDue(at(seconds)))).map((item) => item.id).sort();
        expect(await dueAt(119)).toEqual([]);
        expect(await dueAt(120)).toEqual([leased]);
        expect(await dueAt(500)).toEqual([leased, released].sort());
        expect(await dueAt(700)).toEqual([leased, released, reset].sort());
        expect(await collect(store.listDue(at(700)))).toContainEqual(
          expect.objectContaining({ id: released, status: 'PENDING', reapAt: at(500) }),
        );
      });
    });

    describe('listByOwner', () => {
      it('pages through one owner’s submissions, newest first, never another owner’s', async () => {
        // Prepare
        const ids: string[] = [];
        for (let second = 0; second < 5; second += 1) {
          const id = randomUUID();
          await store.create({ id, owner: 'alice', content: 'x', createdAt: at(second) }, at(999));
          ids.push(id);
        }
        await store.create({ id: randomUUID(), owner: 'bob', content: 'x', createdAt: at(10) }, at(999));

        // Act
        const first = await store.listByOwner('alice', 2);
        const second = await store.listByOwner('alice', 2, first.nextCursor);
        const third = await store.listByOwner('alice', 2, second.nextCursor);

        // Assess
        expect(first.items).toHaveLength(2);
        expect(second.items).toHaveLength(2);
        expect([...first.items, ...second.items, ...third.items].map((item) => item.id)).toEqual(
          [...ids].reverse(),
        );
        // A page that ends the listing early says so; one that is exactly full may
        // still carry a cursor (DynamoDB cannot know), so only the short page is checked.
        expect(third.nextCursor).toBeUndefined();
        expect(first.items[0]).not.toHaveProperty('content');
      });

      it('lists summaries: the status and outcome, not the content or the lease', async () => {
        // Prepare
        const processing = await created();
        await claimed(processing, 'lease-1');
        const done = await created();
        const token = await claimed(done, 'lease-2');
        await completePassed(done, token);

        // Act
        const { items } = await store.listByOwner('alice', 10);

        // Assess
        const byId = new Map(items.map((item) => [item.id, item]));
        expect(byId.get(processing)).toMatchObject({
          owner: 'alice',
          status: 'PROCESSING',
          attempts: 1,
          createdAt: T0,
          updatedAt: at(1),
          processingStartedAt: at(1),
        });
        expect(byId.get(done)).toMatchObject({ status: 'PASSED', result: passed, completedAt: at(2) });
        for (const item of items) {
          for (const hidden of ['content', 'leaseToken', 'leaseExpiresAt', 'decidedBy', 'reapAt']) {
            expect(item).not.toHaveProperty(hidden);
          }
        }
      });

      it('lists nothing for an owner without submissions', async () => {
        // Prepare
        await created(undefined, 'bob');

        // Act
        const page = await store.listByOwner('alice', 10);

        // Assess
        expect(page.items).toEqual([]);
        expect(page.nextCursor).toBeUndefined();
      });

      it('refuses a page size below 1, as DynamoDB refuses such a Limit', async () => {
        // Prepare
        await created();

        // Act
        const listing = store.listByOwner('alice', 0);

        // Assess
        await expect(listing).rejects.toThrow();
      });

      it('refuses a cursor issued for another owner', async () => {
        // Prepare
        await store.create({ id: randomUUID(), owner: 'bob', content: 'x', createdAt: at(1) }, at(999));
        await store.create({ id: randomUUID(), owner: 'bob', content: 'x', createdAt: at(2) }, at(999));
        await store.create({ id: randomUUID(), owner: 'alice', content: 'x', createdAt: at(3) }, at(999));
        const bobs = await store.listByOwner('bob', 1);
        expect(bobs.nextCursor).toBeDefined();

        // Act
        const listing = store.listByOwner('alice', 1, bobs.nextCursor);

        // Assess
        await expect(listing).rejects.toThrow(InvalidCursorError);
      });

      it('refuses a cursor it did not issue', async () => {
        // Prepare
        await created();

        // Act
        const listing = store.listByOwner('alice', 1, 'not-a-cursor');

        // Assess
        await expect(listing).rejects.toThrow(InvalidCursorError);
      });

      it('filters by status: following nextCursor reaches every match and nothing else', async () => {
        // Prepare: seven of alice's submissions, a second apart; three PASSED, one PROCESSING, three PENDING.
        const ids: string[] = [];
        for (let second = 0; second < 7; second += 1) {
          const id = randomUUID();
          await store.create({ id, owner: 'alice', content: 'x', createdAt: at(second) }, at(999));
          ids.push(id);
        }
        await store.create({ id: randomUUID(), owner: 'bob', content: 'x', createdAt: at(3) }, at(999));
        const passedIds = [ids[0], ids[3], ids[6]] as string[];
        for (const id of passedIds) await completePassed(id, await claimed(id));
        await claimed(ids[4] as string);

        // Act
        const pages = await allPages('alice', 2, 'PASSED');
        const pending = await allPages('alice', 2, 'PENDING');

        // Assess
        const listed = pages.flatMap((page) => page.items);
        expect(listed.map((item) => item.id)).toEqual([...passedIds].reverse());
        expect(listed.every((item) => item.status === 'PASSED')).toBe(true);
        expect(pages.every((page) => page.items.length <= 2)).toBe(true);
        expect(pending.flatMap((page) => page.items.map((item) => item.id))).toEqual(
          [ids[1], ids[2], ids[5]].reverse(),
        );
      });

      it('filters by a status nobody has: no items, on any page', async () => {
        // Prepare
        await created();
        await created();

        // Act
        const pages = await allPages('alice', 1, 'FAILED');

        // Assess
        expect(pages.flatMap((page) => page.items)).toEqual([]);
      });
    });

    /** Every page of an owner's listing, following nextCursor (bounded, in case a store never stops). */
    async function allPages(owner: string, limit: number, status?: Submission['status']) {
      const pages: SubmissionPage[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.listByOwner(owner, limit, cursor, status);
        pages.push(page);
        cursor = page.nextCursor;
      } while (cursor && pages.length < 100);
      expect(cursor).toBeUndefined();
      return pages;
    }

    describe('createMany', () => {
      const batch = (count: number, owner = 'alice'): NewSubmission[] =>
        Array.from({ length: count }, (_, index) => ({
          id: randomUUID(),
          owner,
          content: `item ${index}`,
          createdAt: at(index),
        }));

      it('stores every submission PENDING with zero attempts, more than one BatchWriteItem’s worth', async () => {
        // Prepare
        const submissions = batch(27);

        // Act
        await store.createMany(submissions, at(120));

        // Assess
        const stored = await Promise.all(submissions.map((submission) => store.get(submission.id)));
        expect(stored).toEqual(
          submissions.map((submission) =>
            expect.objectContaining({
              ...submission,
              status: 'PENDING',
              attempts: 0,
              updatedAt: submission.createdAt,
            }),
          ),
        );
        for (const item of stored) expect(item).not.toHaveProperty('reapAt');
      });

      it('makes them due for the reaper at reapAt, not before', async () => {
        // Prepare
        const submissions = batch(5);

        // Act
        await store.createMany(submissions, at(120));

        // Assess
        expect(await collect(store.listDue(at(119)))).toEqual([]);
        const due = await collect(store.listDue(at(120)));
        expect(due.map((item) => item.id).sort()).toEqual(
          submissions.map((submission) => submission.id).sort(),
        );
        expect(due.every((item) => item.status === 'PENDING' && item.reapAt === at(120))).toBe(true);
      });

      it('lists them by owner, newest first, and each can be claimed', async () => {
        // Prepare
        const submissions = batch(4);
        await store.create({ id: randomUUID(), owner: 'bob', content: 'x', createdAt: at(2) }, at(120));

        // Act
        await store.createMany(submissions, at(120));

        // Assess
        const { items } = await store.listByOwner('alice', 10);
        expect(items.map((item) => item.id)).toEqual(
          submissions.map((submission) => submission.id).reverse(),
        );
        const [first] = submissions as [NewSubmission];
        expect(
          (await store.claim({ id: first.id, leaseToken: 't', now: at(5), leaseExpiresAt: at(305) })).claimed,
        ).toBe(true);
      });
    });

    describe('reserveIdempotencyKey', () => {
      const record = (overrides: Partial<IdempotencyRecord> = {}): IdempotencyRecord => ({
        keyHash: `key-${randomUUID()}`,
        submissionId: randomUUID(),
        requestHash: 'body-hash-1',
        createdAt: T0,
        expiresAt: 1_000,
        ...overrides,
      });

      it('returns the proposal when the key is new', async () => {
        // Prepare
        const proposal = record();

        // Act
        const live = await store.reserveIdempotencyKey(proposal, 500);

        // Assess
        expect(live).toEqual(proposal);
      });

      it('returns the first record unchanged to a second proposal for the same key, even at expiresAt', async () => {
        // Prepare
        const first = record();
        await store.reserveIdempotencyKey(first, 500);
        const second = record({
          keyHash: first.keyHash,
          requestHash: 'body-hash-2',
          createdAt: at(5),
          expiresAt: 2_000,
        });

        // Act
        const during = await store.reserveIdempotencyKey(second, 600);
        const atExpiry = await store.reserveIdempotencyKey(second, first.expiresAt);

        // Assess
        expect(during).toEqual(first);
        expect(atExpiry).toEqual(first);
      });

      it('lets a new proposal win once the record has expired (expiresAt < now)', async () => {
        // Prepare
        const first = record();
        await store.reserveIdempotencyKey(first, 500);
        const later = record({ keyHash: first.keyHash, createdAt: at(2_000), expiresAt: 3_000 });

        // Act
        const live = await store.reserveIdempotencyKey(later, first.expiresAt + 1);
        const after = await store.reserveIdempotencyKey(record({ keyHash: first.keyHash }), 1_500);

        // Assess
        expect(live).toEqual(later);
        expect(after).toEqual(later);
      });

      it('keeps different keys independent', async () => {
        // Prepare
        const one = record();
        const other = record();

        // Act
        const [first, second] = await Promise.all([
          store.reserveIdempotencyKey(one, 500),
          store.reserveIdempotencyKey(other, 500),
        ]);

        // Assess
        expect(first).toEqual(one);
        expect(second).toEqual(other);
      });

      it('lets exactly one of two concurrent proposals for one key win', async () => {
        // Prepare
        const keyHash = `key-${randomUUID()}`;
        const proposals = [record({ keyHash }), record({ keyHash, requestHash: 'body-hash-2' })];

        // Act
        const answers = await Promise.all(
          proposals.map((proposal) => store.reserveIdempotencyKey(proposal, 500)),
        );

        // Assess
        expect(answers[0]).toEqual(answers[1]);
        expect(proposals).toContainEqual(answers[0]);
      });

      it('never shows a record as a submission: not in get, listDue or listByOwner', async () => {
        // Prepare
        const reserved = record();

        // Act
        await store.reserveIdempotencyKey(reserved, 500);

        // Assess
        expect(await store.get(reserved.submissionId)).toBeUndefined();
        expect(await everDue()).toEqual([]);
        expect((await store.listByOwner('alice', 10)).items).toEqual([]);
      });
    });
    describe('findEarlierDecision (ByContent index)', () => {
      const content = 'same content 42';
      const hash = contentHashOf('alice', content);

      async function submitted(createdAt: string, options: { owner?: string; body?: string } = {}) {
        const id = randomUUID();
        const submission = {
          id,
          owner: options.owner ?? 'alice',
          content: options.body ?? content,
          createdAt,
        };
        expect(await store.create(submission, at(120))).toBe(true);
        return id;
      }

      /** Decided under a rule set with a `duplicate` rule (`indexed`), which indexes the decision by content. */
      async function decided(
        id: string,
        result: ValidationResult = passed,
        { indexed = true }: { indexed?: boolean } = {},
      ) {
        const leaseToken = await claimed(id);
        const { owner, content: body } = (await store.get(id))!;
        const outcome = await store.complete({
          id,
          leaseToken,
          now: at(2),
          decision: { status: result.verdict, result },
          expiresAt: RETAIN_UNTIL,
          ...(indexed ? { contentHash: contentHashOf(owner, body) } : {}),
        });
        expect(outcome.written).toBe(true);
      }

      it('returns the latest decided submission of identical content created before the given time', async () => {
        // Prepare
        const failed: ValidationResult = { ...passed, verdict: 'FAILED' };
        await decided(await submitted(at(10)));
        const latest = await submitted(at(20));
        await decided(latest, failed);
        await decided(await submitted(at(30))); // not before
        await submitted(at(25)); // still PENDING: no decision

        // Act
        const earlier = await store.findEarlierDecision(hash, at(30));

        // Assess
        expect(earlier).toEqual({ id: latest, result: failed });
      });

      it('skips processing errors, other owners and other content', async () => {
        // Prepare
        const decidedOne = await submitted(at(10));
        await decided(decidedOne);
        const errored = await submitted(at(20));
        const leaseToken = await claimed(errored);
        await store.complete({
          id: errored,
          leaseToken,
          now: at(2),
          decision: { status: 'FAILED', error: { code: 'ATTEMPTS_EXHAUSTED', message: 'gave up' } },
          expiresAt: RETAIN_UNTIL,
          contentHash: hash,
        });
        await decided(await submitted(at(21), { owner: 'bob' }));
        await decided(await submitted(at(22), { body: 'other content 42' }));

        // Act
        const earlier = await store.findEarlierDecision(hash, at(100));

        // Assess
        expect(earlier).toEqual({ id: decidedOne, result: passed });
      });

      it('never finds a decision made without a `duplicate` rule: it was not indexed by content', async () => {
        // Prepare
        await decided(await submitted(at(10)), passed, { indexed: false });

        // Act
        const earlier = await store.findEarlierDecision(hash, at(100));

        // Assess
        expect(earlier).toBeUndefined();
      });

      it('returns undefined when nothing identical was decided before, and keeps the hash out of reads', async () => {
        // Prepare
        const id = await submitted(at(10));

        // Act
        const earlier = await store.findEarlierDecision(hash, at(100));

        // Assess
        expect(earlier).toBeUndefined();
        expect(await store.get(id)).not.toHaveProperty('contentHash');
      });
    });
  });
}
