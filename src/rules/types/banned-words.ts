import * as z from 'zod';
import { linearCost } from '../cost';
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

/**
 * Whether each code point is a word character, worked out once per code point for the
 * process (0 unknown, 1 yes, 2 no): an occurrence of a word looks at the characters on
 * either side of it, and a word may occur at every character of the content.
 */
let wordCodePoints: Uint8Array | undefined;

function isWordCodePoint(codePoint: number): boolean {
  if (codePoint < 0x80)
    return (
      (codePoint >= 0x30 && codePoint <= 0x39) ||
      (codePoint >= 0x41 && codePoint <= 0x5a) ||
      (codePoint >= 0x61 && codePoint <= 0x7a)
    );
  wordCodePoints ??= new Uint8Array(0x110000);
  if (wordCodePoints[codePoint] === 0)
    wordCodePoints[codePoint] = WORD_CHARACTER.test(String.fromCodePoint(codePoint)) ? 1 : 2;
  return wordCodePoints[codePoint] === 1;
}

const isHighSurrogate = (unit: number) => unit >= 0xd800 && unit <= 0xdbff;
const isLowSurrogate = (unit: number) => unit >= 0xdc00 && unit <= 0xdfff;

/** Whether the code point starting at `index` is a word character (none past the end, or at half a pair). */
function isWordCharacterAt(text: string, index: number): boolean {
  const codePoint = text.codePointAt(index);
  return codePoint !== undefined && isWordCodePoint(codePoint);
}

/** Whether the code point ending just before `index` is a word character. */
function isWordCharacterBefore(text: string, index: number): boolean {
  if (index === 0) return false;
  const last = text.charCodeAt(index - 1);
  if (isLowSurrogate(last) && index >= 2) {
    const first = text.charCodeAt(index - 2);
    if (isHighSurrogate(first)) return isWordCodePoint((first - 0xd800) * 0x400 + (last - 0xdc00) + 0x10000);
  }
  // A character of its own, or half a pair without the other half: never a word character.
  return isWordCodePoint(last);
}

/**
 * Whether every code point of `word` is a word character. Such a word occurs whole exactly
 * where it is a whole run of word characters, so it is found by looking the runs up.
 */
function isSingleWord(word: string): boolean {
  if (word === '') return false;
  for (const character of word) if (!isWordCodePoint(character.codePointAt(0)!)) return false;
  return true;
}

/** The runs of word characters in `text` (already folded), each once: one pass, whatever the number of words. */
function wordRuns(text: string): Set<string> {
  const runs = new Set<string>();
  let start = -1;
  let index = 0;
  while (index < text.length) {
    const codePoint = text.codePointAt(index)!;
    if (isWordCodePoint(codePoint)) {
      if (start < 0) start = index;
    } else if (start >= 0) {
      runs.add(text.slice(start, index));
      start = -1;
    }
    index += codePoint > 0xffff ? 2 : 1;
  }
  if (start >= 0) runs.add(text.slice(start));
  return runs;
}

/** Whether `word` (already folded) occurs in `text` (already folded) with no word character on either side. */
export function containsWholeWord(text: string, word: string): boolean {
  for (let index = text.indexOf(word); index !== -1; index = text.indexOf(word, index + 1)) {
    if (!isWordCharacterBefore(text, index) && !isWordCharacterAt(text, index + word.length)) return true;
  }
  return false;
}

/**
 * Worst cases measured by bench/rule-cost.ts, in ns a byte of content: folding (NFKC, case,
 * marks), splitting into runs of word characters and looking at the characters around what
 * is found, under 450 (at worst U+FDFA, 3 bytes that fold to 18 characters); then per
 * phrase (a word holding other characters, e.g. a space, is searched for on its own) each
 * occurrence (up to 5 in 3 bytes, again U+FDFA), and each character of it compared there,
 * under 0.6 a character. Single words cost nothing more: they are looked up among the runs.
 */
const FOLD_NS_PER_BYTE = 600;
const PHRASE_NS_PER_BYTE = 60;
const PHRASE_CHARACTER_NS_PER_BYTE = 1;

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
  params: z.strictObject({ words }, { error: 'must be an object' }).transform(({ words }) => {
    // Each word once, in the order given: the words found are listed in that order.
    const folded = [...new Set(words.map((word) => foldForComparison(word).trim()))];
    return { words: folded, singleWords: new Set(folded.filter(isSingleWord)) };
  }),
  measure({ words, singleWords }, content) {
    const folded = foldForComparison(content);
    const runs = singleWords.size === 0 ? new Set<string>() : wordRuns(folded);
    const found = [
      ...new Set(
        words.filter((word) => (singleWords.has(word) ? runs.has(word) : containsWholeWord(folded, word))),
      ),
    ];
    return {
      passed: found.length === 0,
      values: { found: found.join(', '), count: found.length },
      measured:
        found.length === 0
          ? 'banned words found 0'
          : `banned words found ${found.length}: ${found.join(', ')}`,
    };
  },
  cost: ({ words, singleWords }) => {
    const phrases = words.filter((word) => !singleWords.has(word));
    const characters = phrases.reduce((sum, phrase) => sum + phrase.length, 0);
    const nsPerByte =
      FOLD_NS_PER_BYTE + phrases.length * PHRASE_NS_PER_BYTE + characters * PHRASE_CHARACTER_NS_PER_BYTE;
    const counted = `${words.length} banned word${words.length === 1 ? '' : 's'}`;
    return linearCost(
      nsPerByte,
      phrases.length === 0
        ? counted
        : `${counted}, ${phrases.length} of them phrases of ${characters} characters`,
    );
  },
});
