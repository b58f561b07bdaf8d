import { linearCost } from '../cost';
import { limit } from '../params';
import { defineRuleType } from '../rule-type';
import { codePointLength } from '../text';

/**
 * Counting code points is one pass: at most this many ns a byte (bench/rule-cost.ts
 * measures under 10 on any script).
 */
const COUNT_NS_PER_BYTE = 20;
const countCost = () => linearCost(COUNT_NS_PER_BYTE, 'one pass counting code points');

/** Content of at least `min` Unicode code points. */
export const minLengthType = defineRuleType({
  placeholders: ['min', 'length'],
  messages: {
    passed: 'Content is {length} characters long (minimum {min}).',
    failed: 'Content must be at least {min} characters long; it is {length}.',
  },
  params: limit('min', 0),
  measure({ min }, content) {
    const length = codePointLength(content);
    return { passed: length >= min, values: { length }, measured: `length ${length}, minimum ${min}` };
  },
  cost: countCost,
});

/** Content of at most `max` Unicode code points. */
export const maxLengthType = defineRuleType({
  placeholders: ['max', 'length'],
  messages: {
    passed: 'Content is {length} characters long (maximum {max}).',
    failed: 'Content must be at most {max} characters long; it is {length}.',
  },
  params: limit('max', 0),
  measure({ max }, content) {
    const length = codePointLength(content);
    return { passed: length <= max, values: { length }, measured: `length ${length}, maximum ${max}` };
  },
  cost: countCost,
});
