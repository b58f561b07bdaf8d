import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { freePort, projectRoot } from '../../src/local/stack';
import { waitFor } from '../helpers/wait';

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

describe('npm start', () => {
  it('serves the API, and Ctrl-C stops the API, the worker and both emulators, exiting 0', async () => {
    const ports = {
      HTTP_PORT: await freePort(),
      LAMBDA_PORT: await freePort(),
      DYNAMODB_PORT: await freePort(),
      SQS_PORT: await freePort(),
    };
    // What `npm start` runs (package.json "start"), with ports that do not clash with other stacks.
    const child = spawn(
      process.execPath,
      [join(projectRoot, 'node_modules/tsx/dist/cli.mjs'), 'src/local/start.ts'],
      {
        cwd: projectRoot,
        env: {
          ...process.env,
          ...Object.fromEntries(Object.entries(ports).map(([name, port]) => [name, String(port)])),
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const exited = once(child, 'exit');
    const lines: string[] = [];
    createInterface({ input: child.stdout! }).on('line', (line) => lines.push(line));
    try {
      await waitFor(
        'the start banner',
        () => (lines.some((line) => line.includes('Ctrl-C stops everything')) ? true : undefined),
        {
          timeoutMs: 120_000,
        },
      );
      const response = await fetch(`http://127.0.0.1:${ports.HTTP_PORT}/submissions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ content: 'This contains number 42' }),
      });
      expect(response.status).toBe(202);
      for (const port of Object.values(ports)) expect(await accepting(port)).toBe(true);

      child.kill('SIGINT');
      const [code] = await exited;

      expect(code).toBe(0);
      for (const port of Object.values(ports)) expect(await accepting(port)).toBe(false);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
