/**
 * `npm run smoke -- --url URL [--token T]`: drives a stage end to end over HTTP, as a
 * client would. A passing and a failing content are submitted and polled (honouring
 * `Retry-After`) until decided, then a bad request must come back as problem+json.
 * Callable in-process: `main` returns the exit status instead of exiting.
 */
import { STATUS_CODES } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { retryAfterMs } from '../src/ui/poll-delay';
import { type CommandLineIo, commandOrExit, EXIT, UsageError } from './command-line';

export const DEFAULT_PASS = 'This contains number 42';
export const DEFAULT_FAIL = 'short';
export const DEFAULT_TIMEOUT_S = 60;

export const USAGE = `Usage: npm run smoke -- --url <url> [options]

Drives a stage end to end over HTTP: submits a content its rule set passes and one it
fails, polls each (honouring Retry-After) until decided, then sends a bad request.

Options:
  --url <url>        the API's base URL, http(s): the HttpApiUrl \`serverless deploy\` prints,
                     or http://localhost:3000 for \`npm start\`
  --token <token>    sent as Authorization: Bearer <token> (default: SMOKE_TOKEN);
                     get one with \`npm run token -- --stage <stage>\`
  --pass <text>      content the rule set passes (default "${DEFAULT_PASS}")
  --fail <text>      content the rule set fails (default "${DEFAULT_FAIL}")
  --timeout-s <s>    how long to wait for each verdict, in seconds (default ${DEFAULT_TIMEOUT_S})
  -h, --help         this text

Exit status: 0 every check passed, 1 a check failed or the stage could not be reached, 2 usage error.`;

export interface SmokeOptions {
  /** The API's base URL, without a trailing slash. */
  url: string;
  token?: string;
  pass: string;
  fail: string;
  timeoutMs: number;
}

export type SmokeCommand = { command: 'help' } | { command: 'run'; options: SmokeOptions };

/** Parses `npm run smoke -- [options]`; throws UsageError for anything it does not know. */
export function parseSmokeArgs(argv: readonly string[], env: NodeJS.ProcessEnv = {}): SmokeCommand {
  let values: ReturnType<typeof parse>['values'];
  try {
    ({ values } = parse(argv));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if (values.help) return { command: 'help' };
  if (values.url === undefined) throw new UsageError('missing --url (the API base URL).');
  const token = values.token ?? (env.SMOKE_TOKEN || undefined);
  if (token !== undefined && !/^[\x21-\x7e]+$/.test(token)) {
    throw new UsageError('--token must be non-empty, printable, without spaces.');
  }
  return {
    command: 'run',
    options: {
      url: baseUrl(values.url),
      ...(token === undefined ? {} : { token }),
      pass: content('pass', values.pass ?? DEFAULT_PASS),
      fail: content('fail', values.fail ?? DEFAULT_FAIL),
      timeoutMs: timeoutFrom(values['timeout-s']),
    },
  };
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: false,
    strict: true,
    options: {
      url: { type: 'string' },
      token: { type: 'string' },
      pass: { type: 'string' },
      fail: { type: 'string' },
      'timeout-s': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

function baseUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(
      `--url '${value}' is not a URL (e.g. https://abc123.execute-api.eu-west-1.amazonaws.com).`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`--url '${value}' is not an http(s) URL.`);
  }
  if (url.username || url.password) {
    throw new UsageError(`--url must not carry credentials; pass a token with --token.`);
  }
  if (url.search || url.hash || value.includes('?') || value.includes('#')) {
    throw new UsageError(`--url '${value}' must be a base URL, without a query or fragment.`);
  }
  return url.href.replace(/\/+$/, '');
}

function content(flag: 'pass' | 'fail', value: string): string {
  if (value === '') throw new UsageError(`--${flag} must not be empty.`);
  return value;
}

function timeoutFrom(value: string | undefined): number {
  if (value === undefined) return DEFAULT_TIMEOUT_S * 1000;
  const seconds = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || !Number.isFinite(seconds) || seconds <= 0) {
    throw new UsageError(`--timeout-s must be a number of seconds above 0, got '${value}'.`);
  }
  return Math.round(seconds * 1000);
}

