/**
 * Calibrates the rule cost model (src/rules/cost.ts): for each case — a rule, or the rules
 * of a rule set, on worst-case content for it — the time the model predicts at 1, 16 and
 * 64 KiB of content against the time the rules took: first run in a fresh thread (cold, as
 * on a new worker) and the best of two more (warm). Every case must be predicted at or
 * above what it took; the largest measured ns per unit of the pattern cases is the figure
 * `COST_UNIT_NS` must stay above.
 *
 *   npm run bench:rule-cost [-- name filter]
 *
 * A run's time is its thread's CPU time, which
 * Linux counts in ticks of a few ms, or its wall-clock time when smaller (the wall clock is
 * exact, but on a busy machine also counts waiting). Exits 1 when a case took longer than
 * predicted, or a unit of a pattern's work longer than `COST_UNIT_NS`. Slow by design: the
 * worst cases take seconds each at 64 KiB (about a minute in all on two cores).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { COST_UNIT_NS, FIXED_MS, millisecondsOf, RULE_SET_BOUND, totalUnits } from '../src/rules/cost';
import { createRule } from '../src/rules/loader';
import type { RuleDefinition } from '../src/rules/rule-set-format';

interface Case {
  name: string;
  /** Whether the case is one pattern: those calibrate `COST_UNIT_NS`. */
  pattern?: boolean;
  rules: RuleDefinition[];
  /** Content of at most `bytes` bytes of UTF-8. */
  content(bytes: number): string;
}

const SIZES = [1024, 16 * 1024, 64 * 1024];

/** `unit` repeated to fill at most `bytes` bytes. */
const filled = (unit: string) => (bytes: number) => unit.repeat(Math.floor(bytes / Buffer.byteLength(unit)));

/** A JSON array of `item(i)`, as many as fit in `bytes` bytes. */
const jsonArray = (item: (index: number) => string) => (bytes: number) => {
  const items: string[] = [];
  let length = 2;
  for (let index = 0; ; index += 1) {
    const next = item(index);
    length += Buffer.byteLength(next) + (index === 0 ? 0 : 1);
    if (length > bytes) break;
    items.push(next);
  }
  return `[${items.join(',')}]`;
};

const mustNotMatch = (pattern: string, flags = ''): RuleDefinition[] => [
  { id: 'pattern', type: 'mustNotMatch', params: { pattern, flags } },
];

/** The rules of a rule set document, leaves of its `all` / `any` tree. */
function rulesOf(node: unknown): RuleDefinition[] {
  const value = node as { all?: unknown[]; any?: unknown[] };
  if (value.all || value.any) return (value.all ?? value.any ?? []).flatMap(rulesOf);
  return [node as RuleDefinition];
}

const defaultDocument = JSON.parse(
  readFileSync(join(__dirname, '..', 'src', 'rules', 'default-rule-set.json'), 'utf8'),
) as { rule: unknown };

const SLOW = '(?:[a-z]|[a-y]){1,300}[0-9]';

