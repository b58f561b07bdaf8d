import type { RuleOutcome, ValidationResult } from './submission';

/** A single check on the content. Throwing means "could not decide", never "rejected". */
export interface Rule {
  readonly id: string;
  check(content: string): RuleOutcome;
}

export interface RuleSet {
  readonly id: string;
  evaluate(content: string): ValidationResult;
}

/** Length in Unicode code points, so an emoji counts once. */
export function codePointLength(text: string): number {
  let length = 0;
  for (const _ of text) length += 1;
  return length;
}

export function minLength(minimum: number): Rule {
  return {
    id: 'minLength',
    check(content) {
      const length = codePointLength(content);
      const passed = length >= minimum;
      return {
        rule: 'minLength',
        passed,
        message: passed
          ? `Content is ${length} characters long (minimum ${minimum}).`
          : `Content must be at least ${minimum} characters long; it is ${length}.`,
      };
    },
  };
}

const ASCII_DIGIT = /[0-9]/;

export function requireDigit(): Rule {
  return {
    id: 'requireDigit',
    check(content) {
      const passed = ASCII_DIGIT.test(content);
      return {
        rule: 'requireDigit',
        passed,
        message: passed ? 'Content contains a digit.' : 'Content must contain at least one digit (0-9).',
      };
    },
  };
}

/** Every rule runs (so the result explains every failure); the verdict is PASSED only if all pass. */
export function allOf(id: string, rules: readonly Rule[]): RuleSet {
  return {
    id,
    evaluate(content) {
      const outcomes = rules.map((rule) => rule.check(content));
      return {
        verdict: outcomes.every((outcome) => outcome.passed) ? 'PASSED' : 'FAILED',
        rules: outcomes,
      };
    },
  };
}

/** The origin's rule: at least 10 characters and at least one digit. */
export function defaultRuleSet(): RuleSet {
  return allOf('default', [minLength(10), requireDigit()]);
}