/** `npm run smoke -- …`: returns the exit status (0 all checks passed, 1 a check failed, 2 usage error). */
export async function main(argv: readonly string[], io: CommandLineIo): Promise<number> {
  const command = commandOrExit(() => parseSmokeArgs(argv, io.env), USAGE, io);
  if (typeof command === 'number') return command;
  const report = await runSmoke(command.options, io.out);
  const failed = report.checks.filter((check) => !check.ok);
  if (failed.length === 0 && report.notRun === 0) {
    io.out(`smoke: ${report.checks.length} checks passed`);
    return EXIT.ok;
  }
  const passed = report.checks.length - failed.length;
  const counts = [`${failed.length} failed`, `${passed} passed`];
  if (report.notRun > 0) counts.push(`${report.notRun} not run`);
  io.err(
    [`smoke: ${plural(report.total, 'check')}, ${counts.join(', ')}:`]
      .concat(failed.map((check) => `  ${check.name}: ${check.message}`))
      .join('\n'),
  );
  return EXIT.failed;
}

export interface CheckResult {
  name: string;
  ok: boolean;
  /** What the ok line said, or why the check failed. */
  message: string;
}

export interface SmokeReport {
  total: number;
  checks: CheckResult[];
  /** Checks skipped because an earlier one failed in a way that made them pointless. */
  notRun: number;
}

/** A check's expectation not met. `stop`: no further check can tell anything (unreachable, refused). */
class CheckFailed extends Error {
  constructor(
    message: string,
    readonly stop = false,
  ) {
    super(message);
  }
}

type Verdict = 'PASSED' | 'FAILED';

/** One request's wait for an answer; a verdict's wait is `timeoutMs`. */
const REQUEST_TIMEOUT_MS = 30_000;
/** When a not-yet-decided answer carries no usable Retry-After. */
const FALLBACK_POLL_MS = 1000;
/** Retry-After: 0 would poll in a busy loop. */
const MIN_POLL_MS = 100;

/** Runs every check against `options.url`, writing one line per check to `out`. */
export async function runSmoke(options: SmokeOptions, out: (line: string) => void): Promise<SmokeReport> {
  const scenarios = [
    { label: 'passing', content: options.pass, expected: 'PASSED' },
    { label: 'failing', content: options.fail, expected: 'FAILED' },
  ] as const;
  const total = scenarios.length * 2 + 1;
  const checks: CheckResult[] = [];
  let stopped = false;

  const check = async (name: string, body: () => Promise<string>): Promise<void> => {
    if (stopped) return;
    try {
      const line = await body();
      checks.push({ name, ok: true, message: line });
      out(`ok   ${line}`);
    } catch (error) {
      if (!(error instanceof CheckFailed)) throw error;
      checks.push({ name, ok: false, message: error.message });
      out(`FAIL ${name}: ${error.message}`);
      stopped ||= error.stop;
    }
  };

  for (const scenario of scenarios) {
    let id: string | undefined;
    await check(`POST ${scenario.label} content`, async () => {
      id = await submit(options, scenario.content);
      return `POST ${scenario.label} content → 202 ${id}`;
    });
    if (id === undefined) continue;
    const submitted = id;
    await check(`verdict for ${scenario.label} content`, () =>
      awaitVerdict(options, submitted, scenario.content, scenario.expected),
    );
  }
  await check('POST without content', () => badRequest(options));
  return { total, checks, notRun: total - checks.length };
}

