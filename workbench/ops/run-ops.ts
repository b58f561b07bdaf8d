import { createDocumentClient } from '../../src/adapters/dynamodb/dynamodb-client';
import type { LogFields, Logger } from '../../src/ports/logger';
import { type CommandLineIo, commandOrExit, EXIT } from '../command-line';
import { type OpsCommand, parseCommand, USAGE } from './args';
import { formatMigration, migrate } from './migrate';
import { formatReap, formatRedrive, formatRequeue, formatStats, formatSubmission } from './ops-output';
import {
  openTarget,
  type Target,
  type TargetClients,
  type TargetSettings,
  targetSettings,
} from './ops-target';
import { redrive } from './redrive';
import { requeueSubmission } from './requeue';
import { collectStats } from './stats';

/** Where `main` reads its environment and writes its output; the CLI passes the process's own. */
/** Standard output carries the command's answer (text, or JSON with --json); standard error the rest. */
export interface OpsIo extends CommandLineIo {
  now?: () => Date;
  /** Clients to use instead of ones built for the stage (tests hand in a fake CloudWatch). */
  clients?: TargetClients;
}

interface Outcome {
  exitCode: number;
  /** What --json prints. */
  data: unknown;
  text: string;
}

/**
 * `npm run ops -- <command> [options]`, callable in-process: returns the exit
 * status (0 done, 1 failed or refused, 2 usage error) instead of exiting.
 */
export async function main(argv: readonly string[], io: OpsIo): Promise<number> {
  const command = commandOrExit(() => parseCommand(argv), USAGE, io);
  if (typeof command === 'number') return command;
  const { json } = command.options;
  const settings = targetSettings(command.options, io.env);
  let target: Target | undefined;
  try {
    target = await openTarget(settings, io.env, stderrLogger(io), io.clients);
    const clock = io.now ?? (() => new Date());
    const outcome = await run(command, target, clock(), clock);
    io.out(json ? JSON.stringify(outcome.data, null, 2) : outcome.text);
    return outcome.exitCode;
  } catch (error) {
    const message = describeFailure(error, settings);
    if (json) io.out(JSON.stringify({ error: message }, null, 2));
    io.err(`error: ${message}`);
    return EXIT.failed;
  } finally {
    target?.close();
  }
}

async function run(
  command: Exclude<OpsCommand, { command: 'help' }>,
  target: Target,
  now: Date,
  clock: () => Date,
) {
  const { app } = target;
  switch (command.command) {
    case 'stats': {
      const stats = await collectStats(target, now);
      return { exitCode: EXIT.ok, data: stats, text: formatStats(stats) } satisfies Outcome;
    }
    case 'show': {
      const submission = await app.store.get(command.id);
      if (!submission) {
        return {
          exitCode: EXIT.failed,
          data: { error: `no submission ${command.id}` },
          text: `there is no submission ${command.id}`,
        } satisfies Outcome;
      }
      const { content, ...withoutContent } = submission;
      return {
        exitCode: EXIT.ok,
        data: command.content ? submission : withoutContent,
        text: formatSubmission(submission, now, command.content),
      } satisfies Outcome;
    }
    case 'requeue': {
      const report = await requeueSubmission(app, command.id, now);
      return {
        exitCode: report.requeued ? EXIT.ok : EXIT.failed,
        data: report,
        text: formatRequeue(report, now),
      } satisfies Outcome;
    }
    case 'redrive': {
      const report = await redrive(target, command);
      const failed = report.entries.some((entry) => entry.action === 'failed');
      return {
        exitCode: failed ? EXIT.failed : EXIT.ok,
        data: report,
        text: formatRedrive(report),
      } satisfies Outcome;
    }
    case 'migrate': {
      const report = await migrate({
        documents: createDocumentClient(target.dynamodb),
        legacyTableName: target.settings.legacyTableName,
        tableName: target.settings.tableName,
        activeShards: app.config.ACTIVE_INDEX_SHARDS,
        retentionDays: app.config.RETENTION_DAYS,
        queue: app.queue,
        now: clock,
      });
      return { exitCode: EXIT.ok, data: report, text: formatMigration(report) } satisfies Outcome;
    }
    case 'reap': {
      const report = await app.reaper.resetStuckAndRequeueOrphans();
      return {
        exitCode: report.failed > 0 ? EXIT.failed : EXIT.ok,
        data: report,
        text: formatReap(report),
      } satisfies Outcome;
    }
  }
}

/** The composed application's log lines go to standard error, keeping standard output for the answer. */
function stderrLogger(io: OpsIo): Logger {
  const write = (level: string) => (message: string, fields?: LogFields) =>
    io.err(JSON.stringify({ level, message, ...fields }));
  return { info: write('info'), warn: write('warn'), error: write('error') };
}

/** An error in words, with a hint when an emulator or endpoint is not there. */
function describeFailure(error: unknown, settings: TargetSettings): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  const message = error.message || error.name;
  if (!/ECONNREFUSED|ENOTFOUND|EAI_AGAIN/.test(`${String(code)} ${message}`)) return message;
  const endpoints = [settings.dynamodbEndpoint, settings.sqsEndpoint].filter(Boolean).join(', ');
  const hint = settings.stage === 'local' ? '; is `npm start` running?' : '';
  return `cannot reach stage ${settings.stage} (${endpoints || 'AWS'}): ${String(code ?? message)}${hint}`;
}
