import type { RE2JS } from 're2js';

/** The regex sees at most this many UTF-16 code units of the content (64 KiB of ASCII). */
export const PATTERN_INPUT_LIMIT = 65_536;

const FLAGS = { i: 'CASE_INSENSITIVE', m: 'MULTILINE', s: 'DOTALL' } as const;

export const SUPPORTED_FLAGS = Object.keys(FLAGS).join('');

let engine: typeof RE2JS | undefined;

/**
 * RE2 is loaded on the first pattern, not with the module: a rule set without
 * patterns (the default) never needs it, and loading it costs every cold start
 * about 10 ms (measured by `npm run bench`).
 */
function re2(): typeof RE2JS {
  engine ??= (require('re2js') as typeof import('re2js')).RE2JS;
  return engine;
}

/** A pattern compiled for RE2: matching time is linear in the input, so no pattern can backtrack catastrophically. */
export interface SafePattern {
  /** Whether the pattern occurs in the first `PATTERN_INPUT_LIMIT` code units of `content`. */
  test(content: string): boolean;
  /** Instructions in the compiled program: what a match may cost per character (see cost.ts). */
  readonly programSize: number;
}

/**
 * Compiles with RE2 semantics; throws (with RE2's reason) on what RE2 cannot run
 * in linear time, such as backreferences and lookaround.
 */
export function compileSafePattern(pattern: string, flags = ''): SafePattern {
  const RE2 = re2();
  let bits = 0;
  for (const flag of flags) {
    const name = FLAGS[flag as keyof typeof FLAGS];
    if (name !== undefined) bits |= RE2[name];
  }
  const compiled = RE2.compile(pattern, bits);
  return {
    test: (content) => compiled.matcher(capInput(content)).find(),
    programSize: compiled.programSize(),
  };
}

/** Cuts at the limit without splitting a surrogate pair. */
export function capInput(content: string): string {
  if (content.length <= PATTERN_INPUT_LIMIT) return content;
  const end = /[\ud800-\udbff]/.test(content.charAt(PATTERN_INPUT_LIMIT - 1))
    ? PATTERN_INPUT_LIMIT - 1
    : PATTERN_INPUT_LIMIT;
  return content.slice(0, end);
}
