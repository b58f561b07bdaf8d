/** `npm run fuzz -- [--runs N] [--seed S]`; see fuzz-run.ts (and `npm run fuzz -- --help`). */
import { runCommandLine } from './command-line';
import { main } from './fuzz-run';

runCommandLine(main);
