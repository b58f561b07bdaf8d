import { patternCost, type RuleCost, unitsFromNs } from '../cost';
import { compileSafePattern } from '../safe-regex';

/**
 * What validating one document may cost, from the schema alone.
 *
 * Ajv's compiled validator applies each schema node to the document's values at one depth
 * (`items` to each item, `properties` to each property, …), and those values' text does not
 * overlap, so one node reads each byte of the document at most a fixed number of times. A
 * schema therefore costs, per byte, its number of nodes — every JSON value in it — times a
 * measured constant, plus each `pattern`'s RE2 program (as a `mustMatch` rule's), plus parsing
 * the JSON. `uniqueItems` compares items pairwise unless its items are declared a scalar
 * type, which grows with the square of the document.
 *
 * That holds for a schema without `$ref`s. Ajv compiles a `$ref` to a schema that has
 * `$ref`s of its own into a function call, and copies every error found so far at each
 * call (with `allErrors`), which grows with the square of the document: measured, 46 s for
 * 64 KiB. So `$ref`s are expanded first (`expandRefs`) and Ajv validates the expanded
 * schema, whose nodes are what is counted: a definition used twice counts twice. A schema
 * that refers to itself would expand without end — it can apply itself again at each level
 * of nesting, as often as the document nests — so its cost has no bound: refused at load.
 */
export class SchemaCostError extends Error {
  override name = 'SchemaCostError';
}

/** Expanded, a schema may hold at most this many JSON values: Ajv compiles every one into code. */
export const MAX_EXPANDED_NODES = 50_000;

/**
 * In ns a byte of the document, from bench/rule-cost.ts: parsing it (at worst deep nesting,
 * under 40), and each node of the schema applied to its values (at worst items of 2 bytes
 * failing every check, so that every node records an error for every item: under 40).
 */
const PARSE_NS_PER_BYTE = 60;
const NODE_NS_PER_BYTE = 80;
/**
 * `uniqueItems` comparing every pair of items, in ns a byte squared: at worst small objects
 * with distinct keys (`[{"0":0},{"1":0},…]`), under 0.8.
 */
const UNIQUE_ITEMS_NS_PER_BYTE_SQUARED = 2;

