import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { describe, expect, inject, it } from 'vitest';

/**
 * Issue 15 §7: the local stack serves this machine only. Every port it opens (the API,
 * serverless-offline's Lambda endpoint, both emulators) refuses a connection made to
 * this machine's own non-loopback address, as another machine's would be.
 */
const stack = inject('stack');
const PORTS = {
  'the API': stack.httpEndpoint,
  "serverless-offline's Lambda endpoint": stack.lambdaEndpoint,
  'the DynamoDB emulator': stack.env.AWS_ENDPOINT_URL_DYNAMODB ?? '',
  'the SQS emulator': stack.env.AWS_ENDPOINT_URL_SQS ?? '',
};

/** This machine's first non-loopback IPv4 address, if it has one. */
const outward = Object.values(networkInterfaces())
  .flat()
  .find((address) => address && address.family === 'IPv4' && !address.internal)?.address;

/** Whether a TCP connection to host:port is accepted. */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe.skipIf(outward === undefined)(`the local stack on ${outward ?? 'no outward address'}`, () => {
  it.each(Object.entries(PORTS))('%s listens on loopback only', async (_name, endpoint) => {
    const port = Number(new URL(endpoint).port);

    expect(await accepts('127.0.0.1', port)).toBe(true);
    expect(await accepts(outward!, port)).toBe(false);
  });
});
