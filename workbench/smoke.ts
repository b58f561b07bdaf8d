/** `npm run smoke -- --url URL [--token T]`; see smoke-run.ts (and `npm run smoke -- --help`). */
import { runCommandLine } from './command-line';
import { main } from './smoke-run';

runCommandLine(main);
