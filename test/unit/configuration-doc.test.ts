import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { settingsSchema } from '../../src/config/env';
import { configurationMarkdown, deployerSettings, GENERATED } from '../../workbench/configuration-doc';

const root = join(import.meta.dirname, '..', '..');

describe('docs/configuration.md and .env.example, generated from the config schema', () => {
  it.each(Object.entries(GENERATED))('%s is as `npm run docs:configuration` writes it', (file, generate) => {
    expect(readFileSync(join(root, file), 'utf8'), `run npm run docs:configuration`).toBe(generate());
  });

  it('names every setting of the schema and every one serverless.yml reads, with a meaning', () => {
    const page = configurationMarkdown();
    const names = [...Object.keys(settingsSchema.shape), ...deployerSettings().keys()];

    for (const name of names)
      expect(page, name).toMatch(new RegExp(`^\\| \`${name}\` \\| [^|]+ \\| \\S`, 'm'));
  });

  it('gives each setting of the schema a description', () => {
    const undescribed = Object.entries(settingsSchema.shape).filter(([, schema]) => !schema.description);

    expect(undescribed.map(([name]) => name)).toEqual([]);
  });
});
