/**
 * The soak's worker processes (bench/soak-worker.ts): started, SIGKILLed
 * mid-batch or shut down with SIGTERM, and replaced, each reporting over IPC how
 * many records it has in flight and what it has done so far.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { projectRoot } from '../workbench/local/stack';
import type { SoakCommand } from './soak-content';
import type { WorkerReport } from './soak-worker';

interface Worker {
  name: string;
  child: ChildProcess;
  inFlight: number;
  killed: boolean;
}

/** Worker processes that can be SIGKILLed at any moment and replaced. */
export class WorkerPool {
  readonly #env: NodeJS.ProcessEnv;
  readonly #log: (line: string) => void;
  readonly #logHint: string;
  readonly #workers = new Set<Worker>();
  /** Last running totals each worker reported, by worker name (kept after it dies). */
  readonly #outcomes = new Map<string, Record<string, number>>();
  #spawned = 0;
  #stopping = false;
  killed = 0;
  killedMidBatch = 0;
  /** Workers told to stop (SIGTERM), and of those, how many had records in flight. */
  shutDown = 0;
  shutDownMidBatch = 0;
  crashes = 0;

  /**
   * @param env the workers' environment: the service's settings, SOAK_QUEUE_ARN, SOAK_STALL_MS
   * @param log where the workers' output goes, line by line, prefixed with the worker's name
   * @param logHint where a reader finds that output, for error messages
   */
  constructor(env: NodeJS.ProcessEnv, log: (line: string) => void, logHint: string) {
    this.#env = env;
    this.#log = log;
    this.#logHint = logHint;
  }

  /** Starts a worker; resolves when it polls the queue. */
  spawn(): Promise<void> {
    this.#spawned += 1;
    const name = `w${this.#spawned}`;
    // One process (not the tsx CLI, which runs the script in a child a SIGKILL would orphan).
    const child = spawn(process.execPath, ['--import', 'tsx', join('bench', 'soak-worker.ts')], {
      cwd: projectRoot,
      env: this.#env,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    const worker: Worker = { name, child, inFlight: 0, killed: false };
    this.#workers.add(worker);
    const echo = (line: string) => this.#log(`[${name}] ${line}`);
    createInterface({ input: child.stdout! }).on('line', echo);
    createInterface({ input: child.stderr! }).on('line', echo);
    return new Promise((resolve, reject) => {
      const notReady = setTimeout(() => {
        reject(new Error(`worker ${name} not polling after 60 s; see ${this.#logHint}`));
      }, 60_000);
      child.on('message', (message: WorkerReport) => {
        if (message.type === 'ready') {
          clearTimeout(notReady);
          resolve();
        } else {
          worker.inFlight = message.inFlight;
          if (message.outcomes) this.#outcomes.set(name, message.outcomes);
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(notReady);
        this.#workers.delete(worker);
        if (worker.killed || this.#stopping) return;
        this.crashes += 1;
        echo(`exited unexpectedly (${signal ?? code}); replacing it`);
        reject(new Error(`worker ${name} exited with ${signal ?? code}; see ${this.#logHint}`));
        void this.spawn().catch(() => undefined);
      });
    });
  }

  /** Starts the shared outage schedule at `epoch`: in every worker now, and in those started later. */
  startOutages(epoch: number): void {
    this.#env.SOAK_OUTAGE_EPOCH = String(epoch);
    for (const worker of this.#workers) {
      // A worker killed a moment ago may be gone already; its replacement reads the environment.
      if (worker.killed || !worker.child.connected) continue;
      worker.child.send({ type: 'outage-epoch', epoch } satisfies SoakCommand, () => undefined);
    }
  }

  /** SIGKILLs a worker, preferably one with a record in flight, and starts a replacement. */
  killOne(pick: () => number): void {
    const victim = this.#stopOne(pick, 'SIGKILL');
    if (!victim) return;
    this.killed += 1;
    if (victim.inFlight > 0) this.killedMidBatch += 1;
  }

  /**
   * Shuts a worker down as a deployment would (SIGTERM: it stops receiving, lets its
   * records finish for the grace, then stops and releases them), preferably one with a
   * record in flight, and starts a replacement at once.
   */
  shutDownOne(pick: () => number): void {
    const victim = this.#stopOne(pick, 'SIGTERM');
    if (!victim) return;
    this.shutDown += 1;
    if (victim.inFlight > 0) this.shutDownMidBatch += 1;
  }

  /** Sends `signal` to a worker (preferably a busy one) and starts its replacement; the worker, if any. */
  #stopOne(pick: () => number, signal: 'SIGKILL' | 'SIGTERM'): Worker | undefined {
    const victim = this.#pickBusy(pick);
    if (!victim) return undefined;
    victim.killed = true;
    victim.child.kill(signal);
    void this.spawn().catch(() => undefined);
    return victim;
  }

  #pickBusy(pick: () => number): Worker | undefined {
    const all = [...this.#workers].filter((worker) => !worker.killed);
    const busy = all.filter((worker) => worker.inFlight > 0);
    const candidates = busy.length > 0 ? busy : all;
    return candidates[Math.floor(pick() * candidates.length)];
  }

  outcomes(): Record<string, number> {
    const totals: Record<string, number> = {};
    for (const outcomes of this.#outcomes.values()) {
      for (const [message, times] of Object.entries(outcomes))
        totals[message] = (totals[message] ?? 0) + times;
    }
    return totals;
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    const exits = [...this.#workers].map(
      (worker) => new Promise((resolve) => worker.child.once('exit', resolve)),
    );
    for (const worker of this.#workers) worker.child.kill('SIGKILL');
    await Promise.all(exits);
  }
}