const CASES: Case[] = [
  // Patterns: every instruction a live thread at every character.
  { name: `pattern ${SLOW} on aaa…`, pattern: true, rules: mustNotMatch(SLOW), content: filled('a') },
  { name: `pattern ${SLOW} /i on AAA…`, pattern: true, rules: mustNotMatch(SLOW, 'i'), content: filled('A') },
  {
    name: 'pattern (?:[\\p{L}\\p{N}\\p{M}\\p{S}]|\\p{Lu}){1,300}[0-9] /i on ǅǅǅ…',
    pattern: true,
    rules: mustNotMatch('(?:[\\p{L}\\p{N}\\p{M}\\p{S}]|\\p{Lu}){1,300}[0-9]', 'i'),
    content: filled('ǅ'),
  },
  {
    name: 'pattern (?:[a-z]{1,30}){1,30}[0-9] on aaa…',
    pattern: true,
    rules: mustNotMatch('(?:[a-z]{1,30}){1,30}[0-9]'),
    content: filled('a'),
  },
  {
    name: 'pattern (?:\\b.|\\B.){1,300}[0-9] /s on aaa…',
    pattern: true,
    rules: mustNotMatch('(?:\\b.|\\B.){1,300}[0-9]', 's'),
    content: filled('a'),
  },
  {
    name: 'pattern (?:[a-z]|[a-y]){1,120}[0-9] on aaa… (backtracker up to 1 KiB)',
    pattern: true,
    rules: mustNotMatch('(?:[a-z]|[a-y]){1,120}[0-9]'),
    content: filled('a'),
  },
  {
    name: 'pattern (?:.|\\w){1,300}[0-9] on 😀😀😀…',
    pattern: true,
    rules: mustNotMatch('(?:.|\\w){1,300}[0-9]'),
    content: filled('😀'),
  },
  { name: 'pattern [0-9] on aaa…', pattern: true, rules: mustNotMatch('[0-9]'), content: filled('a') },
  {
    name: 'pattern \\b[A-Z]{3}-[0-9]+\\b on ABC-ABC-…',
    pattern: true,
    rules: mustNotMatch('\\b[A-Z]{3}-[0-9]+\\b'),
    content: filled('ABC-'),
  },
  {
    name: 'pattern casino|viagra|lottery /i on casincasin…',
    pattern: true,
    rules: mustNotMatch('casino|viagra|lottery', 'i'),
    content: filled('casin'),
  },
  // The default rule set, and the other rule types on what is worst for each.
  { name: 'default rule set on 000…', rules: rulesOf(defaultDocument.rule), content: filled('0') },
  { name: 'default rule set on 😀😀😀…', rules: rulesOf(defaultDocument.rule), content: filled('😀') },
  {
    name: 'minLength on aaa…',
    rules: [{ id: 'min', type: 'minLength', params: { min: 10 } }],
    content: filled('a'),
  },
  {
    name: 'maxLength on é😀é😀…',
    rules: [{ id: 'max', type: 'maxLength', params: { max: 10 } }],
    content: filled('é😀'),
  },
  { name: 'requireDigit on 000…', rules: [{ id: 'digit', type: 'requireDigit' }], content: filled('0') },
  {
    name: 'maxLines on \\r\\r\\r…',
    rules: [{ id: 'lines', type: 'maxLines', params: { max: 5 } }],
    content: filled('\r'),
  },
  {
    name: 'maxLinks on "www.a " repeated',
    rules: [{ id: 'links', type: 'maxLinks', params: { max: 2 } }],
    content: filled('www.a '),
  },
  {
    name: 'bannedWords ["a"] on aaa…',
    rules: [{ id: 'banned', type: 'bannedWords', params: { words: ['a'] } }],
    content: filled('a'),
  },
  {
    name: 'bannedWords 1000 words on "w1 w2 w3 …" (single words: looked up)',
    rules: [
      {
        id: 'banned',
        type: 'bannedWords',
        params: { words: Array.from({ length: 1000 }, (_, index) => `x${index}`) },
      },
    ],
    content: (bytes) =>
      Array.from({ length: bytes }, (_, index) => `w${index}`)
        .join(' ')
        .slice(0, bytes),
  },
  {
    name: 'bannedWords ["-"] on a-a-a… (a phrase, never whole)',
    rules: [{ id: 'banned', type: 'bannedWords', params: { words: ['-'] } }],
    content: filled('a-'),
  },
  {
    name: 'bannedWords 100 phrases -a, -a-a, … on a-a-a…',
    rules: [
      {
        id: 'banned',
        type: 'bannedWords',
        params: { words: Array.from({ length: 100 }, (_, index) => '-a'.repeat(index + 1)) },
      },
    ],
    content: filled('a-'),
  },
  {
    name: 'bannedWords ["-a"×500] on a-a-a…',
    rules: [{ id: 'banned', type: 'bannedWords', params: { words: ['-a'.repeat(500)] } }],
    content: filled('a-'),
  },
  {
    name: 'bannedWords the 10 letters U+FDFA folds to, on ﷺﷺﷺ… (18 characters each)',
    rules: [
      {
        id: 'banned',
        type: 'bannedWords',
        params: { words: ['ص', 'ل', 'ى', 'ا', 'ه', 'ع', 'ي', 'و', 'س', 'م'] },
      },
    ],
    content: filled('\uFDFA'),
  },
  {
    name: "bannedWords 3 phrases across U+FDFA's spaces, on ﷺﷺﷺ…",
    rules: [{ id: 'banned', type: 'bannedWords', params: { words: ['ى ا', 'ه ع', 'ه و'] } }],
    content: filled('\uFDFA'),
  },
  {
    name: 'bannedWords 100 Cyrillic phrases -ж, -ж-ж, … on ж-ж-ж…',
    rules: [
      {
        id: 'banned',
        type: 'bannedWords',
        params: { words: Array.from({ length: 100 }, (_, index) => '-ж'.repeat(index + 1)) },
      },
    ],
    content: filled('ж-'),
  },
  {
    name: 'bannedWords ["e"] on e + U+0301 (marks dropped)',
    rules: [{ id: 'banned', type: 'bannedWords', params: { words: ['e'] } }],
    content: filled('e\u0301'),
  },
  {
    name: 'jsonSchema items: string on [0,0,…] (an error per item)',
    rules: [
      {
        id: 'schema',
        type: 'jsonSchema',
        params: { schema: { type: 'array', items: { type: 'string' } } },
      },
    ],
    content: jsonArray(() => '0'),
  },
  {
    name: 'jsonSchema items: 10 checks on [0,0,…]',
    rules: [
      {
        id: 'schema',
        type: 'jsonSchema',
        params: {
          schema: {
            type: 'array',
            items: {
              type: 'integer',
              minimum: 1,
              maximum: -1,
              exclusiveMinimum: 5,
              multipleOf: 7,
              not: { type: 'integer' },
              enum: [1, 2, 3],
              const: 9,
            },
          },
        },
      },
    ],
    content: jsonArray(() => '0'),
  },
  {
    name: 'jsonSchema 20 properties, required, no others, on [{"a":0},…]',
    rules: [
      {
        id: 'schema',
        type: 'jsonSchema',
        params: {
          schema: {
            type: 'array',
            items: {
              type: 'object',
              properties: Object.fromEntries(
                Array.from({ length: 20 }, (_, index) => [`p${index}`, { type: 'string', minLength: 3 }]),
              ),
              required: Array.from({ length: 20 }, (_, index) => `p${index}`),
              additionalProperties: false,
            },
          },
        },
      },
    ],
    content: jsonArray(() => '{"a":0}'),
  },
  {
    name: 'jsonSchema definitions used 8 times on [0,0,…]',
    rules: [
      {
        id: 'schema',
        type: 'jsonSchema',
        params: {
          schema: {
            definitions: {
              leaf: { type: 'string', maxLength: 1 },
              twice: { allOf: [{ $ref: '#/definitions/leaf' }, { $ref: '#/definitions/leaf' }] },
              four: { allOf: [{ $ref: '#/definitions/twice' }, { $ref: '#/definitions/twice' }] },
            },
            type: 'array',
            items: { allOf: [{ $ref: '#/definitions/four' }, { $ref: '#/definitions/four' }] },
          },
        },
      },
    ],
    content: jsonArray(() => '0'),
  },
  {
    name: `jsonSchema pattern ${SLOW} on ["aaa…"]`,
    rules: [
      {
        id: 'schema',
        type: 'jsonSchema',
        params: { schema: { type: 'array', items: { type: 'string', pattern: SLOW } } },
      },
    ],
    content: (bytes) => `["${'a'.repeat(bytes - 4)}"]`,
  },
  {
    name: 'jsonSchema patternProperties on {"aaa…":0}',
    rules: [
      {
        id: 'schema',
        type: 'jsonSchema',
        params: {
          schema: {
            type: 'object',
            patternProperties: { '^(?:[a-z]|[a-y]){1,50}[0-9]': { type: 'string' } },
            additionalProperties: { type: 'string' },
          },
        },
      },
    ],
    content: (bytes) => `{"${'a'.repeat(bytes - 6)}":0}`,
  },
  {
    name: 'jsonSchema uniqueItems on [0,1,2,…] (pairwise)',
    rules: [{ id: 'schema', type: 'jsonSchema', params: { schema: { type: 'array', uniqueItems: true } } }],
    content: jsonArray((index) => String(index)),
  },
  {
    name: 'jsonSchema uniqueItems on [{"0":0},{"1":0},…] (pairwise)',
    rules: [{ id: 'schema', type: 'jsonSchema', params: { schema: { type: 'array', uniqueItems: true } } }],
    content: jsonArray((index) => `{"${index}":0}`),
  },
  {
    name: 'jsonSchema uniqueItems on [[0],[1],…] (pairwise)',
    rules: [{ id: 'schema', type: 'jsonSchema', params: { schema: { type: 'array', uniqueItems: true } } }],
    content: jsonArray((index) => `[${index}]`),
  },
  {
    name: 'jsonSchema on "\\u0041\\u0041…" (parsing escapes)',
    rules: [{ id: 'schema', type: 'jsonSchema', params: { schema: { type: 'string' } } }],
    content: (bytes) => `"${'\\u0041'.repeat(Math.floor((bytes - 2) / 6))}"`,
  },
  {
    name: 'jsonSchema on [[[[…]]]] (deep nesting)',
    rules: [{ id: 'schema', type: 'jsonSchema', params: { schema: { type: 'array' } } }],
    content: (bytes) => `${'['.repeat(Math.floor(bytes / 2))}${']'.repeat(Math.floor(bytes / 2))}`,
  },
];

