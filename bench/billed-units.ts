/**
 * The capacity figure's model (bench/capacity.ts measures it): the content sizes of
 * the sweep, DynamoDB's billed units per submission by table or index, and the
 * units our store is expected to bill, which `npm run bench -- --smoke` checks exactly.
 */
import { contentFor } from './calls';
import type { CallRecord } from './counting-proxy';

/** Write (WRU) and read (RRU) request units, per submission. */
export interface UnitPair {
  write: number;
  read: number;
}

/** Units per submission: written and read, and both by table or index ("submissions ByOwner"). */
export interface Units extends UnitPair {
  byTarget: Record<string, UnitPair>;
}

/** One side's units per submission: the API's POST, the worker (claim to decision), one status poll. */
export interface SideUnits {
  api: Units;
  worker: Units;
  poll: Units;
}

/** The content sizes of the sweep; `short` is the bench's usual content (`contentFor`, items under 1 KB). */
export const CONTENT_SIZES = [
  { key: 'short', label: 'short', bytes: undefined },
  { key: '1k', label: '1 KiB', bytes: 1_024 },
  { key: '16k', label: '16 KiB', bytes: 16_384 },
  { key: '64k', label: '64 KiB', bytes: 65_536 },
] as const;

export type SizeKey = (typeof CONTENT_SIZES)[number]['key'];

export const isSizeKey = (key: string): key is SizeKey => CONTENT_SIZES.some((size) => size.key === key);
export const sizeLabel = (key: SizeKey) => CONTENT_SIZES.find((size) => size.key === key)?.label ?? key;

/** What one size measured, for ours (schema v2) and the peer (one item per submission, schema v1). */
export interface SizeUnits {
  size: SizeKey;
  ours: SideUnits;
  peer: SideUnits;
}

const PASSING = (index: number) => `bench submission number ${index} `;
const FAILING = 'bench submission without a number ';
const FILLER = 'lorem ipsum dolor sit amet ';

/**
 * The content of submission `index` at `size`: `contentFor` for `short`; otherwise ASCII of
 * exactly that many bytes that, like `contentFor`, passes the default rule set on even indexes
 * (it has a digit) and fails on odd ones (it has none).
 */
export function contentOfSize(index: number, size: SizeKey): string {
  const bytes = CONTENT_SIZES.find((entry) => entry.key === size)?.bytes;
  if (bytes === undefined) return contentFor(index);
  const start = index % 2 === 0 ? PASSING(index) : FAILING;
  return start.padEnd(bytes, FILLER).slice(0, bytes);
}

const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem']);

/**
 * Sums the capacity the proxy recorded on `calls`, per submission. `labels` names each table
 * by its role ("submissions", "peer idempotency"); an index is "<table's label> <index>".
 */
export function unitsOf(
  calls: readonly CallRecord[],
  submissions: number,
  labels: Readonly<Record<string, string>>,
): Units {
  const total: UnitPair = { write: 0, read: 0 };
  const byTarget: Record<string, UnitPair> = {};
  for (const call of calls) {
    const kind = WRITES.has(call.operation) ? 'write' : 'read';
    for (const [target, used] of Object.entries(call.capacity ?? {})) {
      const table = labels[call.resource] ?? call.resource;
      const name = target === 'table' ? table : `${table} ${target}`;
      byTarget[name] ??= { write: 0, read: 0 };
      byTarget[name][kind] += used;
      total[kind] += used;
    }
  }
  const per = ({ write, read }: UnitPair) => ({ write: write / submissions, read: read / submissions });
  return {
    ...per(total),
    byTarget: Object.fromEntries(Object.entries(byTarget).map(([name, pair]) => [name, per(pair)])),
  };
}

/** The units of several phases together (POST → decision: api + worker). */
export function sumUnits(...parts: Units[]): Units {
  const byTarget: Record<string, UnitPair> = {};
  for (const part of parts) {
    for (const [name, { write, read }] of Object.entries(part.byTarget)) {
      byTarget[name] = {
        write: (byTarget[name]?.write ?? 0) + write,
        read: (byTarget[name]?.read ?? 0) + read,
      };
    }
  }
  return {
    write: parts.reduce((sum, part) => sum + part.write, 0),
    read: parts.reduce((sum, part) => sum + part.read, 0),
    byTarget,
  };
}

