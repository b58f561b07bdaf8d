import { execFileSync } from 'node:child_process';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
/** Names that each folder of their kind has by convention. */
const CONVENTIONAL = ['README.md', 'tsconfig.json'];

describe('file names', () => {
  it('are unique across the repository, so a name alone says which file it is', () => {
    const files = execFileSync('git', ['ls-files'], { cwd: root, encoding: 'utf8' })
      .split('\n')
      .filter(Boolean);
    const seen = new Map<string, string[]>();
    for (const file of files) seen.set(basename(file), [...(seen.get(basename(file)) ?? []), file]);

    const shared = [...seen].filter(([name, paths]) => paths.length > 1 && !CONVENTIONAL.includes(name));

    expect(shared).toEqual([]);
  });
});
