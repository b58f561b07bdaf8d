import type { Rule } from '../domain/rules';
import { createRule } from './loader';

/** The `minLength` rule in code, e.g. for tests: `minLength(10)`. */
export function minLength(min: number): Rule {
  return createRule({ id: 'minLength', type: 'minLength', params: { min } });
}

/** The `requireDigit` rule in code: at least one ASCII digit 0-9. */
export function requireDigit(): Rule {
  return createRule({ id: 'requireDigit', type: 'requireDigit' });
}
