/**
 * A worker in its own process, for tests that kill it for real.
 * Usage: node --import tsx test/helpers/fault-worker-process.ts <submission id>
 *
 * Composes the application from the environment exactly as a Lambda cold start
 * does (TABLE_NAME, QUEUE_URL, PROCESSING_DELAY_MS, AWS_ENDPOINT_URL_DYNAMODB/SQS,
 * credentials) and processes one submission. Prints one JSON line when it starts
 * and one with the outcome, should it ever get that far.
 */
import { compose } from '../../src/composition';
import { loadConfig } from '../../src/config/env';

const id = process.argv[2];
if (!id) {
  console.error('usage: fault-worker-process.ts <submission id>');
  process.exit(2);
}

async function main(submissionId: string): Promise<void> {
  const { processor } = compose({ config: loadConfig() });
  console.log(JSON.stringify({ worker: 'started', pid: process.pid }));
  const outcome = await processor.process(submissionId);
  console.log(JSON.stringify({ worker: 'finished', outcome }));
}

main(id).catch((error: unknown) => {
  console.error(JSON.stringify({ worker: 'failed', error: String(error) }));
  process.exit(1);
});
