import type * as z from 'zod';
import type { AsyncRule, EvaluationContext, RuleSet } from '../domain/rules';
import type { RuleOutcome } from '../domain/submission';
import { leavesOf, type RuleTree, treeRuleSet } from './combinators';
import { type CostedRule, costOfRule, RULE_SET_BOUND, RULE_SET_BUDGET_MS, totalUnits, unitsOf } from './cost';
import { withDeadline } from './deadline';
import { BUILT_IN_RULE_TYPES } from './registry';
import { RuleSetError } from './rule-set-errors';
import {
  allNode,
  anyNode,
  MAX_DEPTH,
  type RuleDefinition,
  ruleDefinition,
  ruleSetDocument,
} from './rule-set-format';
import type { AsyncMeasure, Measure, Measurement, RuleType } from './rule-type';
import { fillTemplate, placeholdersIn, templateValues } from './template';

type Path = readonly PropertyKey[];

/** `rule.all[1].params.max`, the way a person would point into the document. */
function formatPath(path: Path): string {
  return path
    .map((part, index) =>
      typeof part === 'number' ? `[${part}]` : `${index === 0 ? '' : '.'}${String(part)}`,
    )
    .join('');
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const path = formatPath(issue.path);
  const message =
    issue.code === 'unrecognized_keys'
      ? `has unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((key) => JSON.stringify(key)).join(', ')}`
      : issue.message;
  return path === '' ? message : `${path} ${message}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Collects every problem in one pass, so an operator fixes a document in one go. */
class Compiler {
  readonly problems: string[] = [];
  readonly #ids = new Set<string>();

  constructor(
    readonly ruleTypes: ReadonlyMap<string, RuleType>,
    readonly workerTimeoutSeconds?: number,
  ) {}

  node(value: unknown, path: Path, depth: number): RuleTree | undefined {
    const where = formatPath(path);
    if (depth > MAX_DEPTH) {
      this.problems.push(`${where}: nests deeper than ${MAX_DEPTH} levels`);
      return undefined;
    }
    if (!isObject(value)) {
      this.problems.push(`${where}: must be a rule or a combinator {"all": [...]} / {"any": [...]}`);
      return undefined;
    }
    if ('all' in value || 'any' in value) return this.combinator(value, path, depth);
    const rule = this.rule(value, where);
    return rule && { rule };
  }

  combinator(value: Record<string, unknown>, path: Path, depth: number): RuleTree | undefined {
    const key = 'all' in value ? 'all' : 'any';
    const parsed = key === 'all' ? allNode.safeParse(value) : anyNode.safeParse(value);
    if (!parsed.success) {
      for (const issue of parsed.error.issues)
        this.problems.push(`${formatPath(path)}: ${describeIssue(issue)}`);
      return undefined;
    }
    const items = 'all' in parsed.data ? parsed.data.all : parsed.data.any;
    const children = items.map((child, index) => this.node(child, [...path, key, index], depth + 1));
    if (!children.every((child) => child !== undefined)) return undefined;
    return key === 'all' ? { all: children } : { any: children };
  }

  rule(value: Record<string, unknown>, where: string): CostedRule | AsyncRule | undefined {
    const label = typeof value.id === 'string' ? `${where} (id ${JSON.stringify(value.id)})` : where;
    const problems = (messages: readonly string[]) => {
      for (const message of messages) this.problems.push(label === '' ? message : `${label}: ${message}`);
      return undefined;
    };
    const parsed = ruleDefinition.safeParse(value);
    if (!parsed.success) return problems(parsed.error.issues.map(describeIssue));
    const definition = parsed.data;
    if (this.#ids.has(definition.id))
      return problems([`id ${JSON.stringify(definition.id)} is used by another rule`]);
    this.#ids.add(definition.id);
    const type = this.ruleTypes.get(definition.type);
    if (type === undefined) {
      const known = [...this.ruleTypes.keys()].join(', ');
      return problems([`type ${JSON.stringify(definition.type)} is unknown (known types: ${known})`]);
    }
    const params = type.params.safeParse(definition.params);
    const templateProblems = [
      ['message', definition.message],
      ['passedMessage', definition.passedMessage],
    ].flatMap(([field, template]) =>
      placeholdersIn(template ?? '')
        .filter((name) => !type.placeholders.includes(name))
        .map(
          (name) =>
            `${field} uses unknown placeholder {${name}} (available: ${type.placeholders.join(', ')})`,
        ),
    );
    const paramProblems = params.success
      ? []
      : params.error.issues.map((issue) => describeIssue({ ...issue, path: ['params', ...issue.path] }));
    if (!params.success || templateProblems.length > 0)
      return problems([...paramProblems, ...templateProblems]);
    const limit = this.workerTimeoutSeconds;
    if (typeof params.data !== 'function' && limit !== undefined && params.data.timeoutMs >= limit * 1000) {
      return problems([
        `params.timeoutMs ${params.data.timeoutMs} must be below the worker's timeout, ` +
          `WORKER_TIMEOUT_SECONDS=${limit} (else the worker times out before the rule does)`,
      ]);
    }
    if (typeof params.data === 'function' && unitsOf(params.data.cost, 1) > RULE_SET_BOUND) {
      return problems([
        `is too costly to run: on even one byte of content it could take longer than the ` +
          `${RULE_SET_BUDGET_MS} ms a rule set may spend on a submission (${params.data.cost.basis})`,
      ]);
    }
    return ruleOf(definition, type, params.data);
  }
}