interface Timing {
  /** CPU time of the measuring thread, first run and best of the others. */
  coldCpuMs: number;
  warmCpuMs: number;
  /** Wall-clock time, the same runs: longer than the CPU time when the machine is busy. */
  coldWallMs: number;
  warmWallMs: number;
}

/** In a fresh thread: the rules' first run on the content, then the best of two more. */
function measureHere(rules: RuleDefinition[], content: string): Timing {
  const compiled = rules.map((rule) => createRule(rule));
  const cpuMs = () => {
    const { user, system } = process.threadCpuUsage();
    return (user + system) / 1000;
  };
  const run = () => {
    const [wallStart, cpuStart] = [performance.now(), cpuMs()];
    for (const rule of compiled) rule.check(content);
    return { wall: performance.now() - wallStart, cpu: cpuMs() - cpuStart };
  };
  const cold = run();
  // A run of seconds is its own warm-up: one more is enough.
  const warm = Array.from({ length: cold.wall > 2000 ? 1 : 2 }, run);
  return {
    coldCpuMs: cold.cpu,
    warmCpuMs: Math.min(...warm.map(({ cpu }) => cpu)),
    coldWallMs: cold.wall,
    warmWallMs: Math.min(...warm.map(({ wall }) => wall)),
  };
}

function measureInThread(index: number, bytes: number): Promise<Timing> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(__filename, { workerData: { index, bytes } });
    worker.once('message', resolve);
    worker.once('error', reject);
  });
}

