import type { RuleType } from './rule-type';

/**
 * Rule types beyond the built-ins that RULES_JSON / RULES_FILE may name in `type`:
 * the one place to register an async rule (see `defineAsyncRuleType`). Every
 * composition (`compose`, `composeWorker`, hence `app()`, `workerApp()` and so the
 * api, worker and reaper Lambdas and `npm run worker`) uses this map unless told
 * otherwise, so the worker that evaluates a rule set knows every type it names.
 * Empty by default: the built-ins alone.
 *
 * @example
 * // src/rules/types/moderation.ts
 * export const moderationType = defineAsyncRuleType({
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
 *
 * // here
 * export const PLUGIN_RULE_TYPES: ReadonlyMap<string, RuleType> = new Map([['moderation', moderationType]]);
 *
 * // RULES_JSON may then hold
 * // { "id": "moderated", "version": 1, "rule": { "id": "mod", "type": "moderation",
 * //   "params": { "endpoint": "https://moderation.example/check", "timeoutMs": 3000 } } }
 */
export const PLUGIN_RULE_TYPES: ReadonlyMap<string, RuleType> = new Map();
