import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../workbench/local/stack';
import { readNodeVersionLog } from '../helpers/node-version-log';
import { runToExit } from '../helpers/run-to-exit';

const manifest = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8'));
const pinned: string = manifest.devDependencies.node;
const pinnedMajor = pinned.split('.')[0];
const GUARD = './workbench/pinned-node.mjs';

/** Runs `command` to its exit; `output` is both streams, as a terminal shows them. */
async function run(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  const { code, stdout, stderr } = await runToExit(command, args, options);
  return { code, output: stdout + stderr };
}

describe('one Node for everything: the pinned `node` devDependency', () => {
  const directory = mkdtempSync(join(tmpdir(), 'pinned-node-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('is the Node these tests run on, and the Lambda runtime’s major', () => {
    const serverless = readFileSync(join(projectRoot, 'serverless.yml'), 'utf8');

    expect(process.versions.node.split('.')[0]).toBe(pinnedMajor);
    expect(serverless).toContain(`runtime: nodejs${pinnedMajor}.x`);
    expect(serverless).toContain(`target: node${pinnedMajor}`);
    expect(readFileSync(join(projectRoot, '.nvmrc'), 'utf8').trim()).toBe(pinned);
    expect(manifest.devDependencies['@types/node'].split('.')[0]).toBe(pinnedMajor);
    expect(manifest.engines.node).toBe(`>=${pinnedMajor}.0.0 <${Number(pinnedMajor) + 1}`);
  });

  it("hides none of the AWS SDK's warnings about the Node version: on the pinned Node it has nothing to say", async () => {
    const found = await run('git', [
      'grep',
      '-l',
      'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED',
      '--',
      '.',
      ':!test/integration/pinned-node.test.ts',
    ]);

    // git grep exits 1 when nothing matches.
    expect(found).toEqual({ code: 1, output: '' });
  });

  it('is loaded first by every npm script that runs Node, and by the test runner’s configuration', () => {
    const unguarded = Object.entries(manifest.scripts as Record<string, string>).filter(
      ([, command]) => /(^|&& )node /.test(command) && !command.includes(`node --import ${GUARD} `),
    );
    const vitestConfig = readFileSync(join(projectRoot, 'vitest.config.mts'), 'utf8');
    const localstack = readFileSync(join(projectRoot, 'localstack/serverless.sh'), 'utf8');

    expect(unguarded).toEqual([]);
    expect(vitestConfig.split('\n')[0]).toBe(`import '${GUARD}';`);
    expect(localstack).toMatch(/^exec node_modules\/\.bin\/node --import \.\/workbench\/pinned-node\.mjs /m);
  });

  it.each([
    { script: 'ops', args: ['help'], entry: 'workbench/ops/cli.ts' },
    { script: 'worker', args: ['--help'], entry: 'src/worker/main.ts' },
    { script: 'smoke', args: ['--help'], entry: 'workbench/smoke.ts' },
    { script: 'token', args: ['--help'], entry: 'workbench/token.ts' },
  ])(
    'runs `npm run $script` and every process below it on the pinned major',
    async ({ script, args, entry }) => {
      const log = join(directory, `${script}.log`);
      // As from a shell: without the node_modules/.bin that npm put on this test's PATH.
      const PATH = (process.env.PATH ?? '')
        .split(delimiter)
        .filter((folder) => !folder.endsWith(join('node_modules', '.bin')))
        .join(delimiter);
      const result = await run('npm', ['run', '-s', script, '--', ...args], {
        env: { ...process.env, PATH, NODE_OPTIONS: '', NODE_VERSION_LOG: log },
      });

      expect(result.code, result.output).toBe(0);
      const processes = readNodeVersionLog(log);
      expect(processes.map((entry) => entry.script)).toContain(join(projectRoot, entry));
      for (const started of processes)
        expect(started.version.split('.')[0], started.script ?? '').toBe(pinnedMajor);
    },
  );

  it('carries itself into every Node process started below it, however it is spawned', async () => {
    const log = join(directory, 'grandchild.log');
    const grandchild = "require('node:child_process').spawnSync(process.execPath, ['-e', ''])";

    const result = await run(process.execPath, ['--import', GUARD, '-e', grandchild], {
      env: { ...process.env, NODE_OPTIONS: '', NODE_VERSION_LOG: log },
    });

    expect(result.code, result.output).toBe(0);
    expect(new Set(readNodeVersionLog(log).map((entry) => entry.pid)).size).toBe(2);
  });

  it('stops a process on another major at once, naming both versions and the fix', async () => {
    // A copy of the guard beside a package.json that pins another major: this process's Node is then "wrong".
    mkdirSync(join(directory, 'elsewhere', 'workbench'), { recursive: true });
    copyFileSync(join(projectRoot, GUARD), join(directory, 'elsewhere', GUARD));
    writeFileSync(
      join(directory, 'elsewhere', 'package.json'),
      JSON.stringify({ devDependencies: { node: '20.20.2' } }),
    );

    const result = await run(process.execPath, ['--import', GUARD, '-e', 'console.log("ran")'], {
      cwd: join(directory, 'elsewhere'),
      env: { ...process.env, NODE_OPTIONS: '' },
    });

    expect(result.code).toBe(1);
    expect(result.output).not.toContain('ran');
    expect(result.output).toContain('This project runs on Node 20.20.2');
    expect(result.output).toContain(
      `but this process runs Node ${process.versions.node} (${process.execPath})`,
    );
    expect(result.output).toContain('Run `npm install` (or `npm ci`)');
  });
});
