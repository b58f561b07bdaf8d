import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { freePort, projectRoot } from '../../workbench/local/stack';
import { waitFor } from '../../workbench/wait';
import { readNodeVersionLog } from '../helpers/node-version-log';

function accepting(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** The stack's four ports, free now: the only settings the tests give, so no other stack clashes. */
async function stackPorts() {
  return {
    HTTP_PORT: await freePort(),
    LAMBDA_PORT: await freePort(),
    DYNAMODB_PORT: await freePort(),
    SQS_PORT: await freePort(),
  };
}

const portSettings = (ports: Record<string, number>) =>
  Object.fromEntries(Object.entries(ports).map(([name, port]) => [name, String(port)]));

describe('npm start', () => {
  it('decides "This contains number 42" PASSED and "short" FAILED at its own settings, and Ctrl-C stops everything in order', async () => {
    const ports = await stackPorts();
    const nodeVersionLog = join(mkdtempSync(join(tmpdir(), 'npm-start-')), 'node-versions.log');
    // `npm start` itself, in a process group of its own as a terminal runs it (ports that do not
    // clash with other stacks are the only settings given; the log names every Node process).
    const child = spawn('npm', ['start', '--silent'], {
      cwd: projectRoot,
      env: {
        ...process.env,
        ...portSettings(ports),
        NODE_OPTIONS: '',
        NODE_VERSION_LOG: nodeVersionLog,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const exited = once(child, 'exit');
    const lines: string[] = [];
    const errors: string[] = [];
    createInterface({ input: child.stdout! }).on('line', (line) => lines.push(line));
    createInterface({ input: child.stderr! }).on('line', (line) => errors.push(line));
    const api = `http://127.0.0.1:${ports.HTTP_PORT}`;
    const submit = async (content: string) => {
      const response = await fetch(`${api}/submissions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ content }),
      });
      expect(response.status).toBe(202);
      return ((await response.json()) as { id: string }).id;
    };
    const decided = (id: string) =>
      waitFor(
        `submission ${id} to be decided`,
        async () => {
          const body = (await (await fetch(`${api}/submissions/${id}`)).json()) as { status: string };
          return ['PASSED', 'FAILED'].includes(body.status) ? body : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 100 },
      );
    try {
      await waitFor(
        'the start banner',
        () => (lines.some((line) => line.includes('Ctrl-C stops everything')) ? true : undefined),
        { timeoutMs: 120_000 },
      );
      const [passing, failing] = [await submit('This contains number 42'), await submit('short')];

      expect(await decided(passing)).toMatchObject({ status: 'PASSED' });
      expect(await decided(failing)).toMatchObject({ status: 'FAILED' });
      for (const port of Object.values(ports)) expect(await accepting(port)).toBe(true);

      // Ctrl-C in a terminal signals the whole foreground process group (npm, tsx, start.ts);
      // the stack's own processes are in groups of their own and are stopped by start.ts, in order.
      const linesBeforeStop = lines.length;
      process.kill(-child.pid!, 'SIGINT');
      const [code, signal] = await exited;

      // npm ends every script it was interrupted in by re-raising SIGINT, whatever the script's exit code.
      expect({ code, signal }).toEqual({ code: null, signal: 'SIGINT' });
      for (const port of Object.values(ports)) expect(await accepting(port)).toBe(false);
      // Nothing but the stop notice: no warning from a poller whose queue vanished, no stack trace.
      const stopping = lines.slice(linesBeforeStop);
      expect(stopping).toContain('local stack: event sources stopped');
      expect(stopping.filter((line) => /warn|error|exception|^\s+at /i.test(line))).toEqual([]);
      expect(errors).toEqual([]);
      // Every Node process of the stack ran the pinned major: the starter, both emulators, serverless.
      const started = readNodeVersionLog(nodeVersionLog);
      const scripts = started.map((entry) => relative(projectRoot, entry.script ?? ''));
      expect(scripts).toEqual(
        expect.arrayContaining([
          'workbench/local/start.ts',
          'workbench/local/emulators/dynamodb-server.mjs',
          'workbench/local/emulators/sqs-server.mjs',
          'node_modules/serverless/bin/serverless.js',
        ]),
      );
      const pinnedMajor = process.versions.node.split('.')[0];
      for (const entry of started) expect(entry.version.split('.')[0], entry.script ?? '').toBe(pinnedMajor);
    } finally {
      if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGKILL');
    }
  });

  it('leaves nothing running when it is killed outright (SIGKILL, no chance to stop anything)', async () => {
    const ports = await stackPorts();
    // start.ts itself (tsx as a loader, so this pid is the one that starts the stack).
    const child = spawn(process.execPath, ['--import', 'tsx', 'workbench/local/start.ts'], {
      cwd: projectRoot,
      env: {
        ...process.env,
        ...portSettings(ports),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const lines: string[] = [];
    createInterface({ input: child.stdout! }).on('line', (line) => lines.push(line));
    try {
      await waitFor(
        'the start banner',
        () => (lines.some((line) => line.includes('Ctrl-C stops everything')) ? true : undefined),
        { timeoutMs: 120_000 },
      );
      for (const port of Object.values(ports)) expect(await accepting(port)).toBe(true);

      child.kill('SIGKILL');

      // serverless sees its IPC channel close, the emulators see their parent gone: each stops.
      await waitFor(
        'every port of the stack to close',
        async () =>
          (await Promise.all(Object.values(ports).map(accepting))).some(Boolean) ? undefined : true,
        { timeoutMs: 30_000 },
      );
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });
});
