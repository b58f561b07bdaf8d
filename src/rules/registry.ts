import type { RuleType } from './rule-type';
import { bannedWordsType } from './types/banned-words';
import { requireDigitType } from './types/digit';
import { duplicateType } from './types/duplicate';
import { jsonSchemaType } from './types/json-schema';
import { maxLengthType, minLengthType } from './types/length';
import { maxLinesType } from './types/lines';
import { maxLinksType } from './types/links';
import { mustMatchType, mustNotMatchType } from './types/pattern';

/** Every rule type a rule set document may name in `type`. */
export const BUILT_IN_RULE_TYPES: ReadonlyMap<string, RuleType> = new Map([
  ['minLength', minLengthType],
  ['maxLength', maxLengthType],
  ['requireDigit', requireDigitType],
  ['mustMatch', mustMatchType],
  ['mustNotMatch', mustNotMatchType],
  ['bannedWords', bannedWordsType],
  ['maxLinks', maxLinksType],
  ['maxLines', maxLinesType],
  ['jsonSchema', jsonSchemaType],
  ['duplicate', duplicateType],
]);
