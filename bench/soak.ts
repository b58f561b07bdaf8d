/**
 * The chaos soak: N submissions over HTTP through the local stack while faults
 * are injected at random, then the design's invariants are checked (no loss,
 * decided once, correct verdict). Stops by itself; all traffic stays on 127.0.0.1.
 *
 *   npm run soak -- --n 300
 *
 * Faults: a DynamoDB fault proxy (bench/fault-proxy.ts) throttles, fails and
 * loses responses; worker processes (bench/soak-worker.ts, the standalone
 * worker) are SIGKILLed mid-batch or shut down (SIGTERM) and replaced; ~3 % of
 * submissions stall their worker past the lease; a dependency of the rules is
 * down for --outage-ms of every --outage-every-ms, while ids get extra queue
 * messages; a share of claims hits its deadline; ~10 % of ids get extra queue
 * messages; the reaper runs every second. The last line printed is the verdict;
 * the exit code is 1 on any violation.
 */
import { createWriteStream, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, GetQueueUrlCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { CONTENT_KEY_PREFIX } from '../src/adapters/dynamodb/table';
import { invokeThroughOffline } from '../src/adapters/sqs/event-source';
import { createSqsClient } from '../src/adapters/sqs/sqs-client';
import { stageResourceNames } from '../src/config/stages';
import type { Submission } from '../src/domain/submission';
import { freePort, startLocalStack } from '../workbench/local/stack';
import { type FaultProxy, startFaultProxy } from './fault-proxy';
import { contentFor, expectedOutcome, isSlowRuleContent, outageAt } from './soak-content';
import { WorkerPool } from './soak-worker-pool';

const { values } = parseFlags({
  options: {
    n: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '32' },
    workers: { type: 'string', default: '3' },
    'fault-rate': { type: 'string', default: '0.02' },
    'duplicate-rate': { type: 'string', default: '0.1' },
    'kill-every-ms': { type: 'string', default: '3000' },
    'reaper-every-ms': { type: 'string', default: '1000' },
    /** SIGTERM to one worker this often: a graceful shutdown mid-batch. */
    'shutdown-every-ms': { type: 'string', default: '5000' },
    /** A dependency of the rules is down for the first --outage-ms of every --outage-every-ms. */
    'outage-every-ms': { type: 'string', default: '25000' },
    'outage-ms': { type: 'string', default: '6000' },
    /** The share of claims whose deadline hits right after the claim. */
    'deadline-hit-rate': { type: 'string', default: '0.03' },
    /** Seconds allowed, after the last POST, for every submission to be decided. */
    'deadline-s': { type: 'string' },
    /**
     * ORPHAN_AFTER_MS. Shorter than the time a message waits in the backlog, the
     * reaper's orphan sweep re-enqueues every waiting submission each period.
     */
    'orphan-after-ms': { type: 'string', default: '3000' },
    /**
     * Seconds the whole run may take (stack start to verdict); past it the soak stops
     * everything and fails. Default: both deadlines plus 300 s for start and teardown.
     */
    'max-s': { type: 'string' },
    seed: { type: 'string', default: String(Date.now() % 2 ** 31) },
  },
});
function usage(problem: string): never {
  console.error(`soak: ${problem}`);
  process.exit(2);
}
/** parseArgs, with an unknown flag or a flag without its value a usage error (exit 2). */
function parseFlags<Config extends ParseArgsConfig>(config: Config): ReturnType<typeof parseArgs<Config>> {
  try {
    return parseArgs(config);
  } catch (error) {
    return usage(error instanceof Error ? error.message : String(error));
  }
}
/** A flag's whole-number value; exits 2 naming the flag when it is not one, or is below `minimum`. */
function wholeNumber(name: string, text: string, minimum: number): number {
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < minimum) {
    usage(`--${name} must be a whole number of at least ${minimum} (got ${JSON.stringify(text)})`);
  }
  return value;
}
/** A flag's rate; exits 2 naming the flag when it is not a number from 0 to 1. */
function rate(name: string, text: string): number {
  const value = /^(\d+\.?\d*|\.\d+)$/.test(text) ? Number(text) : Number.NaN;
  if (!(value >= 0 && value <= 1))
    usage(`--${name} must be a number from 0 to 1 (got ${JSON.stringify(text)})`);
  return value;
}
const count = wholeNumber('n', values.n, 1);
const concurrency = wholeNumber('concurrency', values.concurrency, 1);
const workerCount = wholeNumber('workers', values.workers, 1);
const faultRate = rate('fault-rate', values['fault-rate']);
const duplicateRate = rate('duplicate-rate', values['duplicate-rate']);
const killEveryMs = wholeNumber('kill-every-ms', values['kill-every-ms'], 1);
const reaperEveryMs = wholeNumber('reaper-every-ms', values['reaper-every-ms'], 1);
const shutdownEveryMs = wholeNumber('shutdown-every-ms', values['shutdown-every-ms'], 1);
const outageEveryMs = wholeNumber('outage-every-ms', values['outage-every-ms'], 1);
const outageMs = wholeNumber('outage-ms', values['outage-ms'], 0);
const deadlineHitRate = rate('deadline-hit-rate', values['deadline-hit-rate']);
const orphanAfterMs = wholeNumber('orphan-after-ms', values['orphan-after-ms'], 1);
const seed = wholeNumber('seed', values.seed, 0);
/** Time allowed for all POSTs: far beyond the ~10–30 s a 2,000 burst takes on two cores. */
const submitDeadlineMs = Math.max(120, count / 10) * 1000;
const deadlineMs =
  (values['deadline-s'] === undefined
    ? Math.max(120, count / 10)
    : wholeNumber('deadline-s', values['deadline-s'], 1)) * 1000;
