import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InMemorySubmissionStore } from '../helpers/memory-store';
import { withoutCompleteFencing } from '../helpers/race-planted-bug';
import { type RaceObservation, raceProperty } from '../helpers/race-scenario';

/**
 * Race exploration (issue "Reliability"): fast-check's scheduler orders the atomic
 * store steps of two workers, a duplicate delivery, a lease expiry and a reaper
 * run on one submission; every schedule must keep it not lost, decided once,
 * fenced and correct (docs/design.md, "Guarantees"). Memory store only: no network.
 */
const SCHEDULES = 3_000;
const PLANTED_BUG_SCHEDULES = 1_000;
const TIMEOUT_MS = 60_000;

/** Races the exploration must reach, so a pass means more than "the happy path works". */
const EXPECTED_FEATURES = [
  'expired lease taken over',
  'reaper reset a stuck lease',
  'reaper re-enqueued an orphan',
  'zombie write refused',
  'lease released after an error',
  'claim refused: leased',
  'decided after the race',
];

describe('race exploration: two workers, a duplicate, a lease expiry and the reaper on one submission', () => {
  it(
    `keeps it not lost, decided once, fenced and correct over ${SCHEDULES} schedules`,
    async () => {
      // Prepare
      const features = new Map<string, number>();
      const verdicts = new Map<string, number>();
      let explored = 0;
      const count = (race: RaceObservation) => {
        explored += 1;
        for (const feature of race.features) features.set(feature, (features.get(feature) ?? 0) + 1);
        const verdict = race.final?.status ?? 'none';
        verdicts.set(verdict, (verdicts.get(verdict) ?? 0) + 1);
      };
      const started = performance.now();

      // Act
      await fc.assert(
        raceProperty(() => new InMemorySubmissionStore(), count),
        { numRuns: SCHEDULES, includeErrorInReport: true },
      );

      // Assess
      console.info(
        `race exploration: ${explored} schedules explored in ${Math.round(performance.now() - started)} ms; ` +
          `verdicts ${JSON.stringify(Object.fromEntries(verdicts))}; ` +
          `schedules with ${JSON.stringify(Object.fromEntries(features))}`,
      );
      expect(explored).toBe(SCHEDULES);
      for (const feature of EXPECTED_FEATURES) expect(features.get(feature) ?? 0, feature).toBeGreaterThan(0);
      expect(verdicts.get('PASSED') ?? 0).toBeGreaterThan(0);
      expect(verdicts.get('FAILED') ?? 0).toBeGreaterThan(0);
    },
    TIMEOUT_MS,
  );

  it(
    'finds the planted bug when the fencing condition is removed',
    async () => {
      // Prepare
      const unfenced = () => withoutCompleteFencing(new InMemorySubmissionStore());

      // Act
      const details = await fc.check(raceProperty(unfenced), {
        numRuns: PLANTED_BUG_SCHEDULES,
        includeErrorInReport: true,
      });

      // Assess
      const report = fc.defaultReportMessage(details) ?? '';
      console.info(`planted bug found after ${details.numRuns} schedules:\n${report}`);
      expect(details.failed).toBe(true);
      expect(report).toMatch(/fenced: complete\(lease-\d+\) was accepted while the item was PROCESSING/);
      // The failure message carries the schedule that broke it, step by step.
      expect(report).toContain('Schedule (each scheduled step, in the order it ran):');
      expect(report).toContain('clock passes STUCK_AFTER');
    },
    TIMEOUT_MS,
  );
});
