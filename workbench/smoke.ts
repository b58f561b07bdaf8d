/** `npm run smoke -- --url URL [--token T]`; see smoke-run.ts (and `npm run smoke -- --help`). */
import { main } from './smoke-run';

main(process.argv.slice(2), {
  env: process.env,
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
