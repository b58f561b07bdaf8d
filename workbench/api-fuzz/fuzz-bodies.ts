/**
 * The bodies the API fuzz sends, as fast-check arbitraries: valid submissions and batches
 * (a minority), and everything the API must refuse: JSON of every shape, broken JSON,
 * invalid UTF-8 and other encodings, extra and prototype-polluting keys, contents the
 * contract forbids, bodies beyond each size limit, deep nesting.
 */
import fc from 'fast-check';

export interface BodyChoice {
  /** What kind of body this is, for reports. */
  label: string;
  bytes: Buffer;
}

const json = (value: unknown) => JSON.stringify(value);
const utf8 = (text: string) => Buffer.from(text, 'utf8');
const body = (label: string, bytes: Buffer | string): BodyChoice => ({
  label,
  bytes: typeof bytes === 'string' ? utf8(bytes) : bytes,
});

/** Contents used over and over, so Idempotency-Keys get replayed with the same body. */
const POOLED_CONTENTS = [
  'Fuzz content 42',
  'short',
  'x',
  '0123456789',
  'Ünïcödé text 7',
  'emoji 🙂 and 9',
  'tab\tand\nnewline 3',
  'zero\u200bwidth 5',
];

/** Contents the API accepts (whatever the rules later decide): non-empty, well-formed, no stray controls. */
const contents = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...POOLED_CONTENTS) },
  {
    weight: 1,
    arbitrary: fc
      .string({ unit: 'grapheme', minLength: 1, maxLength: 40 })
      .filter((text) => text.isWellFormed() && !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffd]/.test(text)),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.string({ unit: 'grapheme-ascii', minLength: 9, maxLength: 30 }), fc.nat(9))
      .map(([text, digit]) => `${text}${digit}`)
      .filter((text) => !/[\u0000-\u001f]/.test(text)),
  },
);

/** JSON text for a `content` value the API must refuse, and a few it accepts. */
const CONTENT_VALUES = [
  '42',
  'null',
  'true',
  '{}',
  '{"text":"inside 12345"}',
  '["an array 12345"]',
  '""',
  '"\\u0000 nul 12345"',
  '"\\ud800 lone high 12345"',
  '"lone low \\udc00"',
  '"bell \\u0007 12345"',
  '"\\ufffd replacement 12345"',
  '"\ufffd raw replacement 12345"',
  '"unit sep \\u001f"',
  '"escaped tab\\t ok 12345"',
  '"crlf\\r\\n ok 12345"',
  '"\\u00e9scaped 12345"',
];

const validSubmission = fc
  .tuple(contents, fc.boolean())
  .map(([content, pretty]) =>
    body('a valid submission', pretty ? JSON.stringify({ content }, null, 2) : json({ content })),
  );

/** The fixtures' contents again, as a client retrying with its Idempotency-Key would send them (or changed). */
export const retriedSubmissions = fc
  .constantFrom('Fuzz content 42', 'Fuzz content 42', 'short')
  .map((content) => body('a submission sent again', json({ content })));

const EXTRA_KEYS = ['owner', 'status', 'id', 'attempts', '__proto__', 'constructor', 'prototype', ''];
const extraKeys = fc
  .tuple(contents, fc.constantFrom(...EXTRA_KEYS), fc.jsonValue({ maxDepth: 2 }))
  .map(([content, key, value]) =>
    body(`an extra key ${json(key)}`, `{"content":${json(content)},${json(key)}:${json(value)}}`),
  );

const prototypeKeys = fc
  .tuple(contents, fc.constantFrom('__proto__', 'constructor', 'prototype'))
  .map(([content, key]) =>
    body(
      `content only under ${key}`,
      `{${json(key)}:{"content":${json(content)},"prototype":{"content":1}}}`,
    ),
  );

const badContent = fc
  .constantFrom(...CONTENT_VALUES)
  .map((value) => body(`content ${value.slice(0, 24)}`, `{"content":${value}}`));

const anyJson = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }).map((value) => body('any JSON value', json(value) ?? 'null')),
  fc
    .jsonValue({ maxDepth: 3, stringUnit: 'grapheme' })
    .map((value) => body('any JSON as content', `{"content":${json(value) ?? 'null'}}`)),
  fc.json({ maxDepth: 2 }).map((text) => body('JSON text', text)),
);

/** Bodies serverless-offline hands over parsed, which the API must answer as the bytes deserve. */
const SPECIAL_DOCUMENTS = [
  'null',
  '""',
  'false',
  'true',
  '0',
  '-0',
  '1e400',
  '"a JSON string"',
  json(json({ content: 'a submission inside a JSON string 12345' })),
  '[]',
  '{}',
  ' ',
  '\n',
];
const specialDocuments = fc
  .constantFrom(...SPECIAL_DOCUMENTS)
  .map((text) => body(`the document ${json(text)}`, text));

