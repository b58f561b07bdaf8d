/** `npm run ops -- <command> [options]`; see main.ts (and `npm run ops -- help`). */
import { runCommandLine } from '../command-line';
import { main } from './run-ops';

runCommandLine(main);
