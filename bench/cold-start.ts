/**
 * Figure 5, cold start: each handler bundled as serverless.yml's
 * `custom.esbuild` bundles it (same target, platform, loaders, plugins and
 * externals; format cjs, serverless-esbuild's default), but minified and
 * without source maps; its size, and how long `require()` of it takes in a
 * fresh Node process with a Lambda-like environment (the median of `samples`
 * processes, bundles taken in turn so drift hits them alike). The peer's worker
 * is bundled and timed the same way, and so is each function's baseline: the AWS
 * SDK clients it uses and nothing else (bench/sdk-only/). A `deployed` bundle is built as
 * serverless.yml ships it instead, to show what minifying and source maps do.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type BuildOptions, build, type Plugin } from 'esbuild';
import { projectRoot } from '../workbench/local/stack';
import { median } from './throughput';

/**
 * How a bundle is built and loaded. Default: minified, no source map (the
 * issue's measure). `deployed`: as serverless.yml ships it — not minified, and
 * with `sourceMaps` its source map (without sources, as serverless.yml builds
 * it) loaded by `--enable-source-maps`, as NODE_OPTIONS there says.
 */
export interface BundleSpec {
  name: string;
  entry: string;
  deployed?: { sourceMaps: boolean };
}

export interface BundleFigures {
  name: string;
  entry: string;
  /** The bundle's size; a source map's is not included. */
  bytes: number;
  /** Median `require()` time in ms, and every sample. */
  initMs: number;
  samples: number[];
}

/** serverless-esbuild's own options, which it removes before calling esbuild. */
const PLUGIN_OPTIONS = new Set([
  'concurrency',
  'zipConcurrency',
  'exclude',
  'nativeZip',
  'packager',
  'packagePath',
  'watch',
  'keepOutputDirectory',
  'packagerOptions',
  'installExtraArgs',
  'outputFileExtension',
  'outputBuildFolder',
  'outputWorkFolder',
  'nodeExternals',
  'skipBuild',
  'skipRebuild',
  'skipBuildExcludeFns',
  'stripEntryResolveExtensions',
  'disposeContext',
  'plugins',
  'config',
]);

/** The esbuild options serverless-esbuild derives from serverless.yml's `custom.esbuild`. */
async function serviceBuildOptions(): Promise<BuildOptions> {
  const readConfiguration = require('serverless/lib/configuration/read') as (
    path: string,
  ) => Promise<{ custom: { esbuild: Record<string, unknown> } }>;
  const { esbuild } = (await readConfiguration(join(projectRoot, 'serverless.yml'))).custom;
  const options: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(esbuild)) {
    if (!PLUGIN_OPTIONS.has(key)) options[key] = value;
  }
  const toArray = (value: unknown) => (Array.isArray(value) ? (value as string[]) : []);
  const plugins =
    typeof esbuild.plugins === 'string'
      ? (require(join(projectRoot, esbuild.plugins)) as Plugin[])
      : undefined;
  return {
    ...options,
    format: 'cjs',
    external: [...toArray(esbuild.external), ...toArray(esbuild.exclude ?? ['aws-sdk'])],
    plugins,
  };
}

/**
 * Bundles `entry` (a handler) as serverless.yml does, into a file of `directory`, for
 * `require()`: handlers import ESM-only packages (middy) that a plain `require` of the
 * TypeScript source cannot load.
 */
export async function bundleHandler(entry: string, directory: string): Promise<string> {
  const outfile = join(directory, `${entry.replaceAll(/[^\w]/g, '-')}.js`);
  await build({
    ...(await serviceBuildOptions()),
    absWorkingDir: projectRoot,
    entryPoints: [entry],
    outfile,
    sourcemap: false,
    logLevel: 'error',
  });
  return outfile;
}

/** What Lambda and serverless.yml put in a function's environment, enough for each handler's config to load. */
const LAMBDA_ENV: Record<string, string> = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'cold-start',
  AWS_SECRET_ACCESS_KEY: 'cold-start',
  AWS_LAMBDA_FUNCTION_NAME: 'bench-cold-start',
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
  TABLE_NAME: 'submissions-bench-submissions',
  QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/000000000000/submissions-bench-submissions',
  PEER_IDEMPOTENCY_TABLE: 'submissions-bench-peer-idempotency',
  // serverless.yml sets these for every function.
  POWERTOOLS_SERVICE_NAME: 'submissions-bench',
  POWERTOOLS_METRICS_NAMESPACE: 'SubmissionPipeline',
  AUTH_MODE: 'jwt',
  CURSOR_SECRET: 'cold-start-bench-cursor-secret-0123456789',
};

/** Run by `node -e` in each fresh process: loads the bundle and prints how long it took. */
const PROBE =
  'const started = performance.now(); require(process.argv[1]); ' +
  'process.stdout.write(String(performance.now() - started));';

export async function measureColdStarts(
  entries: readonly BundleSpec[],
  samples: number,
  progress: (message: string) => void,
): Promise<BundleFigures[]> {
  const options = await serviceBuildOptions();
  const directory = mkdtempSync(join(tmpdir(), 'bench-bundles-'));
  try {
    const bundles = [];
    for (const [index, { name, entry, deployed }] of entries.entries()) {
      const outfile = join(directory, `bundle-${index}.js`);
      await build({
        ...options,
        absWorkingDir: projectRoot,
        entryPoints: [entry],
        outfile,
        minify: deployed === undefined,
        sourcemap: deployed?.sourceMaps ?? false,
        sourcesContent: false,
        logLevel: 'error',
      });
      const nodeOptions = deployed?.sourceMaps ? ['--enable-source-maps'] : [];
      bundles.push({
        name,
        entry,
        outfile,
        nodeOptions,
        bytes: statSync(outfile).size,
        samples: [] as number[],
      });
    }
    progress(`cold start: ${bundles.length} bundles built; ${samples} fresh processes each`);
    for (let sample = 0; sample < samples; sample += 1) {
      for (const bundle of bundles) {
        const { stdout } = await promisify(execFile)(
          process.execPath,
          [...bundle.nodeOptions, '-e', PROBE, bundle.outfile],
          { env: { PATH: process.env.PATH ?? '', ...LAMBDA_ENV } },
        );
        bundle.samples.push(Number(stdout));
      }
    }
    return bundles.map(({ name, entry, bytes, samples: taken }) => ({
      name,
      entry,
      bytes,
      initMs: median(taken),
      samples: taken,
    }));
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}
