import { randomUUID } from 'node:crypto';
import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { ACTIVE_INDEX } from '../../src/adapters/dynamodb/table';
import { processBatch } from '../../src/application/process-batch';
import type { Rule } from '../../src/domain/rules';
import { systemClock } from '../../src/ports/clock';
import type { StoredSubmission } from '../../src/ports/submission-store';
import { allOf } from '../../src/rules/combinators';
import { freePort } from '../../workbench/local/stack';
import { openTarget, type TargetClients, targetSettings } from '../../workbench/ops/ops-target';
import type { RedriveReport } from '../../workbench/ops/redrive';
import { main } from '../../workbench/ops/run-ops';
import type { Stats } from '../../workbench/ops/stats';
import { collectStats } from '../../workbench/ops/stats';
import { waitFor } from '../../workbench/wait';
import { createTestBackend, type QueueOverrides, type TestBackend } from '../helpers/backend';
import { accessDenied, ageDatapoints, type CannedAnswer, fakeCloudWatch } from '../helpers/fake-cloudwatch';
import { ManualClock } from '../helpers/manual-clock';
import {
  composeForReaper,
  messageFor,
  queuedBodies,
  recordingDynamoDbClient,
  silentLogger,
} from '../helpers/reaper-fixtures';
import { runToExit } from '../helpers/run-to-exit';

const MINUTE = 60_000;
const throwingRule: Rule = {
  id: 'flaky',
  check: () => {
    throw new Error('moderation service unavailable');
  },
};

