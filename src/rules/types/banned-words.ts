import { z } from 'zod';
import { defineRuleType } from '../rule-type';

/** Letters and numbers make up a word, in any script (folding has dropped the marks). */
const WORD_CHARACTER = /[\p{L}\p{N}]/u;

/**
 * What a reader does not see as a character of its own: default-ignorable code points
 * (zero-width spaces and joiners, soft hyphens, variation selectors, tags…) and combining
 * marks (accents, overlays, enclosing circles), which sit on the letter before.
 */
const UNSEEN = /[\p{Default_Ignorable_Code_Point}\p{M}]/gu;

/**
 * Compatibility-normalises (fullwidth → ASCII, ligatures split), folds case (upper then
 * lower maps ß to ss; final sigma to sigma) and drops what a reader does not see, so
 * "ＳＰＡＭ", "Spam", "sp\u200Bam" and "spám" all match "spam".
 */
export function foldForComparison(text: string): string {
  return text
    .normalize('NFKC')
    .toUpperCase()
    .toLowerCase()
    .replaceAll('ς', 'σ')
    .normalize('NFKD')
    .replace(UNSEEN, '')
    .normalize('NFC');
}

function isWordCharacterAt(text: string, index: number): boolean {
  const character = text.codePointAt(index);
  return character !== undefined && WORD_CHARACTER.test(String.fromCodePoint(character));
}

function isWordCharacterBefore(text: string, index: number): boolean {
  if (index === 0) return false;
  const previous = Array.from(text.slice(Math.max(0, index - 2), index)).at(-1) ?? '';
  return WORD_CHARACTER.test(previous);
}

/** Whether `word` (already folded) occurs in `text` (already folded) with no word character on either side. */
export function containsWholeWord(text: string, word: string): boolean {
  for (let index = text.indexOf(word); index !== -1; index = text.indexOf(word, index + 1)) {
    if (!isWordCharacterBefore(text, index) && !isWordCharacterAt(text, index + word.length)) return true;
  }
  return false;
}

const words = z
  .array(
    z
      .string({ error: 'must be a list of words' })
      .refine((word) => foldForComparison(word).trim() !== '', { error: 'must not hold an empty word' }),
    { error: 'must be a list of words' },
  )
  .min(1, { error: 'must hold at least one word' })
  .max(1000, { error: 'must hold at most 1000 words' });

/** None of `words` as a whole word or phrase, ignoring case, compatibility forms, marks and invisible characters. */
export const bannedWordsType = defineRuleType({
  placeholders: ['words', 'found', 'count'],
  messages: {
    passed: 'Content contains no banned words.',
    failed: 'Content must not contain banned words; it contains {found}.',
  },
  params: z
    .strictObject({ words }, { error: 'must be an object' })
    .transform(({ words }) => ({ words: words.map((word) => foldForComparison(word).trim()) })),
  measure({ words }, content) {
    const folded = foldForComparison(content);
    const found = [...new Set(words.filter((word) => containsWholeWord(folded, word)))];
    return {
      passed: found.length === 0,
      values: { found: found.join(', '), count: found.length },
      measured:
        found.length === 0
          ? 'banned words found 0'
          : `banned words found ${found.length}: ${found.join(', ')}`,
    };
  },
});
