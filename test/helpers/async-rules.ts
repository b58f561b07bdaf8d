import { setTimeout as sleep } from 'node:timers/promises';
import * as z from 'zod';
import type { AsyncRuleType, Measurement, RuleType } from '../../src/rules/rule-type';
import { defineAsyncRuleType } from '../../src/rules/rule-type';

/**
 * An example async rule type, for tests only: a "moderation service" that flags
 * `word` after answering in `delayMs`, or fails when `unavailable` is set.
 */
export const moderationType = defineAsyncRuleType({
  placeholders: ['word'],
  messages: { passed: 'Moderation found nothing.', failed: 'Moderation flagged {word}.' },
  params: z.strictObject({
    word: z.string().min(1),
    delayMs: z.number().int().min(0).default(0),
    unavailable: z.boolean().default(false),
  }),
  async check(content, { word, delayMs, unavailable }, signal) {
    await sleep(delayMs, undefined, { signal });
    if (unavailable) throw new Error('moderation service unavailable');
    const flagged = content.toLowerCase().includes(word.toLowerCase());
    return { passed: !flagged, measured: flagged ? `flagged ${word}` : 'not flagged' };
  },
});

/** An async rule type whose check the test writes; `signals` records each signal it was given. */
export function scriptedType(check: (content: string, signal: AbortSignal) => Promise<Measurement>) {
  const signals: AbortSignal[] = [];
  const type: AsyncRuleType = defineAsyncRuleType({
    placeholders: [],
    messages: { passed: 'Scripted check passed.', failed: 'Scripted check failed.' },
    params: z.strictObject({}),
    check(content, _params, signal) {
      signals.push(signal);
      return check(content, signal);
    },
  });
  return { type, signals };
}

/** A check that answers only when aborted, as a hung dependency would (rejecting then). */
export const hangs = (_content: string, signal: AbortSignal) =>
  new Promise<Measurement>((_resolve, reject) => {
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });

export const ruleTypes = (types: Record<string, RuleType>): ReadonlyMap<string, RuleType> =>
  new Map(Object.entries(types));
