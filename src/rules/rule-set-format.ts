import * as z from 'zod';

/**
 * The rule set document:
 *
 * ```json
 * { "id": "default", "version": 1,
 *   "rule": { "all": [
 *     { "id": "minLength", "type": "minLength", "params": { "min": 10 },
 *       "message": "Content must be at least {min} characters long; it is {length}." },
 *     { "any": [ { "id": "digit", "type": "requireDigit" },
 *                { "id": "code", "type": "mustMatch", "params": { "pattern": "^[A-Z]{3}-" } } ] } ] } }
 * ```
 *
 * A node is a rule or a combinator (`all` / `any`), nested freely. Rule params are
 * checked by the rule's type (see `registry.ts`), so the node schemas leave them open.
 */

const RULE_ID = /^[A-Za-z][A-Za-z0-9._-]{0,63}$/;

/** "is required" when absent, `message` when present but wrong. */
const requiredAs = (message: string) => (issue: { input: unknown }) =>
  issue.input === undefined ? 'is required' : message;

const text = (maximum: number) =>
  z
    .string({ error: requiredAs('must be a string') })
    .min(1, { error: 'must not be empty' })
    .max(maximum, { error: `must be at most ${maximum} characters` });

const ruleId = z
  .string({ error: requiredAs('must be a string') })
  .regex(RULE_ID, { error: 'must be 1–64 letters, digits, ".", "_" or "-", starting with a letter' });

export const ruleSetDocument = z.strictObject(
  {
    id: ruleId,
    version: z
      .number({ error: requiredAs('must be a number') })
      .int({ error: 'must be a whole number' })
      .min(1, { error: 'must be at least 1' }),
    description: text(1000).optional(),
    rule: z.unknown().refine((rule) => rule !== undefined, { error: 'is required' }),
  },
  { error: 'must be a JSON object' },
);

export const ruleDefinition = z.strictObject(
  {
    id: ruleId,
    type: z.string({ error: requiredAs('must be a string') }),
    params: z.record(z.string(), z.unknown(), { error: 'must be an object' }).default({}),
    /** Shown when the rule fails; `{placeholders}` are filled from params and the measured values. */
    message: text(500).optional(),
    /** Shown when the rule passes; each type has a default. */
    passedMessage: text(500).optional(),
  },
  { error: 'must be a rule object' },
);
export type RuleDefinition = z.input<typeof ruleDefinition>;

const children = z
  .array(z.unknown(), { error: 'must be a list of rules' })
  .min(1, { error: 'must hold at least one rule' })
  .max(100, { error: 'must hold at most 100 rules' });

export const allNode = z.strictObject({ all: children }, { error: 'must be an object' });
export const anyNode = z.strictObject({ any: children }, { error: 'must be an object' });

/** Deeper trees are refused: no operator needs them, and evaluation recurses. */
export const MAX_DEPTH = 16;
