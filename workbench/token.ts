/** `npm run -s token -- --stage <stage> [options]`: an access token on stdout; see token-run.ts (and `--help`). */
import { runToken } from './token-run';

runToken(process.argv.slice(2), {
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