/** Starting the stack, workers and teardown, beyond the two deadlines above. */
const WATCHDOG_SLACK_MS = 300_000;
/** The whole run's limit: the deadlines and the slack, or less with --max-s. */
const watchdogMs = Math.min(
  submitDeadlineMs + deadlineMs + WATCHDOG_SLACK_MS,
  values['max-s'] === undefined ? Number.POSITIVE_INFINITY : wholeNumber('max-s', values['max-s'], 1) * 1000,
);

/** The service's settings for the soak: short leases, back-offs and rescues so faults heal within seconds. */
const SETTINGS = {
  STUCK_AFTER_MS: '3000',
  ORPHAN_AFTER_MS: String(orphanAfterMs),
  MAX_ATTEMPTS: '5',
  RETRY_BACKOFF_MS: '1000',
  MAX_INTERRUPTIONS: '5',
  LOCAL_QUEUE_VISIBILITY_TIMEOUT: '2',
  // The soak's own (killable) workers consume the queue; the stack's event source must not.
  LOCAL_SQS_POLLERS: '0',
};
/**
 * The least time MAX_ATTEMPTS attempts span: the back-offs between them. An outage shorter
 * than this, and never two within one such span, must fail no valid submission.
 */
const RETRY_WINDOW_MS = Number(SETTINGS.RETRY_BACKOFF_MS) * (2 ** (Number(SETTINGS.MAX_ATTEMPTS) - 1) - 1);
if (outageMs >= RETRY_WINDOW_MS) {
  usage(`--outage-ms must be shorter than the retry window, ${RETRY_WINDOW_MS} ms (got ${outageMs})`);
}
if (outageEveryMs <= RETRY_WINDOW_MS + outageMs) {
  usage(
    `--outage-every-ms must exceed the retry window plus --outage-ms, ${RETRY_WINDOW_MS + outageMs} ms ` +
      `(got ${outageEveryMs}): one submission's attempts may then meet two outages`,
  );
}
/** How long a slow rule stalls its worker: past STUCK_AFTER, so the reaper resets it meanwhile. */
const STALL_MS = 4_500;
/** How long a worker told to stop lets its records finish before it stops and releases them. */
const SHUTDOWN_GRACE_MS = 300;
const STAGE = 'local';
const TABLE_NAME = stageResourceNames(STAGE).tableName;
const QUEUE_NAME = `submissions-${STAGE}-submissions`;
const REAPER_FUNCTION = `submissions-${STAGE}-reaper`;
const MAX_POST_ATTEMPTS = 10;
const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
const REGION = 'us-east-1';

