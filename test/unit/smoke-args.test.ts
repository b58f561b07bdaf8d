import { describe, expect, it } from 'vitest';
import { UsageError } from '../../workbench/command-line';
import {
  DEFAULT_FAIL,
  DEFAULT_PASS,
  DEFAULT_TIMEOUT_S,
  main,
  parseSmokeArgs,
  USAGE,
} from '../../workbench/smoke-run';

const BASE = 'https://abc123.execute-api.eu-west-1.amazonaws.com';

/** Runs `main` in-process with no network: only what never gets past the arguments. */
async function runMain(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { env: {}, out: (text) => out.push(text), err: (text) => err.push(text) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('parseSmokeArgs', () => {
  it('needs only --url; everything else has a default', () => {
    // Act
    const command = parseSmokeArgs(['--url', BASE]);

    // Assess
    expect(command).toEqual({
      command: 'run',
      options: { url: BASE, pass: DEFAULT_PASS, fail: DEFAULT_FAIL, timeoutMs: DEFAULT_TIMEOUT_S * 1000 },
    });
    expect(DEFAULT_PASS).toBe('This contains number 42');
    expect(DEFAULT_FAIL).toBe('short');
    expect(DEFAULT_TIMEOUT_S).toBe(60);
  });

  it.each([
    ['http://localhost:3000/', 'http://localhost:3000'],
    ['http://localhost:3000', 'http://localhost:3000'],
    [`${BASE}/prod//`, `${BASE}/prod`],
    ['HTTPS://Example.COM/Base/', 'https://example.com/Base'],
  ])('tolerates a trailing slash: %s → %s', (url, expected) => {
    // Act
    const command = parseSmokeArgs(['--url', url]);

    // Assess
    expect(command).toMatchObject({ command: 'run', options: { url: expected } });
  });

  it('reads --pass, --fail and --timeout-s (seconds, fractions allowed)', () => {
    // Act
    const command = parseSmokeArgs([
      '--url',
      BASE,
      '--pass',
      'abcdefghi1',
      '--fail',
      'no digits here',
      '--timeout-s',
      '2.5',
    ]);

    // Assess
    expect(command).toMatchObject({
      options: { pass: 'abcdefghi1', fail: 'no digits here', timeoutMs: 2500 },
    });
  });

  it('takes the token from --token, else from SMOKE_TOKEN', () => {
    // Act
    const fromFlag = parseSmokeArgs(['--url', BASE, '--token', 'flag.jwt'], { SMOKE_TOKEN: 'env.jwt' });
    const fromEnv = parseSmokeArgs(['--url', BASE], { SMOKE_TOKEN: 'env.jwt' });
    const emptyEnv = parseSmokeArgs(['--url', BASE], { SMOKE_TOKEN: '' });

    // Assess
    expect(fromFlag).toMatchObject({ options: { token: 'flag.jwt' } });
    expect(fromEnv).toMatchObject({ options: { token: 'env.jwt' } });
    expect(emptyEnv.command === 'run' && 'token' in emptyEnv.options).toBe(false);
  });

  it.each([[['--help']], [['-h']], [['--url', BASE, '--help']]])('answers %j with help', (argv) => {
    expect(parseSmokeArgs(argv)).toEqual({ command: 'help' });
  });

  it.each([
    { argv: [], message: /missing --url/ },
    { argv: ['--token', 'abc'], message: /missing --url/ },
    { argv: ['--url'], message: /--url/ },
    { argv: ['--url', BASE, '--verbose'], message: /verbose/ },
    { argv: ['--url', BASE, 'extra'], message: /extra/ },
    { argv: ['--url', 'localhost:3000'], message: /not an http\(s\) URL/ },
    { argv: ['--url', 'ftp://example.com'], message: /not an http\(s\) URL/ },
    { argv: ['--url', 'not a url'], message: /is not a URL/ },
    { argv: ['--url', `${BASE}/?stage=prod`], message: /without a query/ },
    { argv: ['--url', 'https://user:secret@example.com'], message: /credentials/ },
    { argv: ['--url', BASE, '--timeout-s', '0'], message: /--timeout-s must be a number of seconds above 0/ },
    { argv: ['--url', BASE, '--timeout-s', '-5'], message: /--timeout-s/ },
    { argv: ['--url', BASE, '--timeout-s', 'soon'], message: /got 'soon'/ },
    { argv: ['--url', BASE, '--timeout-s', '1e3'], message: /got '1e3'/ },
    { argv: ['--url', BASE, '--pass', ''], message: /--pass must not be empty/ },
    { argv: ['--url', BASE, '--fail', ''], message: /--fail must not be empty/ },
    { argv: ['--url', BASE, '--token', ''], message: /--token must be non-empty/ },
    { argv: ['--url', BASE, '--token', 'two words'], message: /without spaces/ },
  ])('refuses $argv: $message', ({ argv, message }) => {
    // Act
    const parse = () => parseSmokeArgs(argv);

    // Assess
    expect(parse).toThrow(UsageError);
    expect(parse).toThrow(message);
  });
});

describe('main, before any request', () => {
  it('exits 2 with the error and the usage on standard error for a usage error', async () => {
    // Act
    const { code, out, err } = await runMain(['--url', 'ftp://example.com']);

    // Assess
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toContain("error: --url 'ftp://example.com' is not an http(s) URL.");
    expect(err).toContain(USAGE);
  });

  it('prints the usage on standard output and exits 0 for --help', async () => {
    // Act
    const { code, out, err } = await runMain(['--help']);

    // Assess
    expect(code).toBe(0);
    expect(out).toBe(USAGE);
    expect(err).toBe('');
  });

  it('documents every option in the usage text', () => {
    for (const option of ['--url', '--token', 'SMOKE_TOKEN', '--pass', '--fail', '--timeout-s', '--help']) {
      expect(USAGE).toContain(option);
    }
    expect(USAGE).toContain('npm run token -- --stage');
    expect(USAGE).toMatch(/Exit status: 0 .*, 1 .*, 2 usage error/);
  });
});
