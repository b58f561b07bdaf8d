import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { createSqsClient } from '../../src/adapters/sqs/sqs-client';
import { freePort, projectRoot } from '../../workbench/local/stack';
import { waitFor } from '../../workbench/wait';
import { spawnNode } from './fault-process';

export type EmulatorName = 'dynamodb' | 'sqs';

/** One emulator in its own process, on a port the test chose, so it can be killed and started again there. */
export interface EmulatorProcess {
  port: number;
  readonly endpoint: string;
  /** SIGKILL: the emulator keeps everything in memory, so all of it is gone. */
  kill(): Promise<void>;
}

/**
 * Starts `workbench/local/emulators/<name>-server.mjs` on `port` (0: one the OS picks) —
 * per-emulator control that `startEmulators`, with its single stop(), does not give.
 */
export async function startEmulatorProcess(name: EmulatorName, port: number): Promise<EmulatorProcess> {
  const running = spawnNode(
    [join(projectRoot, 'workbench/local/emulators', `${name}-server.mjs`), String(port)],
    process.env,
  );
  let exited = false;
  void running.exited.then(() => {
    exited = true;
  });
  const listening = await waitFor(
    `the ${name} emulator on port ${port}`,
    () => {
      if (exited) throw new Error(`${name} emulator exited:\n${running.lines.join('\n')}`);
      const ready = running.lines.find((line) => line.includes(`"emulator":"${name}"`));
      return ready ? (JSON.parse(ready) as { port: number }).port : undefined;
    },
    { timeoutMs: 15_000 },
  );
  return {
    port: listening,
    endpoint: `http://127.0.0.1:${listening}`,
    kill: async () => {
      await running.kill();
    },
  };
}

const LOCAL_ACCOUNT = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
} as const;

/**
 * A DynamoDB and an SQS emulator for one test alone, on fixed free ports, each
 * of which the test can kill and start again on the same port.
 */
export class DedicatedEmulators {
  readonly #ports: Record<EmulatorName, number>;
  readonly #running = new Map<EmulatorName, EmulatorProcess>();
  readonly dynamodb: DynamoDBClient;
  readonly sqs: SQSClient;

  private constructor(ports: Record<EmulatorName, number>) {
    this.#ports = ports;
    const config = {
      region: LOCAL_ACCOUNT.AWS_REGION,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    };
    this.dynamodb = new DynamoDBClient({ ...config, endpoint: this.endpoint('dynamodb') });
    this.sqs = createSqsClient({ ...config, endpoint: this.endpoint('sqs') });
  }

  /**
   * Ports come from `freePort`, below the ephemeral range: a port the OS picked
   * from that range could be taken by a client socket while the emulator is down.
   */
  static async start(): Promise<DedicatedEmulators> {
    const [dynamodb, sqs] = await Promise.all([
      freePort().then((port) => startEmulatorProcess('dynamodb', port)),
      freePort().then((port) => startEmulatorProcess('sqs', port)),
    ]);
    const emulators = new DedicatedEmulators({ dynamodb: dynamodb.port, sqs: sqs.port });
    emulators.#running.set('dynamodb', dynamodb);
    emulators.#running.set('sqs', sqs);
    return emulators;
  }

  endpoint(name: EmulatorName): string {
    return `http://127.0.0.1:${this.#ports[name]}`;
  }

  /** What a Lambda would find in its environment to reach these emulators. */
  get env(): Record<string, string> {
    return {
      ...LOCAL_ACCOUNT,
      AWS_ENDPOINT_URL_DYNAMODB: this.endpoint('dynamodb'),
      AWS_ENDPOINT_URL_SQS: this.endpoint('sqs'),
    };
  }

  async kill(name: EmulatorName): Promise<void> {
    await this.#running.get(name)?.kill();
    this.#running.delete(name);
  }

  /** Starts the emulator (again) on its port; a running one is killed first. */
  async restart(name: EmulatorName): Promise<void> {
    await this.kill(name);
    this.#running.set(name, await startEmulatorProcess(name, this.#ports[name]));
  }

  async stop(): Promise<void> {
    this.dynamodb.destroy();
    this.sqs.destroy();
    await Promise.all([this.kill('dynamodb'), this.kill('sqs')]);
  }
}

/** Sets environment variables and returns how to put the previous values back. */
export function overrideEnv(values: Record<string, string>): () => void {
  const saved = Object.fromEntries(Object.keys(values).map((name) => [name, process.env[name]]));
  Object.assign(process.env, values);
  return () => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}