/** mulberry32: a small seeded generator, so a run's choices can be replayed with --seed. */
function seededRandom(initial: number): () => number {
  let state = initial >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}
const random = seededRandom(seed);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

const progress = (message: string) =>
  console.error(`[soak ${new Date().toISOString().slice(11, 19)}] ${message}`);

const logDirectory = mkdtempSync(join(tmpdir(), 'soak-'));
const stackLog = createWriteStream(join(logDirectory, 'stack.log'));
const workerLog = createWriteStream(join(logDirectory, 'workers.log'));

let interrupted = false;

/** Cleanups, run last-registered first, once, on success, failure and Ctrl-C. */
const cleanups: Array<() => Promise<void>> = [];
let tornDown: Promise<void> | undefined;
function teardown(): Promise<void> {
  tornDown ??= (async () => {
    for (const cleanup of cleanups.reverse()) {
      await cleanup().catch((error: unknown) => progress(`teardown: ${String(error)}`));
    }
    stackLog.end();
    workerLog.end();
  })();
  return tornDown;
}

/** Runs `step` every `everyMs` until stopped; `stop()` waits (up to 30 s) for the step in progress. */
function every(everyMs: number, step: () => Promise<void>) {
  let running = true;
  const loop = (async () => {
    while (running) {
      await step();
      await sleep(everyMs);
    }
  })();
  return async () => {
    running = false;
    await Promise.race([loop, sleep(30_000)]);
  };
}

interface Accepted {
  id: string;
  content: string;
  acceptedAt: number;
}

type Item = Submission & { decidedBy?: string };

const http = {
  posts: 0,
  post5xx: 0,
  post4xx: 0,
  networkErrors: 0,
  gaveUp: 0,
  rejected: [] as string[],
  serverErrors: [] as string[],
};

async function submit(api: string, index: number, deadline: number): Promise<Accepted | undefined> {
  const content = contentFor(index);
  for (let attempt = 1; attempt <= MAX_POST_ATTEMPTS && Date.now() < deadline; attempt += 1) {
    http.posts += 1;
    try {
      const response = await fetch(`${api}/submissions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ content }),
        signal: AbortSignal.timeout(30_000),
      });
      const text = await response.text();
      if (response.status === 202) {
        return { id: (JSON.parse(text) as { id: string }).id, content, acceptedAt: Date.now() };
      }
      if (response.status < 500) {
        http.post4xx += 1;
        http.rejected.push(`#${index} ${response.status} ${text.slice(0, 200)}`);
        return undefined;
      }
      http.post5xx += 1;
      if (http.serverErrors.length < 10)
        http.serverErrors.push(`#${index} ${response.status} ${text.slice(0, 300)}`);
    } catch {
      http.networkErrors += 1;
    }
    await sleep(100 * attempt);
  }
  http.gaveUp += 1;
  return undefined;
}

/**
 * The whole table, straight from the emulator; each page must come within 30 s. Content
 * stored apart (an item of its own, `content#<id>`) is put back into its submission.
 */
async function scan(documents: DynamoDBDocumentClient): Promise<Map<string, Item>> {
  const items = new Map<string, Item>();
  const contents = new Map<string, string>();
  let start: Record<string, unknown> | undefined;
  do {
    const page = await documents.send(
      new ScanCommand({ TableName: TABLE_NAME, ConsistentRead: true, ExclusiveStartKey: start }),
      { abortSignal: AbortSignal.timeout(30_000) },
    );
    for (const item of page.Items ?? []) {
      const id = item.id as string;
      if (id.startsWith(CONTENT_KEY_PREFIX)) contents.set(id.slice(CONTENT_KEY_PREFIX.length), item.content);
      else items.set(id, item as Item);
    }
    start = page.LastEvaluatedKey;
  } while (start);
  for (const [id, content] of contents) {
    const item = items.get(id);
    if (item && item.content === undefined) item.content = content;
  }
  return items;
}

