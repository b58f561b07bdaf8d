import { dirname, resolve } from 'node:path';
import type { Message, Plugin } from 'esbuild';

const SUFFIX = '?browser';
const NAMESPACE = 'browser-bundle';

/** esbuild's failures carry their messages; anything else becomes one. */
function messagesOf(error: unknown): Message[] | undefined {
  const errors = (error as { errors?: unknown } | undefined)?.errors;
  return Array.isArray(errors) && errors.length > 0 ? (errors as Message[]) : undefined;
}

/**
 * Lets server code import a browser script as text: `import script from './app?browser'`
 * bundles app.ts and what it imports into one minified ES module for browsers and hands it
 * over as a string. The page's script is thus built by the same serverless-esbuild step as
 * the function that serves it: no second build tool, and no build output in the repository.
 */
export function browserBundle(): Plugin {
  return {
    name: 'browser-bundle',
    setup(server) {
      server.onResolve({ filter: /\?browser$/ }, async ({ path, importer, resolveDir, kind }) => {
        const entry = await server.resolve(path.slice(0, -SUFFIX.length), { importer, resolveDir, kind });
        if (entry.errors.length > 0) return { errors: entry.errors };
        return { path: entry.path, namespace: NAMESPACE };
      });
      server.onLoad({ filter: /.*/, namespace: NAMESPACE }, async ({ path }) => {
        try {
          // The running esbuild's own API: a second copy loaded through tsx could not find its binary.
          const bundle = await server.esbuild.build({
            entryPoints: [path],
            bundle: true,
            format: 'esm',
            platform: 'browser',
            target: 'es2022',
            minify: true,
            write: false,
            metafile: true,
            logLevel: 'silent',
          });
          return {
            contents: bundle.outputFiles[0]?.text ?? '',
            loader: 'text',
            resolveDir: dirname(path),
            // So a watching build (serverless offline) rebuilds when the page's code changes.
            watchFiles: Object.keys(bundle.metafile.inputs).map((input) => resolve(input)),
          };
        } catch (error) {
          const errors = messagesOf(error);
          if (errors) return { errors };
          throw error;
        }
      });
    },
  };
}
