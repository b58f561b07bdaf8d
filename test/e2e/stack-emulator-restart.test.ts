import { GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invokeThroughOffline } from '../../src/adapters/sqs/event-source';
import { createSqsClient } from '../../src/adapters/sqs/sqs-client';
import { type EmulatorName, freePort, type LocalStack, startLocalStack } from '../../workbench/local/stack';
import { waitFor } from '../../workbench/wait';
import { structuredLines } from '../helpers/e2e-stack-log';

/**
 * A stack of its own (not the tier's shared one): the tests SIGKILL its emulators
 * and watch `startLocalStack` start them again on their ports by itself.
 */

const STARTUP_TIMEOUT_MS = 180_000;
const SETTINGS = {
  ORPHAN_AFTER_MS: '3000',
  STUCK_AFTER_MS: '5000',
  LOCAL_QUEUE_VISIBILITY_TIMEOUT: '2',
};
const TERMINAL = ['PASSED', 'FAILED'];

interface Submission {
  id: string;
  status: string;
  attempts: number;
  updatedAt: string;
}

describe('an emulator killed mid-run on the local stack', () => {
  let stack: LocalStack | undefined;
  const lines: string[] = [];
  const started = () => {
    if (!stack) throw new Error('the stack did not start');
    return stack;
  };

  beforeAll(async () => {
    stack = await startLocalStack({
      httpPort: await freePort(),
      lambdaPort: await freePort(),
      dynamodbPort: await freePort(),
      sqsPort: await freePort(),
      env: SETTINGS,
      echo: (line) => lines.push(line),
    });
  }, STARTUP_TIMEOUT_MS);

  afterAll(async () => {
    await stack?.stop();
  }, STARTUP_TIMEOUT_MS);

  const request = async (path: string, init: RequestInit = {}) => {
    const response = await fetch(`${started().httpEndpoint}${path}`, init);
    return { status: response.status, body: (await response.json()) as any };
  };
  const post = (path: string, body: unknown) =>
    request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const submit = async (contents: string[]): Promise<string[]> => {
    const created = await post('/submissions/batch', { items: contents.map((content) => ({ content })) });
    expect(created.status).toBe(202);
    return (created.body.items as Submission[]).map((item) => item.id);
  };
  const get = async (id: string): Promise<Submission> => (await request(`/submissions/${id}`)).body;
  const allDecided = (ids: string[]) =>
    waitFor(
      `${ids.length} submissions to be decided`,
      async () => {
        const submissions = await Promise.all(ids.map(get));
        return submissions.every((submission) => TERMINAL.includes(submission.status))
          ? submissions
          : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 200 },
    );
  /** How often the worker logged a decision for each id (the log is the stack's own output). */
  const decisionsOf = (ids: string[]) => {
    const decided = structuredLines(lines.join('\n')).filter((line) => line.message === 'submission decided');
    return ids.map((id) => decided.filter((line) => line.correlationId === id).length);
  };
  /** SIGKILL (no handler runs, nothing is flushed); resolves once the stack runs a new process. */
  const killAndAwaitRestart = async (name: EmulatorName) => {
    const pid = started().pids[name];
    if (pid === undefined) throw new Error(`no ${name} emulator running`);
    process.kill(pid, 'SIGKILL');
    const ensured = `local stack: resources ensured again after the ${name} emulator restarted`;
    const before = lines.filter((line) => line === ensured).length;
    await waitFor(`the ${name} emulator to run again with its resources`, () =>
      lines.filter((line) => line === ensured).length > before ? true : undefined,
    );
    return { pid, restartedPid: started().pids[name] };
  };
  /** The reaper function, as its schedule (rate(1 minute)) would invoke it. */
  const runReaper = async () => {
    const result = await invokeThroughOffline(started().lambdaEndpoint, 'submissions-local-reaper')({});
    expect(result).toMatchObject({ ok: true });
    const runs = structuredLines(lines.join('\n')).filter((line) => line.message === 'reaper run');
    return runs.at(-1);
  };

  it('DynamoDB: the table and every submission outlive the process; those accepted before and after are each decided once', async () => {
    const before = await submit(['before the kill 1', 'before the kill 2', 'before the kill 3']);
    const decidedBefore = await allDecided(before);
    // Accepted just before the kill, so possibly mid-decision when dynalite dies.
    const racing = await submit(['racing the kill 4', 'racing the kill 5']);

    const { pid, restartedPid } = await killAndAwaitRestart('dynamodb');
    const after = await submit(['after the restart 6', 'after the restart 7']);
    const decidedAfter = await allDecided(after);
    // A claim cut off by the kill is left PROCESSING until the reaper resets it (STUCK_AFTER_MS).
    const racingDecided = await waitFor(
      'the racing submissions to be decided',
      async () => {
        const submissions = await Promise.all(racing.map(get));
        if (submissions.every((submission) => TERMINAL.includes(submission.status))) return submissions;
        await runReaper();
        return undefined;
      },
      { timeoutMs: 90_000, intervalMs: 1000 },
    );

    expect(restartedPid).toBeDefined();
    expect(restartedPid).not.toBe(pid);
    expect(lines).toContain(
      `local stack: the dynamodb emulator (pid ${pid}) exited (SIGKILL); starting it again on port ${new URL(started().dynamodbEndpoint).port}`,
    );
    // The same items, untouched: read back from the data directory by the new process.
    expect(await Promise.all(before.map(get))).toEqual(decidedBefore);
    expect(decidedBefore.map((submission) => submission.attempts)).toEqual([1, 1, 1]);
    expect(decidedAfter).toEqual([
      expect.objectContaining({ status: 'PASSED', attempts: 1 }),
      expect.objectContaining({ status: 'PASSED', attempts: 1 }),
    ]);
    expect(racingDecided.map((submission) => submission.status)).toEqual(['PASSED', 'PASSED']);
    expect(decisionsOf([...before, ...racing, ...after])).toEqual([1, 1, 1, 1, 1, 1, 1]);
  });

  it('SQS: the queues come back by themselves, the event source resumes, and the orphan sweep re-enqueues what the lost messages carried; each decided once', async () => {
    // 25 messages sent a moment before the kill: the worker cannot have taken them all.
    const contents = Array.from({ length: 25 }, (_, index) => `queued at the kill ${index + 10}`);
    const queued = await submit(contents);
    const killedAt = lines.length;
    const { pid, restartedPid } = await killAndAwaitRestart('sqs');
    const sqs = createSqsClient({
      endpoint: started().sqsEndpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const queueUrl = await sqs
      .send(new GetQueueUrlCommand({ QueueName: 'submissions-local-submissions' }))
      .then((output) => output.QueueUrl)
      .finally(() => sqs.destroy());
    const stranded = (await Promise.all(queued.map(get)))
      .filter((submission) => submission.status === 'PENDING')
      .map((submission) => submission.id);
    // Enqueued after the restart: the event source, polling through the outage, takes it.
    const after = await submit(['after the sqs restart 8']);
    const [decidedAfter] = await allDecided(after);
    // Past ORPHAN_AFTER_MS the reaper's orphan sweep finds the PENDING ones without a message.
    const decided = await waitFor(
      'the orphan sweep to bring every stranded submission to a decision',
      async () => {
        const submissions = await Promise.all(queued.map(get));
        if (submissions.every((submission) => TERMINAL.includes(submission.status))) return submissions;
        await runReaper();
        return undefined;
      },
      { timeoutMs: 90_000, intervalMs: 1000 },
    );
    const requeued = structuredLines(lines.slice(killedAt).join('\n'))
      .filter((line) => line.message === 'orphaned submission requeued')
      .map((line) => String(line.correlationId));

    expect(restartedPid).toBeDefined();
    expect(restartedPid).not.toBe(pid);
    expect(queueUrl).toMatch(/\/submissions-local-submissions$/); // recreated, no manual call
    expect(stranded.length).toBeGreaterThan(0); // fauxqs lost their messages with its memory
    expect(requeued.length).toBeGreaterThan(0);
    expect(new Set(requeued).size).toBe(requeued.length); // each re-enqueued once
    expect(stranded).toEqual(expect.arrayContaining(requeued)); // only PENDING ones whose message was lost
    expect(decidedAfter).toMatchObject({ status: 'PASSED', attempts: 1 });
    expect(decided.map((submission) => submission.status)).toEqual(contents.map(() => 'PASSED'));
    expect(decisionsOf([...queued, ...after])).toEqual([...queued, ...after].map(() => 1));
  });

  it('stop() ends the emulators for good: no restart follows', async () => {
    const own = started();
    const pids = { ...own.pids };
    await own.stop();
    stack = undefined;

    expect(lines.filter((line) => line.includes('starting it again'))).toHaveLength(2); // the two kills above
    for (const pid of [pids.dynamodb, pids.sqs]) {
      expect(() => process.kill(pid!, 0)).toThrow(/ESRCH/);
    }
  });
});
