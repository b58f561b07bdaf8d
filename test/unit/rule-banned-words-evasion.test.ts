import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRule } from '../../src/rules/loader';

/**
 * Issue 15 §6: a banned word stays banned when characters a reader does not see are put
 * into it. Each class below is one way to hide a word from a matcher that compares code
 * points; the properties insert members of them anywhere in a banned word.
 */
const INVISIBLE_CLASSES = {
  /** Default_Ignorable_Code_Point: rendered as nothing. */
  'default-ignorable': [
    '\u00AD', // soft hyphen
    '\u034F', // combining grapheme joiner
    '\u061C', // Arabic letter mark
    '\u115F', // Hangul choseong filler
    '\u180E', // Mongolian vowel separator
    '\u200B', // zero width space
    '\u200C', // zero width non-joiner
    '\u200D', // zero width joiner
    '\u200E', // left-to-right mark
    '\u2060', // word joiner
    '\u2062', // invisible times
    '\u2064', // invisible plus
    '\u206F', // nominal digit shapes
    '\u3164', // Hangul filler
    '\uFE00', // variation selector-1
    '\uFE0F', // variation selector-16
    '\uFEFF', // zero width no-break space
    '\u{1D173}', // musical symbol begin beam
    '\u{E0001}', // language tag
    '\u{E0061}', // tag latin small letter a
    '\u{E01EF}', // variation selector-256
  ],
  /** Combining marks (Mn, Me): drawn on the letter before, or barely at all. */
  'combining-mark': [
    '\u0301', // acute
    '\u0308', // diaeresis
    '\u0327', // cedilla
    '\u0336', // long stroke overlay
    '\u0489', // cyrillic millions sign (Me)
    '\u05B4', // hebrew point hiriq
    '\u20DD', // enclosing circle (Me)
    '\u20E3', // enclosing keycap (Me)
    '\uFE20', // combining ligature left half
  ],
} as const;

const BANNED = ['spam', 'scam', 'free money', 'кот'];
const bannedWords = createRule({ id: 'banned', type: 'bannedWords', params: { words: BANNED } });

const invisible = fc.constantFrom(...Object.values(INVISIBLE_CLASSES).flat());

/** `word` with invisible characters put between, before or after its code points. */
const disguised = (word: string) =>
  fc
    .array(fc.tuple(fc.nat({ max: [...word].length }), invisible), { minLength: 1, maxLength: 6 })
    .map((insertions) => {
      const points = [...word];
      for (const [at, character] of insertions.sort(([a], [b]) => b - a)) points.splice(at, 0, character);
      return points.join('');
    });

describe('bannedWords against characters a reader does not see', () => {
  it.each(['sp\u200Bam', 'sp\u00ADam', 'sp\u2060am', 'spam\u0301'])(
    'fails %j, as it fails SPAM',
    async (content) => {
      // Act
      const outcome = await bannedWords.check(`this is ${content} here`);

      // Assess
      expect(outcome.passed).toBe(false);
      expect(outcome.measured).toBe('banned words found 1: spam');
    },
  );

  it('fails a banned word with invisible characters put anywhere in it, in any case', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc
          .constantFrom(...BANNED)
          .chain((word) => fc.tuple(fc.constant(word), disguised(word), fc.boolean())),
        async ([word, hidden, upper]) => {
          const outcome = await bannedWords.check(`before ${upper ? hidden.toUpperCase() : hidden} after`);
          expect(outcome.passed, JSON.stringify(hidden)).toBe(false);
          expect(outcome.measured).toContain(word);
        },
      ),
      { seed: 15_06, numRuns: 500 },
    );
  });

  it('still passes words that only contain a banned one, however disguised', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('spammer', 'scampi', 'котлета').chain(disguised), async (hidden) => {
        expect((await bannedWords.check(`a ${hidden} b`)).passed, JSON.stringify(hidden)).toBe(true);
      }),
      { seed: 15_06, numRuns: 200 },
    );
  });
});
