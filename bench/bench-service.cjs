/**
 * What `npm run bench` adds to the service (serverless.bench.cjs applies it to
 * serverless.yml): the reaper without its schedule (the bench invokes it itself,
 * so nothing else reads the sparse index while it counts), and
 * - `noop`: an HTTP function that does nothing, the API's baseline;
 * - `apiFloor`: the API's AWS calls and nothing else (bench/api-floor.ts);
 * - `peerWorker` (bench/peer/): the worker written the usual Powertools way, fed
 *   by its own queue, with its own idempotency table, on serverless.yml's `SubmissionsTable`
 *   (store schema v1: one item per submission, content inline; the service uses v2);
 * - `FloorQueue`: the queue of the bench's plain-SDK floor loop.
 * None of it is part of the service, and none of it is ever deployed.
 */
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${...}` here are serverless variables, resolved by serverless.

const queue = (name) => ({
  Type: 'AWS::SQS::Queue',
  Properties: {
    QueueName: `\${self:service}-\${sls:stage}-${name}`,
    VisibilityTimeout: '${param:visibilityTimeout}',
  },
});

/** serverless.yml's configuration (as serverless reads it, variables unresolved) with the bench's additions. */
exports.benchService = (service) => ({
  ...service,
  custom: {
    ...service.custom,
    'serverless-offline': {
      ...service.custom['serverless-offline'],
      // `npm run bench -- --offline-worker-threads`: serverless-offline's default mode, for comparison.
      ...(process.env.BENCH_OFFLINE_WORKER_THREADS ? { useInProcess: false } : {}),
    },
  },
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
      handler: 'bench/peer/peer-worker.handler',
      timeout: '${param:workerTimeout}',
      environment: {
        PEER_TABLE_NAME: '${self:custom.names.legacyTableName}',
        PEER_IDEMPOTENCY_TABLE: '${self:service}-${sls:stage}-peer-idempotency',
      },
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
});
