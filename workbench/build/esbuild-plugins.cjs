// serverless-esbuild loads `custom.esbuild.plugins` with require(); the plugins are TypeScript.
const { require: requireTs } = require('tsx/cjs/api');

const { browserBundle } = requireTs('./browser-bundle.ts', __filename);

module.exports = [browserBundle()];
