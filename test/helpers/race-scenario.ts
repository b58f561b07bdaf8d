import fc from 'fast-check';
import { processBatch } from '../../src/application/process-batch';
import { Reaper } from '../../src/application/reaper-sweep';
import {
  type ProcessOutcome,
  SubmissionProcessor,
  type SubmissionProcessorOptions,
} from '../../src/application/submission-processor';
import { SubmissionService } from '../../src/application/submissions';
import { loadConfig } from '../../src/config/env';
import type { RuleSet } from '../../src/domain/rules';
import { isTerminal, type Submission, type TerminalStatus } from '../../src/domain/submission';
import { describeError, type Logger } from '../../src/ports/logger';
import { encodeSubmissionMessage } from '../../src/ports/submission-message';
import type { SubmissionQueue } from '../../src/ports/submission-queue';
import type { SubmissionStore } from '../../src/ports/submission-store';
import { defaultRuleSet } from '../../src/rules/default-rule-set';
import { ManualClock } from './manual-clock';
import { CheckedSubmissionStore, type StoreEvent } from './race-checked-store';
import { RecordingQueue, scheduledQueue, scheduledStore } from './race-scheduled-ports';

/** The service's defaults: MAX_ATTEMPTS 3, RETRY_BACKOFF 30 s, STUCK_AFTER 5 min, ORPHAN_AFTER 4 min. */
const config = loadConfig({ TABLE_NAME: 'race-exploration', QUEUE_URL: 'http://localhost/race-exploration' });
const SUBMISSION_ID = '7d0c1a52-3a8e-4c1e-9f5b-2b6f0e7a9c41';
const DELIVERIES = ['worker-1', 'worker-2', 'duplicate'] as const;
/** Reaper runs (each after the clock passes every threshold) before "not lost" gives up. */
const MAX_DRAIN_ROUNDS = 10;
const MAX_BATCHES_PER_ROUND = 20;

const silentLogger: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

export interface RaceInput {
  content: string;
  /** The rule set's first evaluation throws (a dependency blip), exercising release and redelivery. */
  transientRuleFailure: boolean;
}

export const raceInputs: fc.Arbitrary<RaceInput> = fc.record({
  content: fc.oneof(
    fc.constantFrom(
      'abcdefghi1',
      '1234567890',
      '😀😀😀😀😀😀😀😀😀7',
      'abc1',
      'abcdefghij',
      '٣٣٣٣٣٣٣٣٣٣',
      '',
    ),
    fc.string({ maxLength: 14 }),
  ),
  transientRuleFailure: fc.boolean(),
});

/** The origin's rule restated apart from src/rules/default-rule-set.json: ≥ 10 code points and an ASCII digit. */
export function expectedVerdict(content: string): TerminalStatus {
  return [...content].length >= 10 && /[0-9]/.test(content) ? 'PASSED' : 'FAILED';
}

export interface RaceObservation {
  problems: string[];
  final: Submission | undefined;
  events: StoreEvent[];
  outcomes: ProcessOutcome[];
  /** What happened in this schedule, for the exploration's coverage counts. */
  features: string[];
}

/** A processor that also records each outcome, so the test can count the 'decided' ones. */
class RecordingProcessor extends SubmissionProcessor {
  readonly #outcomes: ProcessOutcome[];

  constructor(options: SubmissionProcessorOptions, outcomes: ProcessOutcome[]) {
    super(options);
    this.#outcomes = outcomes;
  }

  override async process(id: string, signal?: AbortSignal): Promise<ProcessOutcome> {
    const outcome = await super.process(id, signal);
    this.#outcomes.push(outcome);
    return outcome;
  }
}

function failingOnce(ruleSet: RuleSet): RuleSet {
  let failed = false;
  return {
    id: ruleSet.id,
    async evaluate(content) {
      if (!failed) {
        failed = true;
        throw new Error('rule dependency unavailable (injected, once)');
      }
      return ruleSet.evaluate(content);
    },
  };
}

/**
 * One schedule: a submission is accepted, then five actors start at points the
 * scheduler picks and interleave their atomic store steps — two workers and a
 * duplicate delivery of its message, the clock passing STUCK_AFTER, one reaper
 * run. Afterwards the pipeline is driven to quiescence and the invariants checked.
 */
