/**
 * `npm start`: the whole service on the embedded local stack. Ctrl-C stops it.
 * Ports come from HTTP_PORT (3000), LAMBDA_PORT (3002), DYNAMODB_PORT (8000), SQS_PORT (9324).
 * DynamoDB's data lives in a temporary directory removed on exit, or in DYNAMODB_DATA_DIR, kept.
 */
import { resolve } from 'node:path';
import { localPort } from '../../src/config/stages';
import { readableMetricsLine } from './metrics-line';
import { startLocalStack } from './stack';

const port = (name: Parameters<typeof localPort>[1]) => localPort(process.env, name);

async function main(): Promise<void> {
  const httpPort = port('HTTP_PORT');
  const stack = await startLocalStack({
    httpPort,
    lambdaPort: port('LAMBDA_PORT'),
    dynamodbPort: port('DYNAMODB_PORT'),
    sqsPort: port('SQS_PORT'),
    dynamodbDataDir: process.env.DYNAMODB_DATA_DIR ? resolve(process.env.DYNAMODB_DATA_DIR) : undefined,
    // The functions' metrics are EMF JSON lines (what CloudWatch reads); shown here readably.
    echo: (line) => console.log(readableMetricsLine(line) ?? line),
  });
  const api = `http://localhost:${httpPort}`;
  console.log(
    [
      '',
      `Submission pipeline running: open ${api}/ in a browser (API ${api})`,
      `  DynamoDB emulator ${stack.dynamodbEndpoint}, SQS emulator ${stack.sqsEndpoint}`,
      `  DynamoDB data in ${stack.dynamodbDataDir} (${process.env.DYNAMODB_DATA_DIR ? 'kept' : 'removed on exit; set DYNAMODB_DATA_DIR to keep it'})`,
      `  try: curl -si -X POST ${api}/submissions -H 'content-type: application/json' -d '{"content":"This contains number 42"}'`,
      'Ctrl-C stops everything.',
      '',
    ].join('\n'),
  );
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await stack.stop();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  // A closed terminal: the stack's processes are in process groups of their own, so stop them here.
  process.on('SIGHUP', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