const format = (ms: number) => (ms < 10 ? ms.toFixed(2) : ms.toFixed(0)).padStart(7);

/** Pattern cases whose per-byte work is predicted above this calibrate `COST_UNIT_NS`; below, fixed costs dominate. */
const CALIBRATING_MS = 20;

async function main(filter: string | undefined): Promise<number> {
  const cases = CASES.filter((entry) => filter === undefined || entry.name.includes(filter));
  console.log(
    `COST_UNIT_NS ${COST_UNIT_NS}, FIXED_MS ${FIXED_MS}, bound ${RULE_SET_BOUND.toExponential(2)} units ` +
      `(${millisecondsOf(RULE_SET_BOUND)} ms); ns/unit is what a unit of the rules' per-byte work took`,
  );
  console.log(
    `${'case'.padEnd(66)} KiB     units  predicted  cpu: cold    warm  wall: cold    warm  ns/unit  within`,
  );
  let worstNsPerUnit = 0;
  const over: string[] = [];
  for (const entry of cases) {
    const costs = entry.rules.map((rule) => createRule(rule).cost);
    for (const bytes of SIZES) {
      const size = Buffer.byteLength(entry.content(bytes));
      const units = totalUnits(costs, size);
      const perByteUnits = units - totalUnits([], size);
      const predicted = millisecondsOf(units);
      const timing = await measureInThread(CASES.indexOf(entry), bytes);
      const taken = Math.max(
        Math.min(timing.coldCpuMs, timing.coldWallMs),
        Math.min(timing.warmCpuMs, timing.warmWallMs),
      );
      // What a unit of the rules' own work took, leaving FIXED_MS out of the prediction.
      const nsPerUnit = (taken * 1_000_000) / perByteUnits;
      if (entry.pattern && millisecondsOf(perByteUnits) >= CALIBRATING_MS)
        worstNsPerUnit = Math.max(worstNsPerUnit, nsPerUnit);
      const within = predicted >= taken;
      if (!within) over.push(`${entry.name} at ${bytes / 1024} KiB`);
      console.log(
        [
          entry.name.slice(0, 66).padEnd(66),
          String(bytes / 1024).padStart(3),
          units.toExponential(2).padStart(9),
          format(predicted).padStart(10),
          format(timing.coldCpuMs).padStart(10),
          format(timing.warmCpuMs),
          format(timing.coldWallMs).padStart(11),
          format(timing.warmWallMs),
          nsPerUnit.toFixed(1).padStart(8),
          within ? ' yes' : ' NO',
        ].join(' '),
      );
    }
  }
  console.log(
    `\nlargest ns per unit of the pattern cases predicted above ${CALIBRATING_MS} ms: ` +
      `${worstNsPerUnit.toFixed(1)} (COST_UNIT_NS is ${COST_UNIT_NS}; it must stay at or above it)`,
  );
  if (over.length > 0) console.log(`took longer than predicted:\n  ${over.join('\n  ')}`);
  else console.log('every case took at most the time predicted');
  return over.length > 0 || worstNsPerUnit > COST_UNIT_NS ? 1 : 0;
}

if (isMainThread) {
  main(process.argv[2]).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
} else {
  const { index, bytes } = workerData as { index: number; bytes: number };
  const entry = CASES[index]!;
  parentPort!.postMessage(measureHere(entry.rules, entry.content(bytes)));
}
