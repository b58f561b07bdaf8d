// The DynamoDB emulator (dynalite, in memory) in its own process. Usage: node dynamodb-server.mjs [port]
import dynalite from 'dynalite';
import { exitWithParent } from './lifecycle.mjs';

// Tables become ACTIVE at once instead of after dynalite's default 500 ms.
const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  exitWithParent(() => new Promise((resolve) => server.close(resolve)));
  console.log(JSON.stringify({ emulator: 'dynamodb', port: server.address().port }));
});