const brokenJson = fc
  .tuple(
    contents,
    fc.nat(),
    fc.constantFrom('truncate', 'insert', 'single-quotes', 'trailing-comma', 'NaN', 'comment'),
  )
  .chain(([content, at, how]) =>
    fc.constantFrom('{', '}', '"', ',', ':', '\\', 'x', ' ', '\u0001').map((inserted) => {
      const valid = json({ content });
      const index = at % valid.length;
      const broken = {
        truncate: valid.slice(0, index),
        insert: valid.slice(0, index) + inserted + valid.slice(index),
        'single-quotes': valid.replaceAll('"', "'"),
        'trailing-comma': `${valid.slice(0, -1)},}`,
        NaN: '{"content":NaN}',
        comment: `// note\n${valid}`,
      }[how];
      return body(`broken JSON (${how})`, broken);
    }),
  );

/** Byte sequences no UTF-8 decoder may accept. */
const INVALID_UTF8 = [
  [0xff],
  [0xc3, 0x28],
  [0x80],
  [0xc0, 0xaf],
  [0xed, 0xa0, 0x80],
  [0xe2, 0x82],
  [0xf4, 0x90, 0x80, 0x80],
  [0xf8, 0x88, 0x80, 0x80, 0x80],
];
const invalidUtf8 = fc
  .tuple(contents, fc.constantFrom(...INVALID_UTF8), fc.nat())
  .map(([content, sequence, at]) => {
    const valid = utf8(json({ content: `${content} 12345` }));
    const index = at % valid.length;
    return body(
      'invalid UTF-8',
      Buffer.concat([valid.subarray(0, index), Buffer.from(sequence), valid.subarray(index)]),
    );
  });

const otherEncodings = contents.chain((content) =>
  fc.constantFrom(
    body(
      'UTF-16LE with a BOM',
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(json({ content }), 'utf16le')]),
    ),
    body('UTF-8 with a BOM', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), utf8(json({ content }))])),
    body('Latin-1', Buffer.from(json({ content: `caf\u00e9 ${content}` }), 'latin1')),
  ),
);

const NOT_JSON = [
  'content=hello+12345',
  '<content>x 12345</content>',
  'hello 12345',
  'undefined',
  '{content: "x 12345"}',
];
const notJson = fc.constantFrom(...NOT_JSON).map((text) => body('not JSON', text));

const emptyBody = fc.constant(body('an empty body', ''));

const duplicateKeys = fc.constantFrom(
  body('duplicate content, the last empty', '{"content":"first 12345","content":""}'),
  body('duplicate content, the last valid', '{"content":"","content":"last one 12345"}'),
  body('duplicate content, a number then text', '{"content":1,"content":"text 12345"}'),
);

/** Nested `depth` levels deep at the top, inside content, or under an unknown key. */
const deepNesting = fc
  .tuple(
    fc.integer({ min: 100, max: 20_000 }),
    fc.constantFrom('[', '{"a":'),
    fc.constantFrom('top', 'content', 'unknown-key', 'items'),
  )
  .map(([depth, opener, where]) => {
    const closer = opener === '[' ? ']' : '}';
    const core = opener === '[' ? '' : '1';
    const nested = opener.repeat(depth) + core + closer.repeat(depth);
    const text = {
      top: nested,
      content: `{"content":${nested}}`,
      'unknown-key': `{"content":"deep 12345","deep":${nested}}`,
      items: `{"items":[${nested}]}`,
    }[where];
    return body(`nested ${depth} deep (${where})`, text);
  });

/** A content of just under, at, or (mostly) over `max` bytes of UTF-8, in a body within the raw size cap. */
const oversizedContent = (max: number) =>
  fc.tuple(fc.integer({ min: -2, max: 300 }), fc.constantFrom('x', 'é', '🙂')).map(([over, filler]) => {
    const bytes = max + over;
    const fill = filler.repeat(Math.floor(bytes / Buffer.byteLength(filler)));
    const content = fill + '7'.repeat(bytes - Buffer.byteLength(fill));
    return { content, bytes };
  });

/** A body larger than `rawCap` bytes: one long content, padding whitespace, or many items. */
const hugeBody = (rawCap: number) =>
  fc
    .tuple(fc.integer({ min: 1, max: 4096 }), fc.constantFrom('content', 'whitespace', 'items'))
    .map(([over, how]) => {
      const size = rawCap + over;
      const text = {
        content: `{"content":"${'x'.repeat(size)}"}`,
        whitespace: `{"content":"padded 12345"${' '.repeat(size)}}`,
        items: `{"items":[${Array.from({ length: Math.ceil(size / 20) }, () => '{"content":"0123456"}').join(',')}]}`,
      }[how];
      return body(`beyond the raw cap (${how}, ${text.length} bytes)`, text);
    });

