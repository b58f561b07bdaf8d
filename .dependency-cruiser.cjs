/**
 * The layer plan of the README, enforced: `npm run check:layers`.
 *
 *   src/domain ← src/rules ← src/application + src/ports
 *     ← src/adapters, src/http, src/observability, src/config
 *     ← src/composition*.ts ← entry points (handlers/, src/worker/)
 *
 * An arrow points from what is imported to what imports it: a layer imports only
 * the layers before it (and its own). src/ui is the browser page beside the plan;
 * workbench/ and bench/ may import src/; test/ may import anything.
 *
 * Type-only imports count (`tsPreCompilationDeps`): a layer that names another's
 * types depends on it as much as one that calls it.
 *
 * @type {import('dependency-cruiser').IConfiguration}
 */

/** Every module the check looks at; node modules and Node's built-ins are outside the plan. */
const PROJECT = '^(src|handlers|workbench|bench|test)/';

/** A path pattern for files under any of `folders` of src/. */
const under = (...folders) => `^src/(${folders.join('|')})/`;

const COMPOSITION = '^src/composition[^/]*[.]ts$';
const INNER_OF_COMPOSITION = under(
  'domain',
  'rules',
  'application',
  'ports',
  'adapters',
  'http',
  'observability',
  'config',
);

/**
 * dependency-cruiser reads TypeScript with the `typescript` package (before 7, or
 * from 7.1 on: 7.0's API is not the one it uses) or with `@swc/core`. Without
 * either it finds no .ts file at all and "passes" having checked nothing, so
 * refuse to run instead.
 */
function typeScriptParser() {
  try {
    require.resolve('@swc/core');
    return 'swc';
  } catch {
    // Not installed: try the TypeScript compiler.
  }
  const { version } = require('typescript/package.json');
  const [major, minor] = version.split('.').map(Number);
  if (major < 7 || (major === 7 && minor >= 1)) return 'tsc';
  throw new Error(
    `dependency-cruiser cannot read TypeScript with typescript@${version} (it needs <7 or >=7.1): ` +
      'install @swc/core as a devDependency, or update typescript to 7.1 or later.',
  );
}

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No import cycles: a cycle ties its modules into one, whatever layer each one is in.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'domain',
      severity: 'error',
      comment:
        'src/domain is the core of the plan: it imports nothing from the rest of the project, ' +
        'not even src/rules (rules import the shapes they need from the domain).',
      from: { path: under('domain') },
      to: { path: PROJECT, pathNot: under('domain') },
    },
    {
      name: 'rules',
      severity: 'error',
      comment: 'src/rules builds on src/domain only: src/domain ← src/rules.',
      from: { path: under('rules') },
      to: { path: PROJECT, pathNot: under('domain', 'rules') },
    },
    {
      name: 'application-and-ports',
      severity: 'error',
      comment:
        'src/application and src/ports build on src/domain and src/rules only: ' +
        'src/rules ← src/application + src/ports. Adapters, HTTP, observability and config plug into them, never the reverse.',
      from: { path: under('application', 'ports') },
      to: { path: PROJECT, pathNot: under('domain', 'rules', 'application', 'ports') },
    },
    {
      name: 'application-and-ports-not-to-rule-types',
      severity: 'error',
      comment:
        'src/application and src/ports know rule sets through the RuleSet interface of src/domain/rules.ts ' +
        "(a duplicate rule's reused verdict included), never a concrete rule type of src/rules/types/.",
      from: { path: under('application', 'ports') },
      to: { path: '^src/rules/types/' },
    },
    {
      name: 'adapters-http-observability-config',
      severity: 'error',
      comment:
        'src/adapters, src/http, src/observability and src/config implement and serve the ports: ' +
        'src/application + src/ports ← src/adapters, src/http, src/observability, src/config. ' +
        'They never import the composition, an entry point or the browser page.',
      from: { path: under('adapters', 'http', 'observability', 'config') },
      to: { path: PROJECT, pathNot: INNER_OF_COMPOSITION },
    },
    {
      name: 'adapters-not-to-application',
      severity: 'error',
      comment:
        'src/adapters implement the ports with what the ports define (the queue message codec is ' +
        'src/ports/submission-message.ts): they import src/ports and src/domain, never src/application.',
      from: { path: under('adapters') },
      to: { path: under('application') },
    },
    {
      name: 'composition',
      severity: 'error',
      comment:
        'src/composition*.ts wire the layers before them together: ' +
        'src/adapters, src/http, src/observability, src/config ← src/composition*.ts. Entry points import them, not the reverse.',
      from: { path: COMPOSITION },
      to: { path: PROJECT, pathNot: `${INNER_OF_COMPOSITION}|${COMPOSITION}` },
    },
    {
      name: 'entry-points',
      severity: 'error',
      comment:
        'The entry points (handlers/, src/worker/) come last: src/composition*.ts ← handlers/, src/worker/. ' +
        'Nothing in src/ imports one (src/worker/ its own files aside); workbench/, bench/ and test/ may.',
      from: { path: '^src/', pathNot: '^src/worker/' },
      to: { path: '^(handlers|src/worker)/' },
    },
    {
      name: 'ui',
      severity: 'error',
      comment:
        'src/ui is the browser page: besides its own files it imports only the shared pure modules ' +
        'src/domain/submission.ts and src/http/schemas.ts (types), nothing that runs on the server.',
      from: { path: under('ui') },
      to: { path: PROJECT, pathNot: '^src/ui/|^src/domain/submission[.]ts$|^src/http/schemas[.]ts$' },
    },
    {
      name: 'ui-served-not-imported',
      severity: 'error',
      comment:
        'The page is bundled for browsers and served by handlers/ui.ts: no server code in src/ imports src/ui.',
      from: { path: '^src/', pathNot: under('ui') },
      to: { path: under('ui') },
    },
    {
      name: 'shipped-code-not-to-workbench-bench-test',
      severity: 'error',
      comment:
        'src/ and handlers/ are what ships: they import nothing from workbench/, bench/ or test/ ' +
        '(those may import src/, never the reverse).',
      from: { path: '^(src|handlers)/' },
      to: { path: '^(workbench|bench|test)/' },
    },
    {
      name: 'workbench-and-bench-not-to-test',
      severity: 'error',
      comment: 'workbench/ and bench/ may import src/; test/ may import anything, and nothing imports test/.',
      from: { path: '^(workbench|bench)/' },
      to: { path: '^test/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    includeOnly: PROJECT,
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    parser: typeScriptParser(),
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs', '.json', '.d.ts'],
    },
    reporterOptions: {
      text: { highlightFocused: true },
    },
  },
};
