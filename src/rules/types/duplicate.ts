import * as z from 'zod';
import type { EarlierDecision } from '../../domain/rules';
import type { ValidationResult } from '../../domain/submission';
import { NO_COST } from '../cost';
import { defineRuleType } from '../rule-type';

/**
 * Flags a resubmission: fails when the same owner already has a decided
 * submission with identical content (the processor looks it up by content hash
 * and passes it in the evaluation context). With `reuseVerdict`, a resubmission
 * whose earlier result came from this same rule set id and version is completed
 * with a copy of that result instead, and no rule runs.
 */
export const duplicateType = defineRuleType({
  placeholders: ['reuseVerdict', 'earlier'],
  messages: {
    passed: 'Content was not submitted before.',
    failed: 'The same content was already submitted ({earlier}).',
  },
  params: z.strictObject(
    { reuseVerdict: z.boolean({ error: 'must be true or false' }).default(false) },
    { error: 'must be an object' },
  ),
  measure(_params, _content, { earlier }) {
    return earlier === undefined
      ? { passed: true, values: { earlier: '' }, measured: 'no earlier submission with this content' }
      : { passed: false, values: { earlier: earlier.id }, measured: `duplicate of ${earlier.id}` };
  },
  duplicate: ({ reuseVerdict }) => ({ reuseVerdict }),
  // Reads the context the processor looked up, never the content.
  cost: () => NO_COST,
});

/**
 * A copy of the earlier submission's result for a resubmission (`reuseVerdict`),
 * marked `reusedFrom`. The copy's `duplicate` entries are rewritten: the earlier
 * evaluation found no duplicate ("not submitted before"), which the copy is not.
 * Their outcome stays, as the copied verdict was reached with it. The processor gets
 * it through the rule set's `reusedVerdict` (src/rules/combinators.ts), never from here.
 */
export function reusedResult(earlier: EarlierDecision): ValidationResult {
  const { id, result } = earlier;
  return {
    ...result,
    rules: result.rules.map((outcome) =>
      outcome.type === 'duplicate'
        ? {
            ...outcome,
            message: `Same content as ${id}: its verdict was reused.`,
            measured: `duplicate of ${id}, verdict reused`,
          }
        : outcome,
    ),
    reusedFrom: id,
  };
}