export async function exploreRace(
  s: fc.Scheduler,
  input: RaceInput,
  makeStore: () => SubmissionStore,
): Promise<RaceObservation> {
  const clock = new ManualClock();
  const store = new CheckedSubmissionStore(makeStore());
  const queue = new RecordingQueue();
  const outcomes: ProcessOutcome[] = [];
  const ruleSet = input.transientRuleFailure ? failingOnce(defaultRuleSet()) : defaultRuleSet();
  let leases = 0;
  const processorOver = (actorStore: SubmissionStore) =>
    new RecordingProcessor(
      {
        store: actorStore,
        ruleSet,
        clock,
        maxAttempts: config.MAX_ATTEMPTS,
        retryBackoffMs: config.RETRY_BACKOFF_MS,
        maxInterruptions: config.MAX_INTERRUPTIONS,
        stuckAfterMs: config.STUCK_AFTER_MS,
        orphanAfterMs: config.ORPHAN_AFTER_MS,
        newLeaseToken: () => `lease-${++leases}`,
      },
      outcomes,
    );
  const reaperOver = (reaperStore: SubmissionStore, reaperQueue: SubmissionQueue) =>
    new Reaper({
      store: reaperStore,
      queue: reaperQueue,
      clock,
      stuckAfterMs: config.STUCK_AFTER_MS,
      orphanAfterMs: config.ORPHAN_AFTER_MS,
      logger: silentLogger,
    });

  // Accepted (the API's 202): stored PENDING, message sent. The race's deliveries are of that message.
  await new SubmissionService({
    store,
    queue,
    clock,
    orphanAfterMs: config.ORPHAN_AFTER_MS,
    newId: () => SUBMISSION_ID,
  }).acceptSubmission('race-owner', input.content);
  queue.takeUndelivered();

  const startsAt = <T>(label: string, act: () => T | Promise<T>) =>
    s.schedule(Promise.resolve(), label).then(act);
  const deliveries = DELIVERIES.map((actor) =>
    startsAt(`${actor} receives the message`, () =>
      processorOver(scheduledStore(store, s, actor)).process(SUBMISSION_ID),
    ),
  );
  const others = [
    startsAt('clock passes STUCK_AFTER', () => clock.advance(config.STUCK_AFTER_MS + 1)),
    startsAt('reaper starts', () =>
      reaperOver(
        scheduledStore(store, s, 'reaper'),
        scheduledQueue(queue, s, 'reaper'),
      ).resetStuckAndRequeueOrphans(),
    ),
  ];
  const [delivered, [expired, reaped]] = await s.waitFor(
    Promise.all([Promise.allSettled(deliveries), Promise.allSettled(others)]),
  );

  const problems: string[] = [];
  if (s.count() > 0) problems.push(`scheduler: ${s.count()} scheduled steps never ran`);
  const redeliveries: string[] = [];
  delivered.forEach((result, index) => {
    // SQS brings a message back when its processing asked for a retry, came before the
    // retry back-off ended, or threw.
    if (result.status === 'rejected') {
      problems.push(`${DELIVERIES[index]} threw: ${describeError(result.reason)}`);
      redeliveries.push(SUBMISSION_ID);
    } else if (['retry', 'early', 'interrupted'].includes(result.value.outcome)) {
      redeliveries.push(SUBMISSION_ID);
    }
  });
  for (const [actor, result] of [
    ['clock', expired],
    ['reaper', reaped],
  ] as const) {
    if (result?.status === 'rejected') problems.push(`${actor} threw: ${describeError(result.reason)}`);
  }
  const afterRace = await store.get(SUBMISSION_ID);

  const { final, rounds } = await driveToQuiescence({
    processor: processorOver(store),
    reaper: reaperOver(store, queue),
    store,
    queue,
    clock,
    pending: redeliveries,
  });

  // 1. No loss.
  if (!final || !isTerminal(final.status)) {
    problems.push(
      `no loss: still ${final?.status ?? 'missing'} after ${rounds} rounds of delivery and reaping`,
    );
  }
  // 2. Decided once (the store's checks add any change to a decision) and 3. fenced.
  problems.push(...store.violations);
  const writes = store.terminalWrites;
  if (writes.length !== 1) {
    problems.push(
      `decided once: ${writes.length} terminal writes (${writes.map((write) => write.leaseToken).join(', ')})`,
    );
  }
  const decided = outcomes.filter((outcome) => outcome.outcome === 'decided');
  if (decided.length !== 1) {
    problems.push(`decided once: ${decided.length} process() calls reported 'decided'`);
  }
  // 4. Correct: the rule set's verdict. The one exception is the design's own: after a
  // processing error the submission may be finalised FAILED once MAX_ATTEMPTS claims are
  // used up. Claims that lost their lease count as attempts too, so with the injected
  // error some schedules legitimately end there (counted as 'gave up after MAX_ATTEMPTS').
  const expected = expectedVerdict(input.content);
  const gaveUp = final?.error !== undefined && final.attempts >= config.MAX_ATTEMPTS;
  if (final && isTerminal(final.status) && !gaveUp) {
    if (final.status !== expected || final.result?.verdict !== expected || final.error) {
      problems.push(
        `correct: ${final.status} (result ${final.result?.verdict}, error ${final.error?.code}) ` +
          `but the content's verdict is ${expected}`,
      );
    }
  }
  if (gaveUp && !input.transientRuleFailure)
    problems.push(`correct: gave up (${final?.error?.code}) with no error`);
  for (const outcome of decided) {
    if (outcome.outcome === 'decided' && outcome.status !== final?.status) {
      problems.push(`correct: a process() call reported ${outcome.status}, the store holds ${final?.status}`);
    }
  }

  return {
    problems,
    final,
    events: store.events,
    outcomes,
    features: featuresOf(store.events, afterRace, gaveUp),
  };
}