describe('npm run ops against the emulators', () => {
  let backend: TestBackend;
  let app: ReturnType<typeof composeForReaper>;
  let destroy: (() => Promise<void>) | undefined;

  /** A fresh table and queues for this test (the usage tests need none). */
  async function setUp(overrides: QueueOverrides = {}) {
    backend = await createTestBackend(overrides);
    destroy = () => backend.destroy();
    app = composeForReaper(backend, systemClock);
  }
  afterEach(async () => {
    await destroy?.();
    destroy = undefined;
  });

  /** The environment of an operator pointing at this test's table and queues. */
  const targetEnv = (): NodeJS.ProcessEnv => ({
    ...inject('emulatorEnv'),
    TABLE_NAME: backend.tableName,
    QUEUE_URL: backend.queueUrl,
    DLQ_URL: backend.deadLetterQueueUrl,
  });

  /**
   * The emulators' environment for a stage other than `local`, which reads queue ages
   * from CloudWatch: pointed at a port nobody listens on, so no test ever reaches AWS.
   */
  const deployedStageEnv = async (): Promise<NodeJS.ProcessEnv> => ({
    ...inject('emulatorEnv'),
    AWS_ENDPOINT_URL_CLOUDWATCH: `http://127.0.0.1:${await freePort()}`,
  });

  /** Runs the command in-process, as the CLI would, and collects what it prints. */
  async function ops(argv: string[], env = targetEnv(), clients?: TargetClients) {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(argv, {
      env,
      out: (text) => out.push(text),
      err: (text) => err.push(text),
      clients,
    });
    return { code, out: out.join('\n'), err: err.join('\n') };
  }

  async function opsJson<T>(argv: string[], env = targetEnv(), clients?: TargetClients) {
    const result = await ops([...argv, '--json'], env, clients);
    return { ...result, data: JSON.parse(result.out) as T };
  }

  /** Accepts a submission through the service (its message goes to the queue). */
  const accept = async (content = 'This contains number 42') =>
    (await app.submissions.acceptSubmission('alice', content)).id;

  /** Accepted `ago` ms ago, so its reap time (ORPHAN_AFTER_MS after acceptance) may have passed. */
  const acceptedAgo = async (ago: number) =>
    (
      await composeForReaper(
        backend,
        new ManualClock(new Date(Date.now() - ago).toISOString()),
      ).submissions.acceptSubmission('alice', 'This contains number 42')
    ).id;

  /** A worker claimed it `ago` ms ago with a STUCK_AFTER lease, and died. */
  async function claimedAgo(id: string, ago: number) {
    const start = Date.now() - ago;
    const outcome = await app.store.claim({
      id,
      leaseToken: `dead-${id}`,
      now: new Date(start).toISOString(),
      leaseExpiresAt: new Date(start + 5 * MINUTE).toISOString(),
    });
    expect(outcome.claimed).toBe(true);
  }

  async function decided(id: string) {
    expect(await app.processor.process(id)).toMatchObject({ outcome: 'decided' });
  }

  /** The worker path: processBatch over what the queue holds now. */
  async function work() {
    const messages = await backend.receiveAll();
    const records = messages.map((message) => ({ messageId: message.MessageId!, body: message.Body! }));
    return processBatch(app.processor, records, silentLogger);
  }

  describe('stats', () => {
    it('counts what the index holds and what the queues hold', async () => {
      // Prepare: 3 PENDING (one waiting 90 s), 2 PROCESSING (one past its lease), 1 PASSED, 1 dead letter.
      await setUp();
      const oldest = randomUUID();
      const waitingSince = new Date(Date.now() - 90_000).toISOString();
      await app.store.create(
        { id: oldest, owner: 'alice', content: 'x', createdAt: waitingSince },
        waitingSince,
      );
      const [, , stuck, live, done] = [
        await accept(),
        await accept(),
        await accept(),
        await accept(),
        await accept(),
      ];
      await claimedAgo(stuck!, 10 * MINUTE);
      await claimedAgo(live!, 0);
      await decided(done!);
      await backend.sqs.send(
        new SendMessageCommand({ QueueUrl: backend.deadLetterQueueUrl, MessageBody: 'x' }),
      );

      // Act
      const { code, data } = await opsJson<Stats>(['stats']);
      const human = await ops(['stats']);

      // Assess
      expect(code).toBe(0);
      expect(data).toMatchObject({
        pending: 3,
        processing: 2,
        processingLeaseExpired: 1,
        oldestPending: { id: oldest, waitingSince },
        queue: { visible: 5, inFlight: 0, delayed: 0 },
        deadLetterQueue: { visible: 1, inFlight: 0, delayed: 0 },
      });
      expect(data.oldestPending?.ageSeconds).toBeGreaterThanOrEqual(90);
      const noCloudWatch = { unavailable: 'not available locally (no CloudWatch)' };
      expect([data.queue.oldestMessageAge, data.deadLetterQueue.oldestMessageAge]).toEqual([
        noCloudWatch,
        noCloudWatch,
      ]);
      expect(human.code).toBe(0);
      expect(human.out).toMatch(/^PENDING +3 +oldest PENDING submission age 1m \d+s/m);
      expect(human.out).toMatch(/^dead letters +1 visible, 0 in flight, 0 delayed$/m);
      expect(
        human.out.match(/^ +oldest message age: not available locally \(no CloudWatch\)$/gm),
      ).toHaveLength(2);
    });

    describe('the queues’ oldest message age on a deployed stage', () => {
      // No CloudWatch emulator exists here, so CloudWatch alone is a fake (test/helpers/fake-cloudwatch.ts);
      // the table and the queues are the real emulators', found by the stage's serverless.yml names.
      async function deployedStats(answer: (queueName: string) => CannedAnswer) {
        const stage = `ops-${randomUUID().slice(0, 8)}`;
        await setUp({ stage });
        await accept();
        await accept();
        const cloudwatch = fakeCloudWatch((input) => {
          const dimension = input.MetricDataQueries?.[0]?.MetricStat?.Metric?.Dimensions?.[0];
          return answer(dimension?.Value ?? '(no queue name)');
        });
        const env = await deployedStageEnv();
        const json = await opsJson<Stats>(['stats', '--stage', stage], env, {
          cloudwatch: cloudwatch.client,
        });
        const human = await ops(['stats', '--stage', stage], env, { cloudwatch: cloudwatch.client });
        return { stage, json, human, inputs: cloudwatch.inputs };
      }

      it('shows each queue’s newest datapoint, asked for by the queue’s name', async () => {
        // Act
        const { stage, json, human, inputs } = await deployedStats((queueName) =>
          queueName.endsWith('-dlq')
            ? ageDatapoints([{ at: '2026-01-01T00:05:00.000Z', ageSeconds: 3_700 }])
            : ageDatapoints([{ at: '2026-01-01T00:08:00.000Z', ageSeconds: 252 }]),
        );

        // Assess
        expect(json.code).toBe(0);
        expect(json.data).toMatchObject({
          pending: 2,
          queue: { visible: 2, oldestMessageAge: { ageSeconds: 252, at: '2026-01-01T00:08:00.000Z' } },
          deadLetterQueue: {
            visible: 0,
            oldestMessageAge: { ageSeconds: 3_700, at: '2026-01-01T00:05:00.000Z' },
          },
        });
        const asked = inputs.map((input) => input.MetricDataQueries?.[0]?.MetricStat?.Metric?.Dimensions);
        expect(asked).toContainEqual([{ Name: 'QueueName', Value: `submissions-${stage}-submissions` }]);
        expect(asked).toContainEqual([{ Name: 'QueueName', Value: `submissions-${stage}-submissions-dlq` }]);
        expect(human.out).toMatch(
          /^queue +2 visible.*\n +oldest message age 4m 12s \(CloudWatch, minute of 2026-01-01T00:08:00.000Z\)$/m,
        );
        expect(human.out).toMatch(/^dead letters +0 visible.*\n +oldest message age 1h 1m \(CloudWatch/m);
      });

      it('says there is no datapoint rather than showing zero', async () => {
        // Act
        const { json, human } = await deployedStats(() => ageDatapoints([]));

        // Assess
        expect(json.code).toBe(0);
        expect(json.data.queue.oldestMessageAge).toEqual({ unavailable: 'no datapoint in the last 10 min' });
        expect(human.out.match(/^ +oldest message age: no datapoint in the last 10 min$/gm)).toHaveLength(2);
      });

      it('still prints everything else, exit 0, when CloudWatch refuses, and says why', async () => {
        // Act
        const { json, human } = await deployedStats(() => accessDenied());

        // Assess
        expect(json.code).toBe(0);
        expect(json.data).toMatchObject({ pending: 2, processing: 0, queue: { visible: 2 } });
        expect(json.data.queue.oldestMessageAge).toEqual({
          unavailable: expect.stringMatching(
            /^unavailable \(cannot read CloudWatch at \S+: AccessDenied: .*not authorized to perform: cloudwatch:GetMetricData\)$/,
          ),
        });
        expect(human.code).toBe(0);
        expect(human.err).toBe('');
        expect(human.out).toMatch(/^PENDING +2 +oldest PENDING submission age/m);
        expect(human.out).toMatch(/^queue +2 visible, 0 in flight, 0 delayed$/m);
        expect(
          human.out.match(
            /^ +oldest message age: unavailable \(cannot read CloudWatch at \S+: AccessDenied/gm,
          ),
        ).toHaveLength(2);
      });

      it('reports an endpoint with no CloudWatch behind it (a real refused connection), exit 0', async () => {
        // Prepare: CloudWatch's endpoint is a port nobody listens on.
        const stage = `ops-${randomUUID().slice(0, 8)}`;
        await setUp({ stage });
        await accept();
        const env = await deployedStageEnv();
        const endpoint = env.AWS_ENDPOINT_URL_CLOUDWATCH;

        // Act
        const { code, out, err } = await ops(['stats', '--stage', stage], env);

        // Assess
        expect({ code, err }).toEqual({ code: 0, err: '' });
        expect(out).toMatch(/^PENDING +1 /m);
        expect(out).toMatch(/^queue +1 visible, 0 in flight, 0 delayed$/m);
        const reason = `oldest message age: unavailable (cannot read CloudWatch at ${endpoint}: `;
        expect(out.split('\n').filter((line) => line.trim().startsWith(reason))).toEqual([
          expect.stringMatching(/ECONNREFUSED.*\)$/),
          expect.stringMatching(/ECONNREFUSED.*\)$/),
        ]);
      });
    });

    it('reads the sparse index, every shard, and then the submissions in it; never a Scan', async () => {
      // Prepare
      await setUp();
      for (let index = 0; index < 6; index += 1) await accept();
      const recording = recordingDynamoDbClient();
      const env = targetEnv();
      const target = await openTarget(targetSettings({ stage: 'local' }, env), env, silentLogger, {
        dynamodb: recording.client,
      });

      // Act
      const stats = await collectStats(target, new Date());
      target.close();

      // Assess
      expect(stats.pending).toBe(6);
      const queries = recording.commands.filter((command) => command.commandName === 'QueryCommand');
      expect(queries).toHaveLength(target.app.config.ACTIVE_INDEX_SHARDS);
      expect(queries.every((command) => command.input.IndexName === ACTIVE_INDEX)).toBe(true);
      expect(
        new Set(queries.map((command) => JSON.stringify(command.input.ExpressionAttributeValues))).size,
      ).toBe(target.app.config.ACTIVE_INDEX_SHARDS);
      // The index holds keys only: each submission in it read once (a page at a time), and nothing else.
      const itemReads = recording.commands.filter((command) => command.commandName !== 'QueryCommand');
      expect(itemReads.every((command) => command.commandName === 'BatchGetItemCommand')).toBe(true);
      const keysRead = itemReads.flatMap((command) =>
        Object.values(command.input.RequestItems as Record<string, { Keys: unknown[] }>).flatMap(
          ({ Keys }) => Keys,
        ),
      );
      expect(keysRead).toHaveLength(6);
    });
  });

  describe('show', () => {
    it('prints the submission and its history after a claim, a release and a decision', async () => {
      // Prepare
      await setUp();
      const id = await accept('secret words 42');
      const flaky = composeForReaper(backend, systemClock, { ruleSet: allOf('flaky', [throwingRule]) });
      expect(await flaky.processor.process(id)).toMatchObject({ outcome: 'retry' });
      await decided(id);

      // Act
      const human = await ops(['show', id]);
      const withContent = await ops(['show', id, '--content']);
      const { data } = await opsJson<StoredSubmission>(['show', id]);

      // Assess
      expect(human.code).toBe(0);
      expect(human.out).toMatch(/^status +PASSED$/m);
      expect(human.out).toMatch(/^attempts +2$/m);
      expect(human.out).toMatch(/^expires +\d{4}-/m);
      expect(human.out).toMatch(/^ {2}pass +requireDigit/m);
      const history = human.out.split('\nhistory\n')[1]?.split('\n') ?? [];
      const expected = [
        /^ {2}\S+ +accepted$/,
        /^ {2}\S+ +claimed +attempt 1, lease until \S+$/,
        /^ {2}\S+ +released +attempt 1, PROCESSING_FAILED: A check of the content could not run\. It will be tried again\.$/,
        /^ {2}\S+ +claimed +attempt 2, lease until \S+$/,
        /^ {2}\S+ +decided +attempt 2, PASSED$/,
      ];
      expect(history).toHaveLength(expected.length);
      for (const [index, line] of history.entries()) expect(line).toMatch(expected[index]!);
      expect(human.out).not.toContain('secret words');
      expect(withContent.out).toMatch(/^content +"secret words 42"$/m);
      expect(data).not.toHaveProperty('content');
      expect(data.history.map((entry) => entry.event)).toEqual([
        'accepted',
        'claimed',
        'released',
        'claimed',
        'decided',
      ]);
      expect(data.expiresAt).toBeGreaterThan(Date.now() / 1000);
    });

    it('exits 1 for an unknown id', async () => {
      // Prepare
      await setUp();

      // Act
      const { code, out } = await ops(['show', randomUUID()]);

      // Assess
      expect(code).toBe(1);
      expect(out).toMatch(/there is no submission/);
    });
  });

  describe('requeue', () => {
    it('re-enqueues a PENDING submission and records it; twice in a row is harmless', async () => {
      // Prepare
      await setUp();
      const id = await accept();
      await backend.receiveAll(); // its first message was lost, say

      // Act
      const first = await ops(['requeue', id]);
      const second = await ops(['requeue', id]);

      // Assess
      expect([first.code, second.code]).toEqual([0, 0]);
      expect(first.out).toMatch(/still PENDING, a new message was sent/);
      expect(await queuedBodies(backend)).toEqual([messageFor(id), messageFor(id)]);
      const stored = await app.store.get(id);
      expect(stored?.status).toBe('PENDING');
      expect(stored?.history.filter((entry) => entry.event === 'requeued')).toHaveLength(2);
    });

    it('resets PROCESSING with an expired lease and enqueues it; the duplicate messages decide it once', async () => {
      // Prepare
      await setUp();
      const id = await accept();
      await backend.receiveAll();
      await claimedAgo(id, 10 * MINUTE);

      // Act
      const first = await opsJson<{ requeued: boolean; from: string }>(['requeue', id]);
      const second = await opsJson<{ requeued: boolean; from: string }>(['requeue', id]);

      // Assess
      expect(first).toMatchObject({ code: 0, data: { requeued: true, from: 'PROCESSING' } });
      expect(second).toMatchObject({ code: 0, data: { requeued: true, from: 'PENDING' } });
      const reset = await app.store.get(id);
      expect(reset).toMatchObject({ status: 'PENDING', attempts: 1 });
      expect(reset).not.toHaveProperty('leaseToken');
      expect(await work()).toEqual([]);
      const final = await app.store.get(id);
      expect(final).toMatchObject({ status: 'PASSED', attempts: 2 });
      expect(final?.history.filter((entry) => entry.event === 'decided')).toHaveLength(1);
    });

    it('refuses PROCESSING with a live lease, changing nothing and sending nothing', async () => {
      // Prepare
      await setUp();
      const id = await accept();
      await backend.receiveAll();
      await claimedAgo(id, 0);
      const before = await app.store.get(id);

      // Act
      const { code, out } = await ops(['requeue', id]);

      // Assess
      expect(code).toBe(1);
      expect(out).toMatch(/refused: .* PROCESSING and a worker holds a live lease until .*; nothing changed/);
      expect(await app.store.get(id)).toEqual(before);
      expect(await backend.receiveAll()).toEqual([]);
    });

    it('refuses a decided submission ("already PASSED"), changing nothing and sending nothing', async () => {
      // Prepare
      await setUp();
      const id = await accept();
      await decided(id);
      await backend.receiveAll();
      const before = await app.store.get(id);

      // Act
      const { code, out } = await ops(['requeue', id]);

      // Assess
      expect(code).toBe(1);
      expect(out).toBe(`refused: ${id} is already PASSED; nothing changed`);
      expect(await app.store.get(id)).toEqual(before);
      expect(await backend.receiveAll()).toEqual([]);
    });

    it('refuses an unknown id, creating nothing', async () => {
      // Prepare
      await setUp();
      const id = randomUUID();

      // Act
      const { code, out } = await ops(['requeue', id]);

      // Assess
      expect(code).toBe(1);
      expect(out).toBe(`refused: there is no submission ${id}`);
      expect(await app.store.get(id)).toBeUndefined();
      expect(await backend.receiveAll()).toEqual([]);
    });
  });

  describe('redrive', () => {
    /** A queue that dead-letters a message on its second receive. */
    const deadLetterAfterOneReceive: QueueOverrides = {
      queue: {
        RedrivePolicy: {
          deadLetterTargetArn: { 'Fn::GetAtt': ['SubmissionDeadLetterQueue', 'Arn'] },
          maxReceiveCount: 1,
        },
      },
    };

    /** A worker receives the message and dies; SQS moves it to the DLQ on the next receive. */
    async function deadLettered() {
      await waitFor('the message to reach the DLQ', async () => {
        await backend.sqs.send(
          new ReceiveMessageCommand({ QueueUrl: backend.queueUrl, VisibilityTimeout: 0, WaitTimeSeconds: 0 }),
        );
        return (await backend.approximateDepth(backend.deadLetterQueueUrl)) === 1 ? true : undefined;
      });
    }

    it('moves a real dead letter back; terminal ones are deleted, malformed ones left; the worker then decides', async () => {
      // Prepare: one dead-lettered by SQS itself, one already decided, one malformed.
      await setUp(deadLetterAfterOneReceive);
      const stranded = await accept();
      await deadLettered();
      const done = await accept('123456789');
      await decided(done);
      await backend.receiveAll();
      for (const body of [messageFor(done), 'not a message']) {
        await backend.sqs.send(
          new SendMessageCommand({ QueueUrl: backend.deadLetterQueueUrl, MessageBody: body }),
        );
      }

      // Act
      const { code, data } = await opsJson<RedriveReport>(['redrive']);

      // Assess
      expect(code).toBe(0);
      const bySubmission = (id?: string) => data.entries.find((entry) => entry.submissionId === id);
      expect(data.entries).toHaveLength(3);
      expect(bySubmission(stranded)).toMatchObject({ status: 'PENDING', action: 'requeued' });
      expect(bySubmission(done)).toMatchObject({
        status: 'FAILED',
        action: 'deleted',
        note: 'already FAILED',
      });
      expect(bySubmission(undefined)).toMatchObject({ action: 'left', note: 'malformed message' });
      const left = await backend.receiveAll(backend.deadLetterQueueUrl);
      expect(left.map((message) => message.Body)).toEqual(['not a message']);
      expect(await work()).toEqual([]);
      expect(await app.store.get(stranded)).toMatchObject({ status: 'PASSED' });
    });

    it('--dry-run says what would happen and changes nothing', async () => {
      // Prepare
      await setUp(deadLetterAfterOneReceive);
      const stranded = await accept();
      await deadLettered();
      await backend.sqs.send(
        new SendMessageCommand({ QueueUrl: backend.deadLetterQueueUrl, MessageBody: '{"id":1}' }),
      );
      const before = await app.store.get(stranded);

      // Act
      const human = await ops(['redrive', '--dry-run']);

      // Assess
      expect(human.code).toBe(0);
      expect(human.out).toMatch(new RegExp(`${stranded} +PENDING +would requeue`));
      expect(human.out).toMatch(/would leave \(malformed message\)/);
      expect(human.out).toMatch(/dry run, nothing changed: 1 would requeue, 1 would leave$/);
      expect(await app.store.get(stranded)).toEqual(before);
      expect(await backend.approximateDepth()).toBe(0);
      // Shown again at once, not after a visibility timeout: all of them can be received now.
      expect(await backend.receiveAll(backend.deadLetterQueueUrl)).toHaveLength(2);
    });

    it('handles at most --max messages', async () => {
      // Prepare
      await setUp();
      const ids = [await accept(), await accept(), await accept()];
      await backend.receiveAll();
      for (const id of ids) {
        await backend.sqs.send(
          new SendMessageCommand({ QueueUrl: backend.deadLetterQueueUrl, MessageBody: messageFor(id) }),
        );
      }

      // Act
      const { code, data } = await opsJson<RedriveReport>(['redrive', '--max', '2']);

      // Assess
      expect(code).toBe(0);
      expect(data.entries.map((entry) => entry.action)).toEqual(['requeued', 'requeued']);
      expect(await queuedBodies(backend)).toHaveLength(2);
      expect(await backend.receiveAll(backend.deadLetterQueueUrl)).toHaveLength(1);
    });
  });

  describe('reap', () => {
    it('runs the reaper once: a stuck submission is reset, re-enqueued and its history says so', async () => {
      // Prepare
      await setUp();
      const id = await acceptedAgo(11 * MINUTE);
      await backend.receiveAll();
      await claimedAgo(id, 10 * MINUTE);

      // Act
      const { code, data } = await opsJson<Record<string, number>>(['reap']);

      // Assess
      expect(code).toBe(0);
      expect(data).toEqual({ reset: 1, requeued: 0, examined: 1, failed: 0 });
      expect(await app.store.get(id)).toMatchObject({ status: 'PENDING' });
      expect((await app.store.get(id))?.history.at(-1)).toMatchObject({ event: 'reset', attempt: 1 });
      expect(await queuedBodies(backend)).toEqual([messageFor(id)]);
    });
  });

  describe('targets and usage', () => {
    it.each([
      { argv: ['frobnicate'], message: /Unknown command 'frobnicate'/ },
      { argv: ['show'], message: /'show' needs a submission id/ },
      { argv: ['requeue', 'nope'], message: /'nope' is not a submission id/ },
      { argv: ['stats', '--bogus'], message: /bogus/ },
    ])('exits 2 with the usage for $argv, touching nothing', async ({ argv, message }) => {
      // Act: no emulator needed, nothing is opened.
      const { code, out, err } = await ops(argv, {});

      // Assess
      expect(code).toBe(2);
      expect(out).toBe('');
      expect(err).toMatch(message);
      expect(err).toContain('Usage: npm run ops -- <command> [options]');
    });

    it('finds a stage’s table and queues by their serverless.yml names (GetQueueUrl)', async () => {
      // Prepare
      const stage = `ops-${randomUUID().slice(0, 8)}`;
      await setUp({ stage });
      await accept();

      // Act
      const { code, data } = await opsJson<Stats>(['stats', '--stage', stage], await deployedStageEnv());

      // Assess
      expect(code).toBe(0);
      expect(data).toMatchObject({ stage, table: `submissions-${stage}-submissions-v2`, pending: 1 });
      expect(data.queue.visible).toBe(1);
    });

    it('exits 1 with a clear message when the stage has no queues', async () => {
      // Act
      const { code, err } = await ops(['stats', '--stage', 'nowhere'], { ...inject('emulatorEnv') });

      // Assess
      expect(code).toBe(1);
      expect(err).toMatch(/Queue submissions-nowhere-submissions does not exist/);
    });

    it('runs as `npm run ops -- stats --json` in a child process', async () => {
      // Prepare
      const stage = `ops-${randomUUID().slice(0, 8)}`;
      await setUp({ stage });
      await accept();
      await accept();

      // Act
      const {
        code: exitCode,
        stdout,
        stderr,
      } = await runToExit('npm', ['run', 'ops', '--', 'stats', '--json', '--stage', stage], {
        env: { ...process.env, ...(await deployedStageEnv()) },
      });

      // Assess
      expect({ exitCode, stderr }).toEqual({ exitCode: 0, stderr: '' });
      // npm prints its own "> submission-pipeline@… ops" header before the command's output.
      const json = JSON.parse(stdout.slice(stdout.indexOf('{'))) as Stats;
      expect(json).toMatchObject({ stage, pending: 2, processing: 0, queue: { visible: 2 } });
      // CloudWatch could not be read: said in the output, and not a failure of the command.
      expect(json.queue.oldestMessageAge).toEqual({
        unavailable: expect.stringMatching(/^unavailable \(cannot read CloudWatch at .*ECONNREFUSED/),
      });
    });
  });
});