/** POST → decision: the API's write and the worker's work. */
export const endToEnd = (side: SideUnits) => sumUnits(side.api, side.worker);

/**
 * Our write units per submission, POST → decision, by table or index, under the default rule
 * set (no `duplicate` rule, so the decision sets no `contentHash` and ByContent is never
 * written), and the read units of one status poll. 1 WRU per started KB written (an index
 * item counts apart), 1 RRU per started 4 KB read strongly consistently.
 *
 * short content (inline: the status item stays under 1 KB through every transition):
 * - submissions: create, claim, complete: 1 + 1 + 1 = 3;
 * - ActiveSubmissions (keys only): the item enters at create and leaves at the decision; the
 *   claim leaves `reapAt` alone, so writes none: 1 + 1 = 2;
 * - ByOwner (keys only): written at create, never changed: 1;
 * = 6 WRU.
 * 64 KiB content (65,536 bytes, MAX_CONTENT_BYTES): the same 6, plus the content item written
 * once at create: 65,536 bytes of content + 68 bytes of names and other values (`id` 2 +
 * "content#<uuid>" 44, `content` 7, `expiresAt` 9 + a 10-digit number 6) = 65,604 bytes,
 * more than 64 KB (65,536), so 65 WRU;
 * = 71 WRU.
 * A status poll: one strongly consistent GetItem of the status item (< 4 KB): 1 RRU, 0 WRU.
 */
export const EXPECTED_OURS: Partial<Record<SizeKey, { writes: Record<string, number>; pollReads: number }>> =
  {
    short: {
      writes: { submissions: 3, 'submissions ActiveSubmissions': 2, 'submissions ByOwner': 1 },
      pollReads: 1,
    },
    '64k': {
      writes: { submissions: 3 + 65, 'submissions ActiveSubmissions': 2, 'submissions ByOwner': 1 },
      pollReads: 1,
    },
  };

export const expectedWrites = (size: SizeKey): number | undefined => {
  const expected = EXPECTED_OURS[size];
  return expected && Object.values(expected.writes).reduce((sum, units) => sum + units, 0);
};

/** Units agree when they differ by rounding only (they are sums of whole units over N). */
const same = (a: number, b: number) => Math.abs(a - b) < 1e-6;
const shown = (value: number) => String(Number(value.toFixed(3)));

/**
 * How our measured units differ from EXPECTED_OURS, at each measured size that has expected
 * numbers: every write unit by table or index, their total, and the poll's units. Empty
 * when they agree exactly.
 */
export function differencesFromExpected(sizes: readonly SizeUnits[]): string[] {
  const differences: string[] = [];
  for (const { size, ours } of sizes) {
    const expected = EXPECTED_OURS[size];
    if (!expected) continue;
    const measured = endToEnd(ours);
    const label = sizeLabel(size);
    const targets = new Set([...Object.keys(expected.writes), ...Object.keys(measured.byTarget)]);
    for (const target of [...targets].sort()) {
      const units = measured.byTarget[target]?.write ?? 0;
      const wanted = expected.writes[target] ?? 0;
      if (!same(units, wanted))
        differences.push(`${label}: ${target} ${shown(units)} WRU, expected ${wanted}`);
    }
    const total = expectedWrites(size) ?? 0;
    if (!same(measured.write, total))
      differences.push(`${label}: ${shown(measured.write)} WRU per submission, expected ${total}`);
    if (!same(ours.poll.read, expected.pollReads) || !same(ours.poll.write, 0))
      differences.push(
        `${label}: a status poll ${shown(ours.poll.read)} RRU + ${shown(ours.poll.write)} WRU, expected ${expected.pollReads} RRU`,
      );
  }
  return differences;
}
