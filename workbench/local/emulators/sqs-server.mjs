// The SQS emulator (fauxqs) in its own process, on loopback only. Usage: node sqs-server.mjs [port]
// fauxqs's own startFauxqs listens on every interface; its app is listened on here instead.
import { buildApp } from 'fauxqs';
import { exitWithParent } from './lifecycle.mjs';

const app = buildApp({ logger: false });
await app.listen({ port: Number(process.argv[2] ?? 0), host: '127.0.0.1' });
exitWithParent(() => app.close());
console.log(JSON.stringify({ emulator: 'sqs', port: app.server.address().port }));