/** Bodies sent to POST /submissions, mostly refused. */
export function submissionBodies(maxContentBytes: number): fc.Arbitrary<BodyChoice> {
  const rawCap = maxContentBytes * 6 + 1024;
  return fc.oneof(
    { weight: 6, arbitrary: validSubmission },
    { weight: 2, arbitrary: extraKeys },
    { weight: 1, arbitrary: prototypeKeys },
    { weight: 3, arbitrary: badContent },
    { weight: 3, arbitrary: anyJson },
    { weight: 2, arbitrary: brokenJson },
    { weight: 2, arbitrary: invalidUtf8 },
    { weight: 1, arbitrary: otherEncodings },
    {
      weight: 2,
      arbitrary: oversizedContent(maxContentBytes).map(({ content, bytes }) =>
        body(`content of ${bytes} bytes`, json({ content })),
      ),
    },
    { weight: 1, arbitrary: hugeBody(rawCap) },
    { weight: 1, arbitrary: deepNesting },
    { weight: 1, arbitrary: duplicateKeys },
    { weight: 3, arbitrary: specialDocuments },
    { weight: 1, arbitrary: emptyBody },
    { weight: 1, arbitrary: notJson },
  );
}

const batchItems = (count: fc.Arbitrary<number>) =>
  count.chain((length) => fc.array(contents, { minLength: length, maxLength: length }));

/** Bodies sent to POST /submissions/batch, mostly refused. */
export function batchBodies(maxContentBytes: number): fc.Arbitrary<BodyChoice> {
  const rawCap = maxContentBytes * 25 * 6 + 1024;
  const items = (list: unknown[]) => json({ items: list });
  return fc.oneof(
    {
      weight: 4,
      arbitrary: batchItems(
        fc.oneof(
          { weight: 19, arbitrary: fc.integer({ min: 1, max: 3 }) },
          { weight: 1, arbitrary: fc.constant(25) },
        ),
      ).map((list) => body(`a valid batch of ${list.length}`, items(list.map((content) => ({ content }))))),
    },
    {
      weight: 1,
      arbitrary: batchItems(fc.integer({ min: 26, max: 30 })).map((list) =>
        body(`a batch of ${list.length}`, items(list.map((content) => ({ content })))),
      ),
    },
    { weight: 1, arbitrary: fc.constant(body('a batch of none', items([]))) },
    {
      weight: 1,
      arbitrary: fc
        .jsonValue({ maxDepth: 2 })
        .filter((value) => !Array.isArray(value))
        .map((value) => body('items not an array', `{"items":${json(value)}}`)),
    },
    {
      weight: 3,
      arbitrary: fc
        .tuple(
          batchItems(fc.integer({ min: 1, max: 4 })),
          fc.nat(),
          fc.constantFrom(...CONTENT_VALUES, 'extra-key', 'not-object'),
        )
        .map(([list, at, bad]) => {
          const parts = list.map((content) => json({ content }));
          const index = at % (parts.length + 1);
          const item =
            bad === 'extra-key'
              ? '{"content":"with owner 12345","owner":"mallory"}'
              : bad === 'not-object'
                ? '"just a string"'
                : `{"content":${bad}}`;
          parts.splice(index, 0, item);
          return body(`a batch with a bad item (${bad.slice(0, 20)})`, `{"items":[${parts.join(',')}]}`);
        }),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(oversizedContent(maxContentBytes), batchItems(fc.integer({ min: 0, max: 2 })))
        .map(([{ content, bytes }, list]) =>
          body(
            `a batch with an item of ${bytes} bytes`,
            items([...list.map((text) => ({ content: text })), { content }]),
          ),
        ),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(batchItems(fc.constant(1)), fc.constantFrom(...EXTRA_KEYS))
        .map(([list, key]) =>
          body(
            `a batch with an extra key ${json(key)}`,
            `{"items":${json(list.map((content) => ({ content })))},${json(key)}:1}`,
          ),
        ),
    },
    { weight: 1, arbitrary: hugeBody(rawCap) },
    { weight: 2, arbitrary: anyJson },
    { weight: 1, arbitrary: brokenJson },
    { weight: 1, arbitrary: invalidUtf8 },
    { weight: 1, arbitrary: deepNesting },
    { weight: 3, arbitrary: specialDocuments },
    { weight: 1, arbitrary: emptyBody },
    { weight: 1, arbitrary: notJson },
    { weight: 1, arbitrary: validSubmission },
  );
}
