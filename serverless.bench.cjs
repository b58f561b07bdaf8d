/**
 * `npm run bench` only: `serverless offline start --config serverless.bench.cjs` runs
 * serverless.yml plus the bench's functions and resources (bench/bench-service.cjs).
 * serverless v3 wants a `--config` file in the service's root, hence this file here.
 * It refuses `package` and `deploy` (and anything but `offline` and `print`), so no
 * bench function is ever deployed.
 */
const { join } = require('node:path');
const readConfiguration = require('serverless/lib/configuration/read');
const { benchService } = require('./bench/bench-service.cjs');

const command = process.argv.slice(2).find((argument) => !argument.startsWith('-'));
if (command !== 'offline' && command !== 'print') {
  throw new Error(
    `serverless.bench.cjs is for \`npm run bench\` (serverless offline) only, not \`${command}\`; deploy serverless.yml`,
  );
}

module.exports = readConfiguration(join(__dirname, 'serverless.yml')).then(benchService);
