import type { RuleSet } from '../domain/rules';
import document from './default-rule-set.json';
import { loadRuleSet } from './loader';

let bundled: RuleSet | undefined;

/** The origin's rule (≥ 10 code points and an ASCII digit), from the bundled `default-rule-set.json`. */
export function defaultRuleSet(): RuleSet {
  bundled ??= loadRuleSet(document);
  return bundled;
}
