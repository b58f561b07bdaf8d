/** What the workbench's command-line tools (`npm run ops`, `smoke`, `token`) share. */

/** Bad command line: the tool prints its usage text and exits 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Exit statuses every tool uses. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/**
 * The command `parse` reads from the arguments; or, when they ask for help or are not
 * understood, the exit status after the usage text went to the right stream.
 */
export function commandOrExit<Command extends { command: string }>(
  parse: () => Command,
  usage: string,
  io: CommandLineIo,
): Exclude<Command, { command: 'help' }> | number {
  let command: Command;
  try {
    command = parse();
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(`error: ${error.message}\n\n${usage}`);
    return EXIT.usage;
  }
  if (command.command === 'help') {
    io.out(usage);
    return EXIT.ok;
  }
  return command as Exclude<Command, { command: 'help' }>;
}

/** A tool's streams and environment; tests pass their own. */
export interface CommandLineIo {
  env: NodeJS.ProcessEnv;
  /** Standard output: the tool's answer. */
  out(text: string): void;
  /** Standard error: usage, failures, progress. */
  err(text: string): void;
}

/** Runs `main` with this process's arguments and streams; what it resolves to is the exit status. */
export function runCommandLine(main: (argv: readonly string[], io: CommandLineIo) => Promise<number>): void {
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
}
