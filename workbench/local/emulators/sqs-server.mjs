// The SQS emulator (fauxqs) in its own process. Usage: node sqs-server.mjs [port]
import { startFauxqs } from 'fauxqs';
import { exitWithParent } from './lifecycle.mjs';

const server = await startFauxqs({ port: Number(process.argv[2] ?? 0), logger: false });
exitWithParent(() => server.stop());
console.log(JSON.stringify({ emulator: 'sqs', port: server.port }));
