/**
 * `npm run bench` only (`serverless offline start --config serverless.bench.cjs`):
 * the service's serverless.yml, read as serverless reads it, plus what the bench
 * measures it against, and the reaper without its schedule (the bench invokes it
 * itself, so nothing else reads the sparse index while it counts):
 * - `noop`: an HTTP function that does nothing, the API's baseline;
 * - `apiFloor`: the API's AWS calls and nothing else (bench/api-floor.ts);
 * - `peerWorker` (bench/peer/): the worker written the usual Powertools way, fed
 *   by its own queue, with its own idempotency table;
 * - `FloorQueue`: the queue of the bench's plain-SDK floor loop.
 * serverless v3 wants a `--config` file in the service's root, hence this file here.
 * It refuses every command but `offline`, so a no-op endpoint is never deployed.
 */
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${...}` here are serverless variables, resolved by serverless.
const { join } = require('node:path');
const readConfiguration = require('serverless/lib/configuration/read');

if (!process.argv.includes('offline')) {
  throw new Error(
    'serverless.bench.cjs is for `npm run bench` (serverless offline) only; deploy serverless.yml',
  );
}

const queue = (name) => ({
  Type: 'AWS::SQS::Queue',
  Properties: {
    QueueName: `\${self:service}-\${sls:stage}-${name}`,
    VisibilityTimeout: '${param:visibilityTimeout}',
  },
});

module.exports = readConfiguration(join(__dirname, 'serverless.yml')).then((service) => ({
  ...service,
  functions: {
    ...service.functions,
    reaper: { ...service.functions.reaper, events: [] },
    noop: {
      handler: 'bench/noop.handler',
      timeout: 3,
      iamRoleStatements: [],
      events: [
        { httpApi: { method: 'POST', path: '/bench/noop', authorizer: { name: 'jwt' } } },
        { httpApi: { method: 'GET', path: '/bench/noop/{id}', authorizer: { name: 'jwt' } } },
      ],
    },
    apiFloor: {
      handler: 'bench/api-floor.handler',
      timeout: 10,
      iamRoleStatements: [],
      events: [
        { httpApi: { method: 'POST', path: '/bench/floor', authorizer: { name: 'jwt' } } },
        { httpApi: { method: 'GET', path: '/bench/floor/{id}', authorizer: { name: 'jwt' } } },
      ],
    },
    peerWorker: {
      handler: 'bench/peer/worker.handler',
      timeout: '${param:workerTimeout}',
      environment: { PEER_IDEMPOTENCY_TABLE: '${self:service}-${sls:stage}-peer-idempotency' },
      events: [
        {
          sqs: {
            arn: { 'Fn::GetAtt': ['PeerQueue', 'Arn'] },
            batchSize: 10,
            functionResponseType: 'ReportBatchItemFailures',
          },
        },
      ],
    },
  },
  resources: {
    ...service.resources,
    Resources: {
      ...service.resources.Resources,
      PeerQueue: queue('peer'),
      FloorQueue: queue('floor'),
      // Powertools' DynamoDBPersistenceLayer defaults: key `id`, TTL attribute `expiration`.
      PeerIdempotencyTable: {
        Type: 'AWS::DynamoDB::Table',
        Properties: {
          TableName: '${self:service}-${sls:stage}-peer-idempotency',
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
          TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true },
        },
      },
    },
  },
}));
