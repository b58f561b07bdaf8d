// serverless v3 loads plugins with require(); the plugin itself is TypeScript.
const { require: requireTs } = require('tsx/cjs/api');

module.exports = requireTs('./offline-plugin.ts', __filename).OfflineLocalStackPlugin;
