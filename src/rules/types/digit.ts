import * as z from 'zod';
import { linearCost } from '../cost';
import { defineRuleType } from '../rule-type';

/** ASCII 0–9 only: Arabic-Indic, fullwidth or superscript digits do not count. */
const ASCII_DIGITS = /[0-9]/g;

/** One pass of V8's regex engine, at worst (all digits, each a match) about 30 ns a byte (bench/rule-cost.ts). */
const DIGITS_NS_PER_BYTE = 60;

export const requireDigitType = defineRuleType({
  placeholders: ['digits'],
  messages: {
    passed: 'Content contains a digit.',
    failed: 'Content must contain at least one digit (0-9).',
  },
  params: z.strictObject({}, { error: 'must be an object' }),
  measure(_params, content) {
    const digits = content.match(ASCII_DIGITS)?.length ?? 0;
    return { passed: digits > 0, values: { digits }, measured: `digits (0-9) ${digits}, minimum 1` };
  },
  cost: () => linearCost(DIGITS_NS_PER_BYTE, 'one pass counting digits'),
});
