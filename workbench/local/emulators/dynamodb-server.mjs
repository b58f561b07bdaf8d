// The DynamoDB emulator (dynalite) in its own process. Usage: node dynamodb-server.mjs [port] [data-dir]
// With a data directory dynalite keeps its tables in LevelDB there, so a process
// started again on the same directory finds them; without one it keeps them in memory.
import dynalite from 'dynalite';
import { exitWithParent } from './lifecycle.mjs';

const [port = '0', path] = process.argv.slice(2);
// Tables become ACTIVE at once instead of after dynalite's default 500 ms.
const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, ...(path ? { path } : {}) });
server.listen(Number(port), '127.0.0.1', () => {
  exitWithParent(() => new Promise((resolve) => server.close(resolve)));
  console.log(JSON.stringify({ emulator: 'dynamodb', port: server.address().port }));
});
