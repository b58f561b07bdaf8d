// serverless.yml takes its resource names from src/config/stages.ts through `${file(...)}`, so
// that the stack, `npm start`, `npm run ops` and the standalone worker share one source.
const { require: requireTs } = require('tsx/cjs/api');

const { stageResourceNames } = requireTs('../../src/config/stages.ts', __filename);

module.exports = async ({ resolveVariable }) => stageResourceNames(await resolveVariable('sls:stage'));
