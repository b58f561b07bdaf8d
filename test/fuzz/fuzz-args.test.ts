import { describe, expect, it } from 'vitest';
import { DEFAULT_RUNS, parseFuzzArgs } from '../../workbench/fuzz-run';

/** `npm run fuzz -- …`'s command line (the runs themselves: api-fuzz.test.ts). */
describe('npm run fuzz arguments', () => {
  const fixedSeed = () => 7;

  it('defaults to a random seed and the default number of requests', () => {
    expect(parseFuzzArgs([], fixedSeed)).toEqual({
      command: 'run',
      options: { runs: DEFAULT_RUNS, seed: 7 },
    });
  });

  it('takes --runs, --seed and --path', () => {
    expect(parseFuzzArgs(['--runs', '2000', '--seed=-42', '--path', '41:0:2'])).toEqual({
      command: 'run',
      options: { runs: 2000, seed: -42, path: '41:0:2' },
    });
  });

  it.each([
    [['--runs', '0'], /--runs must be a whole number above 0/],
    [['--runs', '1.5'], /--runs must be a whole number above 0/],
    [['--seed', 'abc'], /--seed must be an integer/],
    [['--path', 'x'], /--path must be fast-check's path/],
    [['--url', 'http://localhost:3000'], /Unknown option '--url'/],
  ])('refuses %j', (argv, message) => {
    expect(() => parseFuzzArgs(argv as string[])).toThrow(message);
  });

  it('answers --help', () => {
    expect(parseFuzzArgs(['-h'])).toEqual({ command: 'help' });
  });
});