async function submit(options: SmokeOptions, content: string): Promise<string> {
  const reply = await send(options, 'POST', '/submissions', { content });
  refuseIfPointless(options, reply, 'POST');
  if (reply.status !== 202) throw new CheckFailed(`expected 202, got ${describe(reply)}`);
  const where = `the 202's body`;
  if (isProblem(reply)) throw new CheckFailed(`${where} is problem+json: ${describe(reply)}`);
  if (!isJsonType(reply)) throw new CheckFailed(`${where} is ${contentType(reply) || 'untyped'}, not JSON`);
  const body = reply.json;
  if (!isRecord(body)) throw new CheckFailed(`${where} is not a JSON object: ${snippet(reply.text)}`);
  if (typeof body.id !== 'string' || body.id === '') {
    throw new CheckFailed(`${where} has no id: ${snippet(reply.text)}`);
  }
  const location = reply.headers.get('location');
  if (!location) throw new CheckFailed(`the 202 for ${body.id} has no Location header`);
  if (!location.endsWith(`/submissions/${body.id}`)) {
    throw new CheckFailed(`the 202's Location '${location}' does not name submission ${body.id}`);
  }
  return body.id;
}

async function awaitVerdict(
  options: SmokeOptions,
  id: string,
  content: string,
  expected: Verdict,
): Promise<string> {
  const path = `/submissions/${encodeURIComponent(id)}`;
  const started = performance.now();
  const deadline = started + options.timeoutMs;
  let polls = 0;
  for (;;) {
    const reply = await send(options, 'GET', path);
    polls++;
    refuseIfPointless(options, reply, 'GET');
    const elapsed = () => `${plural(polls, 'poll')} (${Math.round(performance.now() - started)} ms)`;
    const body = reply.json;
    if (reply.status === 200 && isRecord(body) && (body.status === 'PASSED' || body.status === 'FAILED')) {
      if (body.status === expected) return `verdict ${expected} after ${elapsed()}`;
      throw new CheckFailed(
        `expected ${expected}, got ${body.status} after ${elapsed()} for content ${JSON.stringify(content)}` +
          failedRules(body),
      );
    }
    // Throttled or briefly unavailable: wait as told, within the same deadline.
    const notYet = reply.status === 200 || reply.status === 429 || reply.status === 503;
    if (!notYet) throw new CheckFailed(`expected 200 from GET ${path}, got ${describe(reply)}`);
    if (reply.status === 200 && !isRecord(body)) {
      throw new CheckFailed(`GET ${path} answered 200 without a JSON object: ${snippet(reply.text)}`);
    }
    const last =
      reply.status === 200 ? `still ${String(isRecord(body) ? body.status : '?')}` : describe(reply);
    const remaining = deadline - performance.now();
    if (remaining <= 0) {
      throw new CheckFailed(
        `expected ${expected} within ${options.timeoutMs / 1000} s, ${last} after ${elapsed()}` +
          ' (--timeout-s waits longer)',
      );
    }
    const hinted = retryAfterMs(reply.headers.get('retry-after'), Date.now()) ?? FALLBACK_POLL_MS;
    await delay(Math.min(remaining, Math.max(MIN_POLL_MS, hinted)));
  }
}

async function badRequest(options: SmokeOptions): Promise<string> {
  const reply = await send(options, 'POST', '/submissions', {});
  refuseIfPointless(options, reply, 'POST');
  if (reply.status < 400 || reply.status > 499) {
    throw new CheckFailed(`expected a 4xx (400), got ${describe(reply)}`);
  }
  if (!isProblem(reply)) {
    throw new CheckFailed(
      `expected Content-Type application/problem+json, got '${contentType(reply) || 'none'}' with ${reply.status}`,
    );
  }
  const body = reply.json;
  if (!isRecord(body)) {
    throw new CheckFailed(`the ${reply.status}'s body is not JSON: ${snippet(reply.text)}`);
  }
  if (body.status !== reply.status) {
    throw new CheckFailed(
      `the problem's status is ${JSON.stringify(body.status)}, the response's ${reply.status}`,
    );
  }
  if (typeof body.detail !== 'string' || body.detail.trim() === '') {
    throw new CheckFailed(`the ${reply.status} problem has no detail: ${snippet(reply.text)}`);
  }
  return `POST without content → ${reply.status} problem+json: ${JSON.stringify(body.detail)}`;
}

