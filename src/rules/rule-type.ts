import type { z } from 'zod';

/** What one rule found in the content. */
export interface Measurement {
  passed: boolean;
  /** Placeholder values beyond the params, e.g. `{ length: 7 }`. */
  values: Readonly<Record<string, string | number>>;
  /** The measured value for a person, e.g. "length 7, minimum 10". */
  measured: string;
}

export type Measure = (content: string) => Measurement;

/**
 * A built-in rule type: its params schema compiles the params into a `Measure`
 * once, at load, so a bad pattern or parameter is refused before any content is seen.
 */
export interface RuleType {
  /** Names a message template may use: the params and the measured values. */
  readonly placeholders: readonly string[];
  readonly messages: { readonly passed: string; readonly failed: string };
  readonly params: z.ZodType<Measure>;
}

export interface RuleTypeDefinition<Params> {
  readonly placeholders: readonly string[];
  readonly messages: { readonly passed: string; readonly failed: string };
  readonly params: z.ZodType<Params>;
  measure(params: Params, content: string): Measurement;
}

/** Erases the params type so every rule type fits one registry. */
export function defineRuleType<Params>(definition: RuleTypeDefinition<Params>): RuleType {
  return {
    placeholders: definition.placeholders,
    messages: definition.messages,
    params: definition.params.transform((params) => (content: string) => definition.measure(params, content)),
  };
}
