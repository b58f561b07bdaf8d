// Every process the project starts runs on the Node that package.json pins: the `node`
// devDependency, whose major is the Lambda runtime's. npm scripts load this file first
// (`node --import ./workbench/pinned-node.mjs …`, and vitest.config.mts imports it); it then
// adds itself to NODE_OPTIONS, so every Node process started below it is checked too, however
// it was spawned. A process on another Node stops at once, naming both versions.
//
// NODE_VERSION_LOG=<file> appends one JSON line per process, before the check (pid, version,
// binary, script), so a test or CI can see which Node every process of a run used.
import { appendFileSync, readFileSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';

const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const pinned = manifest.devDependencies.node;
const running = process.versions.node;

/** The message for a process on the wrong Node, or undefined when the majors agree. */
export function nodeVersionProblem(runningVersion, pinnedVersion, executable) {
  const major = (version) => version.split('.')[0];
  if (major(runningVersion) === major(pinnedVersion)) return undefined;
  return [
    `This project runs on Node ${pinnedVersion} (the "node" devDependency in package.json, the Lambda runtime's major),`,
    `but this process runs Node ${runningVersion} (${executable}).`,
    'Run `npm install` (or `npm ci`) in the project folder with install scripts on: the "node" package installs',
    'Node into node_modules/.bin, and npm scripts run it from there. `--ignore-scripts` skips that install.',
  ].join('\n');
}

const log = process.env.NODE_VERSION_LOG;
// Worker threads share their process's Node; one line per process.
if (log && isMainThread) {
  const record = {
    pid: process.pid,
    version: running,
    execPath: process.execPath,
    script: process.argv[1] ?? null,
  };
  appendFileSync(log, `${JSON.stringify(record)}\n`);
}

const problem = nodeVersionProblem(running, pinned, process.execPath);
if (problem !== undefined) {
  process.stderr.write(`${problem}\n`);
  process.exit(1);
}

const self = `--import="${import.meta.url}"`;
const inherited = process.env.NODE_OPTIONS ?? '';
if (!inherited.includes(self)) process.env.NODE_OPTIONS = `${inherited} ${self}`.trim();