const isTerminal = (item: Item | undefined) => item?.status === 'PASSED' || item?.status === 'FAILED';

function describeWrites(proxy: FaultProxy, id: string): string {
  return JSON.stringify(
    (proxy.writes.get(id) ?? []).map(({ kind, leaseToken, status, answer, responseLost, at }) => ({
      kind,
      leaseToken,
      status,
      answer,
      responseLost,
      at: new Date(at).toISOString(),
    })),
  );
}

async function main(): Promise<number> {
  progress(
    `n=${count} seed=${seed} workers=${workerCount} fault_rate=${faultRate} logs=${logDirectory} ` +
      Object.entries(SETTINGS)
        .map(([name, value]) => `${name}=${value}`)
        .join(' '),
  );

  // The emulator's port is chosen first, so the proxy can point at it before the stack starts.
  const dynamodbPort = await freePort();
  const proxy = await startFaultProxy({
    target: `http://127.0.0.1:${dynamodbPort}`,
    faultRate,
    random,
  });
  cleanups.push(() => proxy.close());

  let stackPollers: number | undefined;
  const stack = await startLocalStack({
    stage: STAGE,
    httpPort: await freePort(),
    lambdaPort: await freePort(),
    dynamodbPort,
    env: {
      ...SETTINGS,
      AWS_ENDPOINT_URL_DYNAMODB: proxy.endpoint,
      // One build folder for every soak, instead of one per random port.
      ESBUILD_WORK_FOLDER: '.esbuild/soak',
    },
    echo: (line) => {
      stackLog.write(`${line}\n`);
      const pollers = /→ worker \(batch \d+, (\d+) pollers\)/.exec(line)?.[1];
      if (pollers !== undefined) stackPollers = Number(pollers);
    },
  });
  cleanups.push(() => stack.stop());
  if (stackPollers !== 0) {
    throw new Error(`the stack's SQS event source runs ${stackPollers} pollers despite LOCAL_SQS_POLLERS=0`);
  }
  progress(`stack ready: API ${stack.httpEndpoint}, DynamoDB via fault proxy ${proxy.endpoint}`);

  const aws = { region: REGION, credentials: LOCAL_CREDENTIALS };
  // Direct to the emulator, not through the proxy: the soak's own reads are not under test.
  const documents = DynamoDBDocumentClient.from(
    new DynamoDBClient({ ...aws, endpoint: stack.dynamodbEndpoint }),
  );
  const sqs = createSqsClient({ ...aws, endpoint: stack.sqsEndpoint });
  const { QueueUrl: queueUrl = '' } = await sqs.send(new GetQueueUrlCommand({ QueueName: QUEUE_NAME }));
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
  );

  const pool = new WorkerPool(
    {
      ...process.env,
      ...stack.env,
      ...SETTINGS,
      AWS_ENDPOINT_URL_DYNAMODB: proxy.endpoint,
      TABLE_NAME,
      QUEUE_URL: queueUrl,
      SOAK_QUEUE_ARN: Attributes?.QueueArn ?? '',
      SOAK_STALL_MS: String(STALL_MS),
      SOAK_OUTAGE_EVERY_MS: String(outageEveryMs),
      SOAK_OUTAGE_MS: String(outageMs),
      SOAK_DEADLINE_HIT_RATE: String(deadlineHitRate),
      WORKER_SHUTDOWN_GRACE_MS: String(SHUTDOWN_GRACE_MS),
    },
    (line) => workerLog.write(`${line}\n`),
    join(logDirectory, 'workers.log'),
  );
  cleanups.push(() => pool.stop());
  await Promise.all(Array.from({ length: workerCount }, () => pool.spawn()));
  progress(`${workerCount} workers polling`);

  // The reaper on a 1 s schedule instead of rate(1 minute), through serverless-offline's Invoke API.
  const reaper = { runs: 0, failures: 0, lastError: '' };
  const invokeReaper = invokeThroughOffline(stack.lambdaEndpoint, REAPER_FUNCTION);
  const stopReaper = every(reaperEveryMs, async () => {
    const result = await invokeReaper({});
    if (result.ok) reaper.runs += 1;
    else {
      reaper.failures += 1;
      reaper.lastError = result.error;
    }
  });
  cleanups.push(stopReaper);
  const stopKiller = every(killEveryMs, async () => pool.killOne(random));
  cleanups.push(stopKiller);
  const stopShutdowns = every(shutdownEveryMs, async () => pool.shutDownOne(random));
  cleanups.push(stopShutdowns);
  // The first outage starts now, as submissions begin to pour in; workers started later learn
  // the schedule from their environment.
  const outageEpoch = Date.now();
  pool.startOutages(outageEpoch);
  const inOutage = (at = Date.now()) => outageAt(at, outageEpoch, outageEveryMs, outageMs);

  // Submit, with bounded concurrency; some ids get duplicate messages straight on the queue.
  const accepted = new Map<string, Accepted>();
  const duplicates = { sent: 0, failed: 0, inOutage: 0, pending: [] as Promise<void>[] };
  const sendDuplicate = (id: string, delaySeconds: number) =>
    sqs
      .send(
        new SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: JSON.stringify({ id }),
          DelaySeconds: delaySeconds,
        }),
      )
      .then(
        () => {
          duplicates.sent += 1;
          if (inOutage(Date.now() + delaySeconds * 1000)) duplicates.inOutage += 1;
        },
        () => {
          duplicates.failed += 1;
        },
      );
  let next = 0;
  const submitStarted = Date.now();
  const submitDeadline = submitStarted + submitDeadlineMs;
  const lane = async () => {
    for (let index = next++; index < count && !interrupted; index = next++) {
      const submission = await submit(stack.httpEndpoint, index, submitDeadline);
      if (!submission) continue;
      accepted.set(submission.id, submission);
      // During an outage, half the ids get copies at once: they meet a released submission.
      const outageNow = inOutage();
      if (random() < (outageNow ? Math.max(0.5, duplicateRate) : duplicateRate)) {
        const extra = random() < 0.5 ? 1 : 2;
        for (let copy = 0; copy < extra; copy += 1) {
          duplicates.pending.push(sendDuplicate(submission.id, outageNow ? 0 : Math.floor(random() * 6)));
        }
      }
      if (accepted.size % 250 === 0) progress(`${accepted.size} accepted`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  await Promise.all(duplicates.pending);
  progress(
    `${accepted.size} of ${count} accepted in ${Date.now() - submitStarted} ms; waiting for decisions`,
  );

  // Wait for every accepted id to be terminal, watching that no decision ever changes.
  const firstDecision = new Map<string, { status: string; decidedBy?: string }>();
  const changed = new Set<string>();
  const observe = (items: Map<string, Item>) => {
    for (const [id, item] of items) {
      if (!isTerminal(item)) {
        if (firstDecision.has(id)) changed.add(id);
        continue;
      }
      const first = firstDecision.get(id);
      if (!first) firstDecision.set(id, { status: item.status, decidedBy: item.decidedBy });
      else if (first.status !== item.status || first.decidedBy !== item.decidedBy) changed.add(id);
    }
  };
  const deadline = Date.now() + deadlineMs;
  let items = await scan(documents);
  observe(items);
  let undecided = [...accepted.keys()].filter((id) => !isTerminal(items.get(id)));
  let lastProgress = Date.now();
  while (undecided.length > 0 && Date.now() < deadline && !interrupted) {
    await sleep(1000);
    items = await scan(documents);
    observe(items);
    undecided = undecided.filter((id) => !isTerminal(items.get(id)));
    if (Date.now() - lastProgress > 10_000) {
      progress(`${undecided.length} undecided`);
      lastProgress = Date.now();
    }
  }
  if (interrupted) throw new Error('interrupted');
  const timedOut = undecided.length > 0;
  if (timedOut) {
    progress(
      `deadline passed: ${undecided.length} of ${accepted.size} not decided after ${deadlineMs / 1000} s`,
    );
  }

  // Let zombies still stalled in a slow rule attempt their late writes before the record is read.
  await stopKiller();
  await stopShutdowns();
  await sleep(STALL_MS + 2_000);
  items = await scan(documents);
  observe(items);
  await stopReaper();
  await pool.stop();
  items = await scan(documents);
  observe(items);
  const totalMs = Date.now() - submitStarted;
  const outages = outageMs > 0 ? Math.floor((Date.now() - outageEpoch) / outageEveryMs) + 1 : 0;

  // Invariants.
  const writes = proxy.analyse();
  const lost: string[] = [];
  const wrongVerdict: string[] = [];
  const contentChanged: string[] = [];
  const processingErrors = new Map<string, string[]>();
  /** Valid content FAILED with a processing error: every outage was shorter than the retry window. */
  const failedByInfrastructure: string[] = [];
  const unrecorded: string[] = [];
  const decideMs: number[] = [];
  let maxAttempts = 0;
  let slowRule = 0;
  let costly = 0;
  for (const [id, submission] of accepted) {
    const item = items.get(id);
    if (isSlowRuleContent(submission.content)) slowRule += 1;
    if (!item || !isTerminal(item)) {
      lost.push(id);
      continue;
    }
    maxAttempts = Math.max(maxAttempts, item.attempts);
    if (item.completedAt) decideMs.push(Date.parse(item.completedAt) - Date.parse(item.createdAt));
    if (item.content !== submission.content) contentChanged.push(id);
    const expected = await expectedOutcome(submission.content);
    if (expected === 'RULES_TOO_COSTLY') costly += 1;
    if (item.result) {
      if (item.status !== expected) wrongVerdict.push(id);
    } else if (item.error) {
      processingErrors.set(item.error.code, [...(processingErrors.get(item.error.code) ?? []), id]);
      // Beyond the rule set's bound, RULES_TOO_COSTLY is the content's verdict; any other error is ours.
      if (item.error.code !== 'RULES_TOO_COSTLY') failedByInfrastructure.push(id);
      else if (expected !== 'RULES_TOO_COSTLY') wrongVerdict.push(id);
    } else {
      wrongVerdict.push(id);
    }
    const deciders = (proxy.writes.get(id) ?? []).filter(
      (write) => write.kind === 'complete' && write.answer === 'written',
    );
    if (!deciders.some((write) => write.leaseToken === item.decidedBy)) unrecorded.push(id);
  }
  const decidedTwice = new Set([...writes.decidedTwice.filter((id) => accepted.has(id)), ...changed]);
  const unacknowledged = [...items.keys()].filter((id) => !accepted.has(id));
  decideMs.sort((a, b) => a - b);

  const show = async (label: string, ids: Iterable<string>) => {
    for (const id of [...ids].slice(0, 10)) {
      const item = items.get(id);
      const expected = await expectedOutcome(accepted.get(id)?.content ?? '');
      console.log(
        `${label} ${id}: item=${JSON.stringify(
          item && {
            status: item.status,
            attempts: item.attempts,
            decidedBy: item.decidedBy,
            error: item.error,
            verdict: item.result?.verdict,
            expected,
          },
        )} writes=${describeWrites(proxy, id)}`,
      );
    }
  };
  await show('lost', lost);
  await show('decided_twice', decidedTwice);
  await show('wrong_verdict', wrongVerdict);
  await show('content_changed', contentChanged);
  await show('unrecorded_decision', unrecorded);
  await show('failed_by_infrastructure', failedByInfrastructure);
  for (const rejection of http.rejected.slice(0, 10)) console.log(`post_rejected ${rejection}`);
  for (const failure of http.serverErrors) console.log(`post_5xx ${failure}`);

  const { counts } = proxy;
  const outcomes = pool.outcomes();
  const injected = counts.throttled + counts.internalErrors + counts.unavailable + counts.lostResponses;
  console.log(
    `faults: dynamodb_requests=${counts.requests} item_requests=${counts.itemRequests} injected=${injected} ` +
      `throttled_400=${counts.throttled} internal_500=${counts.internalErrors} unavailable_503=${counts.unavailable} ` +
      `lost_responses=${counts.lostResponses}`,
  );
  console.log(
    `http: post_requests=${http.posts} post_5xx=${http.post5xx} post_network_errors=${http.networkErrors} ` +
      `post_4xx=${http.post4xx} gave_up=${http.gaveUp} stored_without_202=${unacknowledged.length}`,
  );
  console.log(
    `chaos: workers_killed=${pool.killed} killed_mid_batch=${pool.killedMidBatch} worker_crashes=${pool.crashes} ` +
      `shutdowns=${pool.shutDown} shut_down_mid_batch=${pool.shutDownMidBatch} ` +
      `outages=${outages} outage_ms=${outageMs} retry_window_ms=${RETRY_WINDOW_MS} ` +
      `interrupted_claims=${outcomes['submission interrupted'] ?? 0} early_claims_returned=${outcomes['submission early'] ?? 0} ` +
      `duplicate_messages=${duplicates.sent} duplicates_in_outage=${duplicates.inOutage} ` +
      `duplicate_send_failures=${duplicates.failed} slow_rule_submissions=${slowRule} beyond_rule_bound=${costly} ` +
      `reaper_runs=${reaper.runs} reaper_failures=${reaper.failures}${reaper.lastError ? ` (last: ${reaper.lastError})` : ''}`,
  );
  console.log(
    `workers: ${Object.entries(outcomes)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([message, times]) => `"${message}"=${times}`)
      .join(' ')} (totals last reported by each worker; a killed worker's last batch is missing)`,
  );
  console.log(
    `writes: terminal_writes=${writes.terminalWrites} own_retries_refused=${writes.ownRetriesRefused} ` +
      `unrecorded_decisions=${unrecorded.length} content_changed=${contentChanged.length} total_s=${(totalMs / 1000).toFixed(0)}`,
  );
  console.log(
    `processing_errors: failed_with_error=${[...processingErrors.values()].flat().length}` +
      [...processingErrors]
        .map(([code, ids]) => ` ${code}=${ids.length} (${ids.slice(0, 5).join(', ')})`)
        .join(''),
  );
  if (timedOut) {
    console.log(`soak: FAILED: ${undecided.length} submission(s) not decided within ${deadlineMs / 1000} s`);
  }
  if (accepted.size < count)
    console.log(`soak: FAILED: only ${accepted.size} of ${count} submissions accepted`);
  console.log(
    `soak: submitted=${accepted.size} decided=${accepted.size - lost.length} lost=${lost.length} ` +
      `decided_twice=${decidedTwice.size} wrong_verdict=${wrongVerdict.length} ` +
      `failed_by_infrastructure=${failedByInfrastructure.length} ` +
      `zombie_writes_refused=${writes.zombieWritesRefused} max_attempts=${maxAttempts} ` +
      `p50_decide_ms=${percentile(decideMs, 50).toFixed(0)} p99_decide_ms=${percentile(decideMs, 99).toFixed(0)}`,
  );
  const violated =
    lost.length > 0 ||
    decidedTwice.size > 0 ||
    wrongVerdict.length > 0 ||
    failedByInfrastructure.length > 0 ||
    contentChanged.length > 0 ||
    unrecorded.length > 0 ||
    accepted.size < count;
  return violated ? 1 : 0;
}

process.once('SIGINT', () => {
  interrupted = true;
  progress('interrupted; stopping everything');
  void teardown().finally(() => process.exit(130));
});

// Every step has its own bound; this is the last resort that keeps the soak from running forever.
setTimeout(() => {
  progress(`watchdog: still running after ${watchdogMs / 1000} s; stopping everything`);
  void teardown().finally(() => {
    console.log(`soak: FAILED: still running after ${watchdogMs / 1000} s (logs in ${logDirectory})`);
    process.exit(1);
  });
}, watchdogMs).unref();

main()
  .then(async (code) => {
    if (interrupted) return;
    await teardown();
    process.exit(code);
  })
  .catch(async (error: unknown) => {
    if (interrupted) return;
    console.error(error instanceof Error ? error.message : error);
    await teardown();
    console.log(`soak: FAILED: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
    process.exit(1);
  });
