import { describe, expect, it } from 'vitest';
import { createRule } from '../../src/rules/loader';
import { PATTERN_INPUT_LIMIT } from '../../src/rules/safe-regex';

const EMOJI = '😀';
const COMBINING_ACUTE = '\u0301';

/** A rule of `type` alone, as an operator would write it in a document. */
function check(type: string, params: Record<string, unknown>, content: string) {
  return createRule({ id: 'r', type, params }).check(content);
}

describe('minLength / maxLength (Unicode code points)', () => {
  it.each([
    { content: 'a'.repeat(5), min: 5, passed: true },
    { content: 'a'.repeat(4), min: 5, passed: false },
    { content: EMOJI.repeat(5), min: 5, passed: true },
    { content: `${`e${COMBINING_ACUTE}`.repeat(2)}a`, min: 5, passed: true },
    { content: '', min: 0, passed: true },
  ])('minLength $min on $content → passed=$passed', ({ content, min, passed }) => {
    // Act
    const outcome = check('minLength', { min }, content);

    // Assess
    expect(outcome).toMatchObject({ rule: 'r', type: 'minLength', passed });
  });

  it.each([
    { content: EMOJI.repeat(3), max: 3, passed: true },
    { content: EMOJI.repeat(4), max: 3, passed: false },
    { content: `e${COMBINING_ACUTE}e${COMBINING_ACUTE}`, max: 3, passed: false },
    { content: '👩\u200d💻', max: 3, passed: true },
  ])('maxLength $max on $content → passed=$passed', ({ content, max, passed }) => {
    // Act
    const outcome = check('maxLength', { max }, content);

    // Assess
    expect(outcome.passed).toBe(passed);
  });

  it('records the measured length and the limit in words', () => {
    // Act
    const outcome = check('minLength', { min: 10 }, `${EMOJI}abcdef`);

    // Assess
    expect(outcome).toMatchObject({
      passed: false,
      measured: 'length 7, minimum 10',
      message: 'Content must be at least 10 characters long; it is 7.',
    });
  });
});

describe('requireDigit (ASCII 0-9 only)', () => {
  it.each([
    { name: 'an ASCII digit', content: 'abc7', passed: true },
    { name: 'an Arabic-Indic digit', content: 'abc٣', passed: false },
    { name: 'a Devanagari digit', content: 'abc३', passed: false },
    { name: 'a fullwidth digit', content: 'abc３', passed: false },
    { name: 'a superscript two', content: 'x²', passed: false },
    { name: 'a keycap emoji (digit inside)', content: '1️⃣', passed: true },
  ])('$name → passed=$passed', ({ content, passed }) => {
    // Act
    const outcome = check('requireDigit', {}, content);

    // Assess
    expect(outcome.passed).toBe(passed);
  });

  it('counts the digits it measured', () => {
    // Act
    const outcome = check('requireDigit', {}, 'a1b22');

    // Assess
    expect(outcome.measured).toBe('digits (0-9) 3, minimum 1');
  });
});