/** Answers after which no other check can tell anything: refused credentials, a wrong base URL. */
function refuseIfPointless(options: SmokeOptions, reply: Reply, method: 'GET' | 'POST'): void {
  if (reply.status === 401 || reply.status === 403) {
    const getOne = 'npm run token -- --stage <stage>';
    throw new CheckFailed(
      options.token === undefined
        ? `the API needs a token (none was given): ${describe(reply)}. ` +
            `Get one with \`${getOne}\` and pass it with --token (or SMOKE_TOKEN).`
        : `the API refused the token: ${describe(reply)}. It may have expired or be for another stage: ` +
            `get a new one with \`${getOne}\` and pass it with --token (or SMOKE_TOKEN).`,
      true,
    );
  }
  if (reply.status === 404 && method === 'POST') {
    throw new CheckFailed(
      `POST ${reply.url} answered ${describe(reply)}: ${options.url} is probably not the API's base URL ` +
        '(the HttpApiUrl `serverless deploy` or `serverless info` prints, under which /submissions lives).',
      true,
    );
  }
}

interface Reply {
  url: string;
  status: number;
  statusText: string;
  headers: Headers;
  text: string;
  /** The body parsed as JSON; undefined when it is not JSON. */
  json: unknown;
}

async function send(options: SmokeOptions, method: 'GET' | 'POST', path: string, body?: unknown) {
  const url = `${options.url}${path}`;
  const headers: Record<string, string> = { accept: 'application/json, application/problem+json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      // A redirect would turn the POST into a GET; report it instead.
      redirect: 'manual',
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    text = await response.text();
  } catch (error) {
    throw new CheckFailed(unreachable(options.url, method, url, error), true);
  }
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return {
    url,
    status: response.status,
    statusText: response.statusText || STATUS_CODES[response.status] || '',
    headers: response.headers,
    text,
    json,
  } satisfies Reply;
}

/** fetch's "fetch failed" says nothing; the code is on its cause (or the cause's errors, for several addresses). */
function unreachable(base: string, method: string, url: string, error: unknown): string {
  if (error instanceof Error && error.name === 'TimeoutError') {
    return `${method} ${url} got no answer within ${REQUEST_TIMEOUT_MS / 1000} s`;
  }
  const cause = error instanceof Error ? (error.cause as any) : undefined;
  const code: unknown = cause?.code ?? cause?.errors?.[0]?.code ?? (error as any)?.code;
  const reason: string = cause?.message || (error instanceof Error ? error.message : String(error));
  const why = code === undefined || reason.includes(String(code)) ? reason : `${String(code)}: ${reason}`;
  return `${base} could not be reached (${why || String(code)}). Is the stage running and --url its base URL?`;
}

function contentType(reply: Reply): string {
  return reply.headers.get('content-type') ?? '';
}

function isProblem(reply: Reply): boolean {
  return /^application\/problem\+json\b/i.test(contentType(reply));
}

function isJsonType(reply: Reply): boolean {
  return /^application\/json\b/i.test(contentType(reply));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `400 Bad Request, detail: "…"`: the status and what the body says about it. */
function describe(reply: Reply): string {
  const status = `${reply.status}${reply.statusText ? ` ${reply.statusText}` : ''}`;
  const body = reply.json;
  if (isRecord(body)) {
    // problem+json's detail; API Gateway's {"message": …}; serverless-offline's {"error": …}.
    for (const field of ['detail', 'message', 'error'] as const) {
      const value = body[field];
      if (typeof value === 'string' && value) return `${status}, ${field}: ${JSON.stringify(value)}`;
    }
  }
  if (reply.status >= 300 && reply.status < 400 && reply.headers.get('location')) {
    return `${status} to ${reply.headers.get('location')}`;
  }
  return reply.text ? `${status}: ${snippet(reply.text)}` : status;
}

function failedRules(body: Record<string, unknown>): string {
  const result = body.result;
  if (!isRecord(result) || !Array.isArray(result.rules)) return '';
  const failed = result.rules
    .filter((rule): rule is Record<string, unknown> => isRecord(rule) && rule.passed === false)
    .map((rule) => `${String(rule.rule)} (${String(rule.message)})`);
  return failed.length > 0 ? `; failed rules: ${failed.join(', ')}` : '';
}

function snippet(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 200 ? `${flat.slice(0, 200)}…` : flat || '(empty)';
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
