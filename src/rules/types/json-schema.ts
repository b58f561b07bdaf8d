import type { ErrorObject, Options, ValidateFunction } from 'ajv';
import * as z from 'zod';
import { defineRuleType } from '../rule-type';
import { compileSafePattern } from '../safe-regex';
import { expandRefs, hasRefs, SchemaCostError, schemaCost } from './json-schema-cost';

type RegExpEngine = NonNullable<NonNullable<Options['code']>['regExp']>;

/** Schema `pattern`s run on RE2 too, so an operator's schema cannot backtrack catastrophically. */
const safeRegExp: RegExpEngine = Object.assign((pattern: string) => compileSafePattern(pattern), {
  code: 'compileSafePattern',
});

/**
 * One Ajv per rule: schemas sharing an `$id` in different rules must not collide.
 * Ajv is loaded here, on the first jsonSchema rule, not with the module: a rule set
 * without one (the default) never needs it, and loading it costs every cold start
 * about 10 ms (measured by `npm run bench`).
 */
function compileSchema(schema: Record<string, unknown>): ValidateFunction {
  const { default: Ajv } = require('ajv') as typeof import('ajv');
  return new Ajv({ allErrors: true, strict: true, code: { regExp: safeRegExp } }).compile(schema);
}

/** "/items/0 must be number", the way a person would read it. */
function describeSchemaError(error: ErrorObject): string {
  return `${error.instancePath === '' ? 'the document' : error.instancePath} ${error.message ?? 'is invalid'}`;
}

function parseJson(content: string): { parsed: true; value: unknown } | { parsed: false } {
  try {
    return { parsed: true, value: JSON.parse(content) };
  } catch {
    return { parsed: false };
  }
}

const schemaParams = z
  .strictObject(
    { schema: z.record(z.string(), z.unknown(), { error: 'must be a JSON Schema object' }) },
    { error: 'must be an object' },
  )
  .transform(({ schema }, context) => {
    const refuse = (message: string) => {
      context.addIssue({ code: 'custom', path: ['schema'], message });
      return z.NEVER;
    };
    let validate: ValidateFunction;
    try {
      validate = compileSchema(schema);
    } catch (error) {
      return refuse(`is not a JSON Schema Ajv accepts (${(error as Error).message})`);
    }
    if (!hasRefs(schema)) return { validate, cost: schemaCost(schema) };
    // Validated with its $refs expanded, so that what it costs stays linear (see json-schema-cost.ts).
    let expanded: Record<string, unknown>;
    try {
      expanded = expandRefs(schema);
    } catch (error) {
      if (!(error instanceof SchemaCostError)) throw error;
      return refuse(
        `has $refs whose cost cannot be bounded: ${error.message} ` +
          '(only $refs into the schema, "#/…", that do not recur are supported)',
      );
    }
    try {
      return { validate: compileSchema(expanded), cost: schemaCost(expanded) };
    } catch (error) {
      return refuse(
        `is not a JSON Schema Ajv accepts once its $refs are expanded (${(error as Error).message})`,
      );
    }
  });

/** Content must parse as JSON and match `schema` (JSON Schema draft-07, as Ajv reads it). */
export const jsonSchemaType = defineRuleType({
  placeholders: ['error', 'errors'],
  messages: {
    passed: 'Content is JSON matching the schema.',
    failed: 'Content must be JSON matching the schema: {error}.',
  },
  params: schemaParams,
  measure({ validate }, content) {
    const json = parseJson(content);
    if (!json.parsed)
      return { passed: false, values: { error: 'not valid JSON', errors: 1 }, measured: 'not JSON' };
    if (validate(json.value))
      return { passed: true, values: { error: '', errors: 0 }, measured: 'JSON, matches the schema' };
    const errors = validate.errors ?? [];
    const [first] = errors;
    return {
      passed: false,
      values: {
        error: first === undefined ? 'does not match' : describeSchemaError(first),
        errors: errors.length,
      },
      measured: `JSON, ${errors.length} schema error${errors.length === 1 ? '' : 's'}`,
    };
  },
  cost: ({ cost }) => cost,
});