type Definition = z.output<typeof ruleDefinition>;

/** Fills the rule's message templates from its params and a measurement. */
function outcomeOf(definition: Definition, type: RuleType): (measurement: Measurement) => RuleOutcome {
  const failedTemplate = definition.message ?? type.messages.failed;
  const passedTemplate = definition.passedMessage ?? type.messages.passed;
  const blanks = Object.fromEntries(type.placeholders.map((name) => [name, '']));
  const paramValues = { ...blanks, ...templateValues(definition.params) };
  return ({ passed, values, measured }) => ({
    rule: definition.id,
    type: definition.type,
    passed,
    message: fillTemplate(passed ? passedTemplate : failedTemplate, { ...paramValues, ...values }),
    measured,
  });
}

function ruleOf(
  definition: Definition,
  type: RuleType,
  compiled: Measure | AsyncMeasure,
): CostedRule | AsyncRule {
  const outcome = outcomeOf(definition, type);
  if (typeof compiled === 'function')
    return {
      id: definition.id,
      ...(compiled.duplicate ? { duplicate: compiled.duplicate } : {}),
      cost: compiled.cost,
      check: (content: string, context?: EvaluationContext) => outcome(compiled(content, context)),
    };
  const { timeoutMs, measure } = compiled;
  return {
    id: definition.id,
    async: true,
    async check(content: string, signal: AbortSignal) {
      return outcome(await withDeadline(definition.id, timeoutMs, signal, (own) => measure(content, own)));
    },
  };
}

export interface LoadOptions {
  /**
   * Rule types beyond the built-ins, by the name a document uses in `type`;
   * how async rule types (see `defineAsyncRuleType`) are plugged in.
   */
  ruleTypes?: ReadonlyMap<string, RuleType>;
  /** The worker's timeout, when known: every async rule's `timeoutMs` must be below it. */
  workerTimeoutSeconds?: number;
}

function compilerFor(options: LoadOptions): Compiler {
  return new Compiler(
    new Map([...BUILT_IN_RULE_TYPES, ...(options.ruleTypes ?? [])]),
    options.workerTimeoutSeconds,
  );
}

/**
 * Validates a rule set document and compiles it. Throws a `RuleSetError` naming
 * each bad rule by path and id, e.g.
 * `rule.all[1] (id "links"): params.max must be a number`.
 *
 * @example
 * const ruleSet = loadRuleSet(JSON.parse(text));
 * (await ruleSet.evaluate('some content 42')).verdict; // 'PASSED' | 'FAILED'
 */
export function loadRuleSet(json: unknown, options: LoadOptions = {}): RuleSet {
  const document = ruleSetDocument.safeParse(json);
  if (!document.success) throw new RuleSetError(document.error.issues.map(describeIssue));
  const compiler = compilerFor(options);
  const tree = compiler.node(document.data.rule, ['rule'], 1);
  if (tree === undefined || compiler.problems.length > 0) throw new RuleSetError(compiler.problems);
  if (totalUnits(leavesOf(tree).map(costOfRule), 1) > RULE_SET_BOUND) {
    throw new RuleSetError([
      `rule: is too costly to run: on even one byte of content its rules together could take longer ` +
        `than the ${RULE_SET_BUDGET_MS} ms a rule set may spend on a submission`,
    ]);
  }
  return treeRuleSet(document.data.id, document.data.version, tree);
}

/**
 * One synchronous rule from its definition, outside a document; throws a
 * `RuleSetError` like `loadRuleSet`. Only built-in types: async rules run in a rule set.
 */
export function createRule(definition: RuleDefinition): CostedRule {
  const compiler = compilerFor({});
  const rule = compiler.rule({ ...definition }, '');
  if (rule === undefined) throw new RuleSetError(compiler.problems);
  if ('async' in rule) throw new RuleSetError([`type ${JSON.stringify(definition.type)} is async`]);
  return rule;
}