describe('mustMatch / mustNotMatch (RE2)', () => {
  it.each([
    { pattern: '^[A-Z]{3}-\\d+$', flags: '', content: 'ABC-123', passed: true },
    { pattern: '^[A-Z]{3}-\\d+$', flags: '', content: 'abc-123', passed: false },
    { pattern: '^[a-z]{3}-\\d+$', flags: 'i', content: 'ABC-123', passed: true },
    { pattern: '^second$', flags: '', content: 'first\nsecond', passed: false },
    { pattern: '^second$', flags: 'm', content: 'first\nsecond', passed: true },
    { pattern: 'a.b', flags: 's', content: 'a\nb', passed: true },
    { pattern: '\\p{Greek}+', flags: '', content: 'λόγος', passed: true },
    { pattern: 'é', flags: 'i', content: 'CAFÉ', passed: true },
  ])('mustMatch /$pattern/$flags on $content → passed=$passed', ({ pattern, flags, content, passed }) => {
    // Act
    const outcome = check('mustMatch', { pattern, flags }, content);

    // Assess
    expect(outcome).toMatchObject({ type: 'mustMatch', passed, measured: passed ? 'matched' : 'no match' });
  });

  it('mustNotMatch passes exactly when the pattern is absent', () => {
    // Act
    const clean = check('mustNotMatch', { pattern: 'casino', flags: 'i' }, 'a quiet post');
    const dirty = check('mustNotMatch', { pattern: 'casino', flags: 'i' }, 'Visit our CASINO');

    // Assess
    expect(clean.passed).toBe(true);
    expect(dirty).toMatchObject({ passed: false, message: 'Content must not match the pattern casino.' });
  });

  it('runs the classic catastrophic pattern (a+)+$ on a long adversarial input and decides', () => {
    // Prepare
    const adversarial = `${'a'.repeat(50_000)}!`;

    // Act
    const outcome = check('mustMatch', { pattern: '(a+)+$' }, adversarial);
    const matching = check('mustMatch', { pattern: '(a+)+$' }, 'a'.repeat(50_000));

    // Assess
    expect(outcome.passed).toBe(false);
    expect(matching.passed).toBe(true);
  });

  it('looks only at the first 64 KiB and says so', () => {
    // Prepare
    const content = `${'x'.repeat(PATTERN_INPUT_LIMIT)}needle`;

    // Act
    const outcome = check('mustMatch', { pattern: 'needle' }, content);

    // Assess
    expect(outcome).toMatchObject({
      passed: false,
      measured: `no match in the first ${PATTERN_INPUT_LIMIT} characters`,
    });
  });
});

describe('bannedWords (whole words, any case, any script)', () => {
  it.each([
    { name: 'the word itself', words: ['spam'], content: 'this is spam', passed: false },
    { name: 'another case', words: ['spam'], content: 'SPAM!', passed: false },
    { name: 'fullwidth letters (NFKC)', words: ['spam'], content: 'ｓｐａｍ here', passed: false },
    { name: 'a longer word containing it', words: ['spam'], content: 'spammer', passed: true },
    { name: 'a word with it as a suffix', words: ['ham'], content: 'graham', passed: true },
    { name: 'a Cyrillic word', words: ['кот'], content: 'Мой Кот, спит', passed: false },
    { name: 'a Cyrillic word inside a longer one', words: ['кот'], content: 'котлета', passed: true },
    { name: 'a Greek word with a final sigma', words: ['λόγος'], content: 'ΛΌΓΟΣ.', passed: false },
    { name: 'German ß folded to ss', words: ['strasse'], content: 'Die Straße', passed: false },
    {
      name: 'a composed vs decomposed accent',
      words: ['café'],
      content: `un cafe${COMBINING_ACUTE} noir`,
      passed: false,
    },
    // Marks are dropped before matching (issue 15 §6: `spam\u0301` must not pass).
    {
      name: 'an accented form of the word',
      words: ['cafe'],
      content: `un cafe${COMBINING_ACUTE}`,
      passed: false,
    },
    { name: 'a word with an accent inside it', words: ['resume'], content: 'my résumé', passed: false },
    { name: 'a digit touching the word', words: ['win'], content: 'win2', passed: true },
    { name: 'a phrase', words: ['free money'], content: 'Get FREE  money? no: free money!', passed: false },
    { name: 'an emoji next to the word', words: ['spam'], content: `${EMOJI}spam${EMOJI}`, passed: false },
  ])('$name → passed=$passed', ({ words, content, passed }) => {
    // Act
    const outcome = check('bannedWords', { words }, content);

    // Assess
    expect(outcome.passed).toBe(passed);
  });

  it('names the words it found', () => {
    // Act
    const outcome = check('bannedWords', { words: ['spam', 'scam', 'ham'] }, 'Spam and scam, spam again');

    // Assess
    expect(outcome).toMatchObject({
      passed: false,
      message: 'Content must not contain banned words; it contains spam, scam.',
      measured: 'banned words found 2: spam, scam',
    });
  });
});

