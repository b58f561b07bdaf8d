import { RE2JS } from 're2js';

/** The regex sees at most this many UTF-16 code units of the content (64 KiB of ASCII). */
export const PATTERN_INPUT_LIMIT = 65_536;

const FLAGS: Readonly<Record<string, number>> = {
  i: RE2JS.CASE_INSENSITIVE,
  m: RE2JS.MULTILINE,
  s: RE2JS.DOTALL,
};

export const SUPPORTED_FLAGS = Object.keys(FLAGS).join('');

/** A pattern compiled for RE2: matching time is linear in the input, so no pattern can backtrack catastrophically. */
export interface SafePattern {
  /** Whether the pattern occurs in the first `PATTERN_INPUT_LIMIT` code units of `content`. */
  test(content: string): boolean;
}

/**
 * Compiles with RE2 semantics; throws (with RE2's reason) on what RE2 cannot run
 * in linear time, such as backreferences and lookaround.
 */
export function compileSafePattern(pattern: string, flags = ''): SafePattern {
  let bits = 0;
  for (const flag of flags) bits |= FLAGS[flag] ?? 0;
  const compiled = RE2JS.compile(pattern, bits);
  return { test: (content) => compiled.matcher(capInput(content)).find() };
}

/** Cuts at the limit without splitting a surrogate pair. */
export function capInput(content: string): string {
  if (content.length <= PATTERN_INPUT_LIMIT) return content;
  const end = /[\ud800-\udbff]/.test(content.charAt(PATTERN_INPUT_LIMIT - 1))
    ? PATTERN_INPUT_LIMIT - 1
    : PATTERN_INPUT_LIMIT;
  return content.slice(0, end);
}
