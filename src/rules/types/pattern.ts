import * as z from 'zod';
import { patternCost } from '../cost';
import { defineRuleType } from '../rule-type';
import { capInput, compileSafePattern, PATTERN_INPUT_LIMIT, SUPPORTED_FLAGS } from '../safe-regex';

const patternParams = z
  .strictObject(
    {
      pattern: z.string({ error: 'must be a string' }).min(1, { error: 'must not be empty' }).max(1000, {
        error: 'must be at most 1000 characters',
      }),
      flags: z
        .string({ error: 'must be a string' })
        .regex(new RegExp(`^[${SUPPORTED_FLAGS}]*$`), { error: `must use only the flags ${SUPPORTED_FLAGS}` })
        .refine((flags) => new Set(flags).size === flags.length, { error: 'must not repeat a flag' })
        .default(''),
    },
    { error: 'must be an object' },
  )
  .transform(({ pattern, flags }, context) => {
    try {
      return { pattern, flags, compiled: compileSafePattern(pattern, flags) };
    } catch (error) {
      context.addIssue({
        code: 'custom',
        path: ['pattern'],
        message: `is not a regular expression RE2 can run in linear time (${(error as Error).message}); backreferences and lookaround are not supported`,
      });
      return z.NEVER;
    }
  });

function describeMatch(matched: boolean, content: string): string {
  const scope = content === capInput(content) ? '' : ` in the first ${PATTERN_INPUT_LIMIT} characters`;
  return `${matched ? 'matched' : 'no match'}${scope}`;
}

/** A rule type passing when the pattern's match (or, with `mustMatch` false, its absence) is found. */
function patternRuleType(mustMatch: boolean, messages: { passed: string; failed: string }) {
  return defineRuleType({
    placeholders: ['pattern', 'flags'],
    messages,
    params: patternParams,
    measure({ compiled }, content) {
      const matched = compiled.test(content);
      return { passed: matched === mustMatch, values: {}, measured: describeMatch(matched, content) };
    },
    // A character is at least a byte, and RE2 reads at most PATTERN_INPUT_LIMIT characters.
    cost: ({ compiled }) => patternCost(compiled.programSize, PATTERN_INPUT_LIMIT),
  });
}

/** Content must match `pattern` (RE2 syntax) somewhere. */
export const mustMatchType = patternRuleType(true, {
  passed: 'Content matches the required pattern.',
  failed: 'Content must match the pattern {pattern}.',
});

/** Content must not match `pattern` (RE2 syntax) anywhere. */
export const mustNotMatchType = patternRuleType(false, {
  passed: 'Content does not match the forbidden pattern.',
  failed: 'Content must not match the pattern {pattern}.',
});
