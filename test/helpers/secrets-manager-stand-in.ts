import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for Secrets Manager's GetSecretValue on loopback: no emulator of the service
 * runs on this machine (LocalStack has one; the embedded stack does not). It speaks the
 * service's JSON protocol, so the real SDK client and Powertools Parameters talk to it
 * over HTTP, and it counts the reads. `secrets` maps a secret id to its value; an id it
 * does not hold gets ResourceNotFoundException, as from the service.
 */
export async function startSecretsManagerStandIn(secrets: Record<string, string>) {
  const reads: string[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString('utf8');
    });
    request.on('end', () => {
      const target = request.headers['x-amz-target'];
      const { SecretId } = JSON.parse(body || '{}') as { SecretId?: string };
      response.setHeader('content-type', 'application/x-amz-json-1.1');
      if (target !== 'secretsmanager.GetSecretValue' || SecretId === undefined) {
        response.statusCode = 400;
        response.end(JSON.stringify({ __type: 'InvalidRequestException', message: `not served: ${target}` }));
        return;
      }
      reads.push(SecretId);
      const value = secrets[SecretId];
      if (value === undefined) {
        response.statusCode = 400;
        response.end(JSON.stringify({ __type: 'ResourceNotFoundException', message: 'Secret not found' }));
        return;
      }
      response.end(
        JSON.stringify({
          ARN: SecretId,
          Name: SecretId,
          SecretString: value,
          VersionId: 'v1',
          CreatedDate: 0,
        }),
      );
    });
  });
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    reads,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
