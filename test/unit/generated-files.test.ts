import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { settingsSchema } from '../../src/config/env';
import { configurationMarkdown, deployerSettings, GENERATED } from '../../workbench/generate';

const root = join(import.meta.dirname, '..', '..');

describe("the generated files: docs/configuration.md, .env.example, the LocalStack hook's names", () => {
  it.each(Object.entries(GENERATED))('%s is as `npm run generate` writes it', (file, generate) => {
    expect(readFileSync(join(root, file), 'utf8'), `run npm run generate`).toBe(generate());
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