describe('maxLinks', () => {
  it.each([
    { content: 'no links here', links: 0 },
    { content: 'see https://example.com and http://a.b/c?d=1', links: 2 },
    { content: 'visit www.example.com now', links: 1 },
    { content: 'https://www.example.com counts once', links: 1 },
    { content: 'HTTPS://EXAMPLE.COM', links: 1 },
    { content: 'ftp://example.com and mailto:x@www.example.com', links: 0 },
    { content: 'https:// alone is not a link', links: 0 },
  ])('counts $links in $content', ({ content, links }) => {
    // Act
    const outcome = check('maxLinks', { max: 1 }, content);

    // Assess
    expect(outcome.measured).toBe(`links ${links}, maximum 1`);
    expect(outcome.passed).toBe(links <= 1);
  });
});

describe('maxLines', () => {
  it.each([
    { content: 'one', lines: 1 },
    { content: 'one\ntwo', lines: 2 },
    { content: 'one\r\ntwo\rthree', lines: 3 },
    { content: 'one\ntwo\n', lines: 2 },
    { content: '\n\n', lines: 2 },
  ])('counts $lines lines in $content', ({ content, lines }) => {
    // Act
    const outcome = check('maxLines', { max: 2 }, content);

    // Assess
    expect(outcome.measured).toBe(`lines ${lines}, maximum 2`);
    expect(outcome.passed).toBe(lines <= 2);
  });
});

describe('jsonSchema (Ajv, patterns on RE2)', () => {
  const schema = {
    type: 'object',
    properties: {
      title: { type: 'string', minLength: 1 },
      rating: { type: 'integer', minimum: 1, maximum: 5 },
    },
    required: ['title', 'rating'],
    additionalProperties: false,
  };

  it.each([
    { content: '{"title":"Good","rating":5}', passed: true, measured: 'JSON, matches the schema' },
    { content: '{"title":"Good","rating":9}', passed: false, measured: 'JSON, 1 schema error' },
    { content: '{"rating":"high"}', passed: false, measured: 'JSON, 2 schema errors' },
    { content: '[1, 2]', passed: false, measured: 'JSON, 1 schema error' },
    { content: 'title: Good', passed: false, measured: 'not JSON' },
    { content: '', passed: false, measured: 'not JSON' },
  ])('$content → passed=$passed ($measured)', ({ content, passed, measured }) => {
    // Act
    const outcome = check('jsonSchema', { schema }, content);

    // Assess
    expect(outcome).toMatchObject({ passed, measured });
  });

  it('names the first schema error in the message', () => {
    // Act
    const outcome = check('jsonSchema', { schema }, '{"title":"Good","rating":9}');

    // Assess
    expect(outcome.message).toBe('Content must be JSON matching the schema: /rating must be <= 5.');
  });

  it('says when the content is not JSON, with an operator’s template', () => {
    // Act
    const outcome = createRule({
      id: 'review',
      type: 'jsonSchema',
      params: { schema },
      message: 'Send a review as JSON ({error}; {errors} problem(s)).',
    }).check('{oops');

    // Assess
    expect(outcome.message).toBe('Send a review as JSON (not valid JSON; 1 problem(s)).');
  });

  it.each([
    { name: 'an unknown type', schema: { type: 'nonsense' }, reason: 'schema is invalid' },
    {
      name: 'an unknown keyword (strict mode)',
      schema: { type: 'string', lenght: 3 },
      reason: 'unknown keyword',
    },
    { name: 'a pattern RE2 cannot run', schema: { type: 'string', pattern: '(a)\\1' }, reason: 'regexp' },
  ])('refuses $name at load, naming the rule', ({ schema: bad, reason }) => {
    // Act
    const load = () => createRule({ id: 'review', type: 'jsonSchema', params: { schema: bad } });

    // Assess
    expect(load).toThrow(/params\.schema is not a JSON Schema Ajv accepts/);
    expect(load).toThrow(reason);
  });

  it('refuses a schema that is not an object at load', () => {
    // Act
    const load = () => createRule({ id: 'review', type: 'jsonSchema', params: { schema: 'string' } });

    // Assess
    expect(load).toThrow('params.schema must be a JSON Schema object');
  });
});
