import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/env';
import { LOCAL_PORTS } from '../../src/config/stages';

const root = join(import.meta.dirname, '..', '..');
const example = readFileSync(join(root, '.env.example'), 'utf8');
/** serverless.yml without its comments. */
const serverless = readFileSync(join(root, 'serverless.yml'), 'utf8').replace(/^\s*#.*$/gm, '');

/** `# NAME=value` lines of .env.example: each setting and the default it shows. */
const documented = new Map(
  [...example.matchAll(/^# ([A-Z][A-Z0-9_]*)=(.*)$/gm)].map(([, name, value]) => [name!, value!]),
);
/** Settings serverless.yml reads from the deploying shell, with the default it gives (if any). */
const read = new Map(
  [...serverless.matchAll(/\$\{env(?:List)?:([A-Z][A-Z0-9_]*)(?:, '?([^'}]*)'?)?\}/g)].map(
    ([, name, value]) => [name!, value],
  ),
);
/** Read by serverless.yml for the tests' own use, not a deployer's setting. */
const INTERNAL = ['ESBUILD_WORK_FOLDER'];

describe('.env.example', () => {
  it('documents every setting serverless.yml reads, and every port of `npm start`', () => {
    const settings = [...read.keys(), ...Object.keys(LOCAL_PORTS), 'DYNAMODB_DATA_DIR'].filter(
      (name) => !INTERNAL.includes(name),
    );

    expect(settings.filter((name) => !documented.has(name))).toEqual([]);
    expect([...documented.keys()].filter((name) => !settings.includes(name))).toEqual([]);
  });

  it("shows each setting's real default: the config schema's, else serverless.yml's, else `npm start`'s", () => {
    const schema = loadConfig({ TABLE_NAME: 't', QUEUE_URL: 'http://localhost/q' }) as Record<
      string,
      unknown
    >;
    const ports = LOCAL_PORTS as Record<string, number>;

    for (const [name, shown] of documented) {
      const actual = name in schema ? schema[name] : name in ports ? ports[name] : read.get(name);
      expect(shown, name).toBe(actual === undefined ? '' : String(actual));
    }
  });
});
