/** `npm run -s token -- --stage <stage> [options]`: an access token on stdout; see token-run.ts (and `--help`). */
import { runCommandLine } from './command-line';
import { runToken } from './token-run';

runCommandLine(runToken);
