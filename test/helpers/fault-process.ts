import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { projectRoot } from '../../workbench/local/stack';

/** A child Node process the test may kill at any moment; its output is kept line by line. */
export interface KillableProcess {
  readonly child: ChildProcess;
  readonly lines: string[];
  /** Resolves with the signal or code once the process has gone. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL: no handler runs, nothing is flushed, as when Lambda kills a sandbox or a host dies. */
  kill(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function spawnNode(args: string[], env: NodeJS.ProcessEnv): KillableProcess {
  const child = spawn(process.execPath, args, { cwd: projectRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => lines.push(line));
  createInterface({ input: child.stderr! }).on('line', (line) => lines.push(line));
  // 'close', not 'exit': by then every line the process wrote has been read.
  const exited = once(child, 'close').then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
  }));
  return {
    child,
    lines,
    exited,
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      return exited;
    },
  };
}

/**
 * Runs `test/helpers/fault-worker-process.ts` on one submission, in ONE process:
 * node with the repository's tsx loader (`--import tsx`). The tsx CLI
 * (`node_modules/tsx/dist/cli.mjs`) would run the script in a grandchild, so a
 * SIGKILL to the CLI would leave the worker itself alive.
 */
export function spawnWorker(id: string, env: Record<string, string>): KillableProcess {
  return spawnNode(['--import', 'tsx', join(projectRoot, 'test/helpers/fault-worker-process.ts'), id], {
    ...process.env,
    ...env,
  });
}