/** Keywords whose values are data compared with the document, not schemas. */
const DATA_KEYWORDS = new Set(['enum', 'const', 'default', 'examples']);
/** Keywords whose values map names to schemas (or, for `dependencies`, to lists of names). */
const MAP_KEYWORDS = new Set(['properties', 'patternProperties', 'dependencies']);
/** Keywords holding schemas that apply only where a `$ref` points to them. */
const DEFINITION_KEYWORDS = new Set(['definitions', '$defs']);

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isObject(value: Json | undefined): value is { [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value a local `$ref` ("#" or "#/a/b", a JSON pointer in a URI fragment) points to. */
function resolve(root: Json, ref: string): Json {
  if (!ref.startsWith('#'))
    throw new SchemaCostError(`$ref ${JSON.stringify(ref)} points outside the schema`);
  if (ref === '#') return root;
  if (!ref.startsWith('#/'))
    throw new SchemaCostError(`$ref ${JSON.stringify(ref)} is not a JSON pointer ("#/…")`);
  let target: Json = root;
  for (const token of ref.slice(2).split('/')) {
    const key = decodeURIComponent(token).replaceAll('~1', '/').replaceAll('~0', '~');
    const next: Json | undefined = Array.isArray(target)
      ? target[Number(key)]
      : isObject(target) && Object.hasOwn(target, key)
        ? target[key]
        : undefined;
    if (next === undefined) throw new SchemaCostError(`$ref ${JSON.stringify(ref)} points nowhere`);
    target = next;
  }
  return target;
}

function refsIn(value: Json): boolean {
  if (Array.isArray(value)) return value.some(refsIn);
  if (!isObject(value)) return false;
  return Object.entries(value).some(
    ([keyword, child]) =>
      (keyword === '$ref' && typeof child === 'string') || (!DATA_KEYWORDS.has(keyword) && refsIn(child)),
  );
}

/** Whether `schema` holds a `$ref` anywhere a schema stands. */
export function hasRefs(schema: Record<string, unknown>): boolean {
  return refsIn(schema as Json);
}

class Expander {
  readonly #root: Json;
  readonly #expanding: string[] = [];
  nodes = 0;

  constructor(root: Json) {
    this.#root = root;
  }

  /** `value` where a schema (or a list of schemas) stands, its `$ref`s replaced by what they point to. */
  schema(value: Json, top = false): Json {
    this.#count(1);
    if (Array.isArray(value)) return value.map((item) => this.schema(item));
    if (!isObject(value)) return value;
    if (!top && typeof value.$id === 'string')
      throw new SchemaCostError('a nested $id changes what its $refs point to');
    const expanded: { [key: string]: Json } = {};
    let target: Json | undefined;
    for (const [keyword, child] of Object.entries(value)) {
      if (DATA_KEYWORDS.has(keyword)) {
        this.#count(dataNodes(child));
        expanded[keyword] = child;
      } else if (DEFINITION_KEYWORDS.has(keyword)) {
        // Expanded where they are used; left out, as nothing else reads them.
      } else if (keyword === '$ref' && typeof child === 'string') target = this.#reference(child);
      else if (MAP_KEYWORDS.has(keyword) && isObject(child)) {
        this.#count(1);
        expanded[keyword] = Object.fromEntries(
          Object.entries(child).map(([name, schema]) => [name, this.schema(schema)]),
        );
      } else expanded[keyword] = this.schema(child);
    }
    if (target === undefined) return expanded;
    // A `$ref` alone is what it points to; beside other keywords (which Ajv applies too), it
    // becomes the first schema of an `allOf`.
    if (Object.keys(expanded).length === 0) return target;
    const { allOf, ...others } = expanded;
    return { ...others, allOf: [target, ...(Array.isArray(allOf) ? allOf : [])] };
  }

  #reference(ref: string): Json {
    if (this.#expanding.includes(ref))
      throw new SchemaCostError(`it refers to itself ($ref ${JSON.stringify(ref)})`);
    this.#expanding.push(ref);
    const expanded = this.schema(resolve(this.#root, ref));
    this.#expanding.pop();
    return expanded;
  }

  #count(nodes: number) {
    this.nodes += nodes;
    if (this.nodes > MAX_EXPANDED_NODES)
      throw new SchemaCostError(`its $refs expand to more than ${MAX_EXPANDED_NODES} nodes`);
  }
}

/**
 * `schema` with every `$ref` replaced by what it points to, and its definitions left out;
 * throws `SchemaCostError` when that has no end (a schema that refers to itself), points
 * outside the schema, or grows past `MAX_EXPANDED_NODES`.
 */
export function expandRefs(schema: Record<string, unknown>): Record<string, unknown> {
  return new Expander(schema as Json).schema(schema as Json, true) as Record<string, unknown>;
}

/** Every JSON value in `value`, counted as data. */
function dataNodes(value: Json): number {
  if (Array.isArray(value)) return value.reduce<number>((sum, item) => sum + dataNodes(item), 1);
  if (isObject(value)) return Object.values(value).reduce<number>((sum, item) => sum + dataNodes(item), 1);
  return 1;
}

/** Whether Ajv compares `uniqueItems` pairwise: unless `items` declares only scalar types. */
function comparesPairwise(schema: { [key: string]: Json }): boolean {
  const items = schema.items;
  if (!isObject(items)) return true;
  const types = typeof items.type === 'string' ? [items.type] : Array.isArray(items.type) ? items.type : [];
  return types.length === 0 || types.some((name) => name === 'object' || name === 'array');
}

function patternUnits(pattern: string): number {
  return patternCost(compileSafePattern(pattern, 'u').programSize).perByte;
}

interface Weight {
  /** JSON values of the schema. */
  nodes: number;
  /** Cost units per byte of the patterns the schema runs. */
  patternUnits: number;
  /** `uniqueItems` that compare items pairwise. */
  pairwise: number;
}

/** What `value`, where a schema (or a list of schemas) stands in a schema without `$ref`s, weighs. */
function weigh(value: Json, weight: Weight): void {
  weight.nodes += 1;
  if (Array.isArray(value)) {
    for (const item of value) weigh(item, weight);
    return;
  }
  if (!isObject(value)) return;
  for (const [keyword, child] of Object.entries(value)) {
    if (DATA_KEYWORDS.has(keyword)) weight.nodes += dataNodes(child);
    else if (keyword === 'pattern' && typeof child === 'string') {
      weight.nodes += 1;
      weight.patternUnits += patternUnits(child);
    } else if (MAP_KEYWORDS.has(keyword) && isObject(child)) {
      weight.nodes += 1;
      for (const schema of Object.values(child)) weigh(schema, weight);
      // Each name is tested against every pattern twice: for the pattern's schema, and
      // again by `additionalProperties` to tell whether the name is additional.
      if (keyword === 'patternProperties')
        for (const pattern of Object.keys(child)) weight.patternUnits += 2 * patternUnits(pattern);
    } else if (keyword === 'uniqueItems' && child === true) {
      weight.nodes += 1;
      if (comparesPairwise(value)) weight.pairwise += 1;
    } else weigh(child, weight);
  }
}

/** The most validating a document against `schema` (with its `$ref`s expanded) may cost. */
export function schemaCost(schema: Record<string, unknown>): RuleCost {
  const weight: Weight = { nodes: 0, patternUnits: 0, pairwise: 0 };
  weigh(schema as Json, weight);
  const { nodes, patternUnits, pairwise } = weight;
  return {
    perByte: unitsFromNs(PARSE_NS_PER_BYTE + NODE_NS_PER_BYTE * nodes) + patternUnits,
    ...(pairwise === 0 ? {} : { perByteSquared: unitsFromNs(UNIQUE_ITEMS_NS_PER_BYTE_SQUARED * pairwise) }),
    basis:
      `a JSON Schema of ${nodes} nodes` +
      (patternUnits > 0 ? ' with patterns' : '') +
      (pairwise > 0 ? `, ${pairwise} uniqueItems compared pairwise` : ''),
  };
}
