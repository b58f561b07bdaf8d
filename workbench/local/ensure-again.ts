import type { ChildProcess } from 'node:child_process';

/**
 * The message `startLocalStack` sends the serverless process (over its IPC channel)
 * once an emulator that died runs again: the local plugin, which knows the
 * resources of serverless.yml, creates whatever the new process lacks.
 */
interface EnsureRequest {
  type: 'local-stack:ensure-resources';
  id: number;
  emulator: string;
}

interface EnsureReply {
  type: 'local-stack:resources-ensured';
  id: number;
  error?: string;
}

const isReply = (message: unknown, id: number): message is EnsureReply =>
  (message as EnsureReply | null)?.type === 'local-stack:resources-ensured' &&
  (message as EnsureReply).id === id;

let nextId = 0;

/** Parent side: asks the serverless process to ensure its resources; resolves once it has. */
export async function requestEnsureResources(child: ChildProcess, emulator: string): Promise<void> {
  if (!child.connected) throw new Error('the serverless process has no IPC channel');
  const id = ++nextId;
  const reply = new Promise<EnsureReply>((resolve, reject) => {
    const onMessage = (message: unknown) => {
      if (!isReply(message, id)) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(message);
    };
    const onExit = () => {
      child.off('message', onMessage);
      reject(new Error('the serverless process exited before ensuring its resources'));
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
  child.send({ type: 'local-stack:ensure-resources', id, emulator } satisfies EnsureRequest);
  const { error } = await reply;
  if (error) throw new Error(error);
}

/**
 * Child side: runs `ensure` on each request. Without an IPC channel (serverless
 * started by hand, not by `startLocalStack`) nothing listens.
 */
export function onEnsureResourcesRequest(ensure: (emulator: string) => Promise<void>): void {
  const send = process.send?.bind(process);
  if (!send) return;
  process.on('message', (message: unknown) => {
    const request = message as EnsureRequest | null;
    if (request?.type !== 'local-stack:ensure-resources') return;
    ensure(request.emulator).then(
      () => send({ type: 'local-stack:resources-ensured', id: request.id } satisfies EnsureReply),
      (error: unknown) =>
        send({
          type: 'local-stack:resources-ensured',
          id: request.id,
          error: error instanceof Error ? error.message : String(error),
        } satisfies EnsureReply),
    );
  });
  // The channel alone must not keep serverless running (it exits on SIGINT itself).
  process.channel?.unref();
  // The channel closes when the process that started the stack is gone (even killed):
  // stop as on Ctrl-C rather than keep serving its ports with nobody to stop it.
  process.once('disconnect', () => process.kill(process.pid, 'SIGINT'));
}
