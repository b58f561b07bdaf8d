import * as z from 'zod';
import type { DuplicatePolicy, EvaluationContext } from '../domain/rules';
import { type RuleCost, UNMODELLED_COST } from './cost';

/** What one rule found in the content. */
export interface Measurement {
  passed: boolean;
  /** Placeholder values beyond the params, e.g. `{ length: 7 }`. */
  values?: Readonly<Record<string, string | number>>;
  /** The measured value for a person, e.g. "length 7, minimum 10". */
  measured: string;
}

/**
 * A compiled synchronous check; `duplicate` marks the `duplicate` rule type's checks, and
 * `cost` is the most it may spend on content (src/rules/cost.ts).
 */
export interface Measure {
  (content: string, context?: EvaluationContext): Measurement;
  readonly duplicate?: DuplicatePolicy;
  readonly cost: RuleCost;
}

/** An async rule's compiled check: the call out, and how long it may take. */
export interface AsyncMeasure {
  readonly timeoutMs: number;
  measure(content: string, signal: AbortSignal): Promise<Measurement>;
}

interface RuleTypeBase {
  /** Names a message template may use: the params and the measured values. */
  readonly placeholders: readonly string[];
  readonly messages: { readonly passed: string; readonly failed: string };
}

/**
 * A synchronous rule type: its params schema compiles the params into a `Measure`
 * once, at load, so a bad pattern or parameter is refused before any content is seen.
 */
export interface SyncRuleType extends RuleTypeBase {
  readonly kind: 'sync';
  readonly params: z.ZodType<Measure>;
}

/** A rule type that calls out (a moderation API, a virus scan); see `defineAsyncRuleType`. */
export interface AsyncRuleType extends RuleTypeBase {
  readonly kind: 'async';
  readonly params: z.ZodType<AsyncMeasure>;
}

export type RuleType = SyncRuleType | AsyncRuleType;

export interface RuleTypeDefinition<Params> {
  readonly placeholders: readonly string[];
  readonly messages: { readonly passed: string; readonly failed: string };
  readonly params: z.ZodType<Params>;
  /** `context` is empty unless the rule set asked for more (see `duplicate`). */
  measure(params: Params, content: string, context: EvaluationContext): Measurement;
  /** Only the `duplicate` rule type: makes the processor look up the earlier decision. */
  duplicate?(params: Params): DuplicatePolicy;
  /**
   * The most `measure` may spend on content, in cost units per byte (src/rules/cost.ts),
   * from the compiled params. Every built-in type states it; one that does not is assumed
   * to read the content once (`UNMODELLED_COST`).
   */
  cost?(params: Params): RuleCost;
}

/** Erases the params type so every rule type fits one registry. */
export function defineRuleType<Params>(definition: RuleTypeDefinition<Params>): SyncRuleType {
  return {
    kind: 'sync',
    placeholders: definition.placeholders,
    messages: definition.messages,
    params: definition.params.transform((params): Measure => {
      const measure = (content: string, context?: EvaluationContext) =>
        definition.measure(params, content, context ?? {});
      const cost = definition.cost?.(params) ?? UNMODELLED_COST;
      return definition.duplicate
        ? Object.assign(measure, { duplicate: definition.duplicate(params), cost })
        : Object.assign(measure, { cost });
    }),
  };
}

/** Used when an async rule's params leave out `timeoutMs`. */
export const DEFAULT_ASYNC_TIMEOUT_MS = 5000;
export const MAX_ASYNC_TIMEOUT_MS = 60_000;

const timeoutMs = z
  .number({ error: 'must be a number' })
  .int({ error: 'must be a whole number' })
  .min(1, { error: 'must be at least 1' })
  .max(MAX_ASYNC_TIMEOUT_MS, { error: `must be at most ${MAX_ASYNC_TIMEOUT_MS}` })
  .default(DEFAULT_ASYNC_TIMEOUT_MS);

export interface AsyncRuleTypeDefinition<Shape extends z.ZodRawShape> {
  readonly placeholders: readonly string[];
  readonly messages: { readonly passed: string; readonly failed: string };
  /** The rule's own params; `timeoutMs` is added to every async rule type. */
  readonly params: z.ZodObject<Shape>;
  /**
   * Decides the content. Throwing (or outliving `timeoutMs`) is a processing error,
   * retried and never a rejection. `signal` aborts on timeout or when the worker
   * runs out of time: pass it to `fetch` and the like.
   */
  check(content: string, params: z.output<z.ZodObject<Shape>>, signal: AbortSignal): Promise<Measurement>;
}

/**
 * A rule type that calls out. Each rule of the type gets a `timeoutMs` param
 * (default 5000). Register the type in `PLUGIN_RULE_TYPES` (src/rules/plugins.ts),
 * which every composition uses, or pass it to `loadRuleSet` in `ruleTypes`.
 *
 * @example
 * const moderationType = defineAsyncRuleType({
 *   placeholders: ['category'],
 *   messages: { passed: 'Content passed moderation.', failed: 'Content was flagged as {category}.' },
 *   params: z.strictObject({ endpoint: z.url() }),
 *   async check(content, { endpoint }, signal) {
 *     const response = await fetch(endpoint, { method: 'POST', body: content, signal });
 *     if (!response.ok) throw new Error(`moderation answered ${response.status}`);
 *     const { flagged, category } = await response.json();
 *     return { passed: !flagged, values: { category }, measured: flagged ? `flagged: ${category}` : 'not flagged' };
 *   },
 * });
 * loadRuleSet(document, { ruleTypes: new Map([['moderation', moderationType]]) });
 */
export function defineAsyncRuleType<Shape extends z.ZodRawShape>(
  definition: AsyncRuleTypeDefinition<Shape>,
): AsyncRuleType {
  const params = definition.params.extend({ timeoutMs }).transform((parsed): AsyncMeasure => {
    const { timeoutMs, ...own } = parsed as { timeoutMs: number };
    return {
      timeoutMs,
      measure: (content, signal) => definition.check(content, own as z.output<z.ZodObject<Shape>>, signal),
    };
  });
  return {
    kind: 'async',
    placeholders: [...definition.placeholders, 'timeoutMs'],
    messages: definition.messages,
    params: params as unknown as z.ZodType<AsyncMeasure>,
  };
}