interface Pipeline {
  processor: SubmissionProcessor;
  reaper: Reaper;
  store: SubmissionStore;
  queue: RecordingQueue;
  clock: ManualClock;
  /** Messages already due for (re)delivery. */
  pending: string[];
}

/**
 * Delivers every message the queue received, one at a time through the real
 * batch driver (a message asked back is delivered again); when none is left and
 * the submission is not terminal, lets time pass every threshold and runs the
 * reaper; repeats until the submission is terminal or the rounds run out.
 */
async function driveToQuiescence({ processor, reaper, store, queue, clock, pending }: Pipeline) {
  let due = [...pending, ...queue.takeUndelivered()];
  for (let round = 1; round <= MAX_DRAIN_ROUNDS; round += 1) {
    for (let batch = 0; due.length > 0 && batch < MAX_BATCHES_PER_ROUND; batch += 1) {
      const records = due.map((id, index) => ({
        messageId: `${round}.${batch}.${index}`,
        body: encodeSubmissionMessage(id),
      }));
      const comeBack = new Set(await processBatch(processor, records, silentLogger, { concurrency: 1 }));
      due = [
        ...due.filter((_id, index) => comeBack.has(records[index]!.messageId)),
        ...queue.takeUndelivered(),
      ];
    }
    const item = await store.get(SUBMISSION_ID);
    if (item && isTerminal(item.status)) return { final: item, rounds: round };
    clock.advance(Math.max(config.STUCK_AFTER_MS, config.ORPHAN_AFTER_MS) + 1);
    await reaper.resetStuckAndRequeueOrphans();
    due.push(...queue.takeUndelivered());
  }
  return { final: await store.get(SUBMISSION_ID), rounds: MAX_DRAIN_ROUNDS };
}

function featuresOf(events: StoreEvent[], afterRace: Submission | undefined, gaveUp: boolean): string[] {
  const features = new Set<string>();
  for (const { operation, accepted, before, leaseToken } of events) {
    if (
      operation === 'claim' &&
      accepted &&
      before?.status === 'PROCESSING' &&
      before.leaseToken !== leaseToken
    ) {
      features.add('expired lease taken over');
    }
    if (operation === 'resetStuck' && accepted) features.add('reaper reset a stuck lease');
    if (operation === 'deferOrphan' && accepted) features.add('reaper re-enqueued an orphan');
    if ((operation === 'complete' || operation === 'release') && !accepted)
      features.add('zombie write refused');
    if (operation === 'release' && accepted) features.add('lease released after an error');
    if (operation === 'claim' && !accepted && before?.status === 'PROCESSING')
      features.add('claim refused: leased');
    if (operation === 'claim' && !accepted && before?.status === 'PENDING' && before.notBefore !== undefined)
      features.add('claim refused: early (retry back-off)');
  }
  if (!afterRace || !isTerminal(afterRace.status)) features.add('decided after the race');
  if (gaveUp) features.add('gave up after MAX_ATTEMPTS');
  return [...features];
}

export class RaceInvariantError extends Error {
  override name = 'RaceInvariantError';
}

/**
 * The race property over the store `makeStore` builds. A failure's message lists
 * the broken invariants and the schedule: every scheduled step, in the order it ran.
 */
export function raceProperty(makeStore: () => SubmissionStore, onExplored?: (race: RaceObservation) => void) {
  return fc.asyncProperty(fc.scheduler(), raceInputs, async (s, input) => {
    const race = await exploreRace(s, input, makeStore);
    onExplored?.(race);
    if (race.problems.length === 0) return;
    throw new RaceInvariantError(
      [
        'Race invariants broken:',
        ...race.problems.map((problem) => `  - ${problem}`),
        `content ${JSON.stringify(input.content)}, transient rule failure: ${input.transientRuleFailure}`,
        'Schedule (each scheduled step, in the order it ran):',
        String(s),
      ].join('\n'),
    );
  });
}
