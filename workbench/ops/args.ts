import { parseArgs } from 'node:util';
import * as z from 'zod';
import { UsageError } from '../command-line';

export const USAGE = `Usage: npm run ops -- <command> [options]

Commands:
  stats              PENDING / PROCESSING counts (from the sparse index), queue and DLQ depth,
                     their oldest message age (CloudWatch; not on stage local)
  show <id>          one submission: status, lease, result, history (--content adds the content)
  requeue <id>       re-enqueue a PENDING submission, or reset one whose lease expired
  redrive            move dead-letter messages back to the queue (--dry-run, --max N)
  reap               run the reaper once now and print its report
  migrate            copy the stage's submissions from the store schema v1 table into v2
                     (once, after deploying the release that brings v2; safe to repeat)
  help               this text

Options:
  --stage <stage>    target stage (default local: the emulators of \`npm start\`)
  --region <region>  AWS region (default AWS_REGION)
  --json             machine-readable output
  --content          show: include the submitted content
  --dry-run          redrive: say what would happen, change nothing
  --max <n>          redrive: handle at most n messages (default 100)

Exit status: 0 done, 1 failed or refused, 2 usage error.`;

export interface CommonOptions {
  stage: string;
  region?: string;
  json: boolean;
}

export type OpsCommand =
  | { command: 'help' }
  | { command: 'stats' | 'reap' | 'migrate'; options: CommonOptions }
  | { command: 'show'; id: string; content: boolean; options: CommonOptions }
  | { command: 'requeue'; id: string; options: CommonOptions }
  | { command: 'redrive'; dryRun: boolean; max: number; options: CommonOptions };

export const DEFAULT_REDRIVE_MAX = 100;

/** Which options each command takes besides the common ones. */
const COMMANDS = {
  stats: [],
  show: ['content'],
  requeue: [],
  redrive: ['dry-run', 'max'],
  reap: [],
  migrate: [],
  help: [],
} as const satisfies Record<string, readonly string[]>;

/** The ids the API hands out (the same check as the API's 400 for a malformed id). */
const submissionId = z.uuid();
/** A serverless stage name: letters, digits and hyphens. */
const stageName = /^[A-Za-z0-9-]+$/;

/** Parses `npm run ops -- <command> [options]`; throws UsageError for anything it does not know. */
export function parseCommand(argv: readonly string[]): OpsCommand {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.help || command === undefined || command === 'help') return { command: 'help' };
  if (!Object.hasOwn(COMMANDS, command)) throw new UsageError(`Unknown command '${command}'.`);
  const name = command as keyof typeof COMMANDS;
  const allowed: readonly string[] = COMMANDS[name];
  for (const option of ['content', 'dry-run', 'max'] as const) {
    if (values[option] !== undefined && !allowed.includes(option)) {
      throw new UsageError(`Option '--${option}' does not apply to '${name}'.`);
    }
  }
  const stage = values.stage ?? 'local';
  if (!stageName.test(stage)) throw new UsageError(`Stage '${stage}' is not a stage name.`);
  const options: CommonOptions = { stage, json: values.json ?? false, region: values.region };
  const takesId = name === 'show' || name === 'requeue';
  const expected = takesId ? 1 : 0;
  if (rest.length > expected) throw new UsageError(`Unexpected argument '${rest[expected]}'.`);

  switch (name) {
    case 'help':
      return { command: 'help' };
    case 'stats':
    case 'reap':
    case 'migrate':
      return { command: name, options };
    case 'show':
      return { command: name, id: idFrom(rest[0], name), content: values.content ?? false, options };
    case 'requeue':
      return { command: name, id: idFrom(rest[0], name), options };
    case 'redrive':
      return { command: name, dryRun: values['dry-run'] ?? false, max: maxFrom(values.max), options };
  }
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      stage: { type: 'string' },
      region: { type: 'string' },
      json: { type: 'boolean' },
      content: { type: 'boolean' },
      'dry-run': { type: 'boolean' },
      max: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

function idFrom(value: string | undefined, command: string): string {
  if (value === undefined) throw new UsageError(`'${command}' needs a submission id.`);
  if (!submissionId.safeParse(value).success) {
    throw new UsageError(`'${value}' is not a submission id (a UUID).`);
  }
  return value.toLowerCase();
}

function maxFrom(value: string | undefined): number {
  if (value === undefined) return DEFAULT_REDRIVE_MAX;
  const max = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(max) || max < 1) {
    throw new UsageError(`--max must be a whole number of at least 1, got '${value}'.`);
  }
  return max;
}
