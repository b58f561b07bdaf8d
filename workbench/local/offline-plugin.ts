import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import { createDynamoDbClient } from '../../src/adapters/dynamodb/dynamodb-client';
import { invokeThroughOffline, SqsEventSource } from '../../src/adapters/sqs/event-source';
import { createSqsClient } from '../../src/adapters/sqs/sqs-client';
import { actAsApiGateway, type HapiServer } from './as-api-gateway';
import {
  activeIndexShards,
  dataProtection,
  invalidRuleSet,
  type JwtAuthorizer,
  mistimedDeployment,
  plainTextSecrets,
  type RouteThrottling,
  routeThrottling,
  SHARDS_OUTPUT,
  shardDecrease,
  splitList,
  trustStackUserPool,
  unauthenticatedDeployment,
  withoutUnsetSettings,
} from './deployment-checks';
import { onEnsureResourcesRequest } from './ensure-again';
import {
  type CloudFormationResources,
  ensureResources,
  type ResolvedResources,
  resolveIntrinsics,
} from './resources';

/** The parts of the serverless v3 object this plugin reads. */
interface Serverless {
  classes: { Error: new (message: string) => Error };
  pluginManager: { plugins: unknown[] };
  getProvider(name: 'aws'): {
    naming: { getRoleLogicalId(): string; getStackName(): string };
    request(service: string, method: string, params: Record<string, unknown>): Promise<any>;
  };
  service: {
    provider: {
      region?: string;
      stage?: string;
      environment?: Record<string, unknown>;
      httpApi?: { authorizers?: Record<string, JwtAuthorizer>; cors?: { allowedOrigins?: string[] } };
      compiledCloudFormationTemplate?: {
        Resources: Record<string, unknown>;
        Outputs?: Record<string, unknown>;
      };
    };
    custom?: Record<string, any>;
    resources?: {
      Resources?: CloudFormationResources;
      extensions?: { HttpApiStage?: { Properties?: { DefaultRouteSettings?: RouteThrottling } } };
    };
    getAllFunctions(): string[];
    getFunction(key: string): {
      name: string;
      environment?: Record<string, unknown>;
      events?: Array<Record<string, any>>;
    };
  };
}

/** What this plugin uses of serverless-offline: its API Gateway stand-in, a hapi server. */
interface ServerlessOffline {
  internals(): { getApiGatewayServer(): HapiServer | undefined };
}

interface Log {
  notice(message: string): void;
  warning(message: string): void;
  error(message: string): void;
}

/**
 * Makes `serverless offline start` run the whole service on local emulators:
 * creates the tables and queues of `resources` (endpoints from
 * AWS_ENDPOINT_URL_*), resolves `Ref`/`Fn::GetAtt` in function environments to
 * the local resources, and feeds each `sqs` event to its function with AWS's
 * partial-batch-failure semantics. Schedules are served by serverless-offline.
 *
 * On `package` (and so `deploy`) it leaves unset settings out of the functions'
 * environment (the config schema's defaults apply), points the JWT authorizer at the
 * stack's user pool when the stage names no issuer, and refuses a stage the functions
 * would refuse or that would not authenticate its callers (deployment-checks.ts; each
 * refusal is listed in docs/deploying.md). It leaves out a CORS block that allows no
 * origin, drops the shared Lambda role once every function has its own
 * (serverless-iam-roles-per-function leaves it behind, still allowed to consume the
 * queue), and records ACTIVE_INDEX_SHARDS as an output, which `deploy` may not lower.
 * `${envList:NAME}` reads a comma-separated environment variable as a list;
 * `${dataProtection:…}` turns params.protectData into the data's deletion settings.
 */
export class OfflineLocalStackPlugin {
  readonly hooks: Record<string, () => Promise<void>>;
  readonly configurationVariablesSources = {
    envList: {
      resolve: async ({ address }: { address: string }) => ({ value: splitList(process.env[address]) }),
    },
    dataProtection: {
      resolve: async ({
        address,
        resolveVariable,
      }: {
        address: string;
        resolveVariable: (variable: string) => Promise<unknown>;
      }) => {
        const protectData = await resolveVariable('param:protectData');
        const value = dataProtection(protectData, address);
        if (value instanceof Error) throw new this.#serverless.classes.Error(value.message);
        return { value };
      },
    },
  };
  readonly #serverless: Serverless;
  readonly #options: Record<string, unknown>;
  readonly #log: Log;
  readonly #sqs = createSqsClient();
  #dynamodbClient: DynamoDBClient | undefined;
  readonly #sources: SqsEventSource[] = [];
  #resolved: ResolvedResources = new Map();

  constructor(serverless: Serverless, options: Record<string, unknown>, utils?: { log?: Log }) {
    this.#serverless = serverless;
    this.#options = options;
    this.#log = utils?.log ?? { notice: console.log, warning: console.warn, error: console.error };
    this.hooks = {
      'before:offline:start:init': () => this.#createResources(),
      'offline:start:init': async () => {
        this.#actAsApiGateway();
        await this.#startEventSources();
      },
      'before:offline:start:end': () => this.#stopEventSources(),
      'before:package:initialize': async () => this.#checkDeployment(),
      // After serverless-iam-roles-per-function's own `before:package:finalize` (listed before this plugin).
      'before:package:finalize': async () => {
        this.#removeUnusedSharedRole();
        this.#recordShards();
      },
      'before:deploy:deploy': () => this.#refuseShardDecrease(),
    };
  }

  #checkDeployment(): void {
    const { provider } = this.#serverless.service;
    const stage = String(this.#options.stage ?? provider.stage ?? 'dev');
    const { service } = this.#serverless;
    this.#leaveOutUnsetSettings();
    const environments = Object.fromEntries([
      ['the provider', provider.environment],
      ...service.getAllFunctions().map((key) => [`function ${key}`, service.getFunction(key).environment]),
    ]);
    const merged = Object.fromEntries(
      service
        .getAllFunctions()
        .map((key) => [key, { ...provider.environment, ...service.getFunction(key).environment }]),
    );
    const refusal =
      unauthenticatedDeployment(stage, provider) ??
      plainTextSecrets(stage, environments) ??
      mistimedDeployment(stage, merged) ??
      invalidRuleSet(stage, merged);
    if (refusal) throw new this.#serverless.classes.Error(refusal);
    if (trustStackUserPool(provider)) {
      this.#log.notice("JWT_ISSUER is unset: the API trusts the stack's own Cognito user pool");
    }
    const routes =
      this.#serverless.service.resources?.extensions?.HttpApiStage?.Properties?.DefaultRouteSettings;
    if (routes) {
      const throttling = routeThrottling(stage, routes);
      if ('refusal' in throttling) throw new this.#serverless.classes.Error(throttling.refusal);
      routes.ThrottlingRateLimit = throttling.rate;
      routes.ThrottlingBurstLimit = throttling.burst;
    }
    const origins = [provider.httpApi?.cors?.allowedOrigins ?? []].flat();
    if (origins.includes('*')) {
      throw new this.#serverless.classes.Error(
        `Stage "${stage}" would let any website call the API: CORS_ORIGINS must name origins ` +
          '(e.g. https://app.example.com), not *. See docs/deploying.md, section "Limits".',
      );
    }
    // No configured origin means no cross-origin access: API Gateway then has no CORS rules at all.
    if (provider.httpApi?.cors && origins.length === 0) {
      delete provider.httpApi.cors;
      this.#log.notice('CORS_ORIGINS is empty: the HTTP API allows no cross-origin requests');
    }
  }

  /** Unset settings ('') leave the functions' environment, so the config schema's defaults apply. */
  #leaveOutUnsetSettings(): void {
    const { service } = this.#serverless;
    service.provider.environment = withoutUnsetSettings(service.provider.environment);
    for (const key of service.getAllFunctions()) {
      const definition = service.getFunction(key);
      definition.environment = withoutUnsetSettings(definition.environment);
    }
  }

  /** The stack remembers its ACTIVE_INDEX_SHARDS (an output), for the next deploy's check. */
  #recordShards(): void {
    const template = this.#serverless.service.provider.compiledCloudFormationTemplate;
    if (!template) return;
    template.Outputs ??= {};
    template.Outputs[SHARDS_OUTPUT] = {
      Description: 'ACTIVE_INDEX_SHARDS of this deployment: a later one may not lower it',
      Value: String(activeIndexShards(this.#serverless.service.provider.environment)),
    };
  }

  /** Refuses a deploy that lowers ACTIVE_INDEX_SHARDS below what the stack was deployed with. */
  async #refuseShardDecrease(): Promise<void> {
    const provider = this.#serverless.getProvider('aws');
    const stage = String(this.#options.stage ?? this.#serverless.service.provider.stage ?? 'dev');
    let previous: string | undefined;
    try {
      const { Stacks } = await provider.request('CloudFormation', 'describeStacks', {
        StackName: provider.naming.getStackName(),
      });
      const outputs: { OutputKey?: string; OutputValue?: string }[] = Stacks?.[0]?.Outputs ?? [];
      previous = outputs.find((output) => output.OutputKey === SHARDS_OUTPUT)?.OutputValue;
    } catch (error) {
      // A stack that does not exist yet has nothing to lower.
      if (!/does not exist/.test(String((error as Error).message))) throw error;
    }
    const refusal = shardDecrease(
      stage,
      previous,
      activeIndexShards(this.#serverless.service.provider.environment),
    );
    if (refusal) throw new this.#serverless.classes.Error(refusal);
  }

  #removeUnusedSharedRole(): void {
    const template = this.#serverless.service.provider.compiledCloudFormationTemplate;
    const role = this.#serverless.getProvider('aws').naming.getRoleLogicalId();
    if (!template?.Resources[role]) return;
    const { [role]: _shared, ...others } = template.Resources;
    if (JSON.stringify([others, template.Outputs ?? {}]).includes(JSON.stringify(role))) return;
    delete template.Resources[role];
  }

  get #dynamodb(): DynamoDBClient {
    this.#dynamodbClient ??= createDynamoDbClient({ region: this.#region });
    return this.#dynamodbClient;
  }

  get #region(): string {
    return this.#serverless.service.provider.region ?? process.env.AWS_REGION ?? 'us-east-1';
  }

  #ensureResources(): Promise<ResolvedResources> {
    return ensureResources(this.#serverless.service.resources?.Resources ?? {}, {
      dynamodb: this.#dynamodb,
      sqs: this.#sqs,
    });
  }

  async #createResources(): Promise<void> {
    const { service } = this.#serverless;
    this.#leaveOutUnsetSettings();
    this.#resolved = await this.#ensureResources();
    this.#log.notice(`local stack: ${[...this.#resolved.keys()].join(', ')} ready`);
    // An emulator started again on the same port yields the same names, URLs and ARNs,
    // so the functions' environment resolved below stays valid.
    onEnsureResourcesRequest(async () => {
      await this.#ensureResources();
    });
    if (service.provider.environment) {
      service.provider.environment = resolveIntrinsics(service.provider.environment, this.#resolved);
    }
    for (const key of service.getAllFunctions()) {
      const definition = service.getFunction(key);
      if (definition.environment) {
        definition.environment = resolveIntrinsics(definition.environment, this.#resolved);
      }
    }
  }

  /** Makes serverless-offline's HTTP server answer as API Gateway does (as-api-gateway.ts). */
  #actAsApiGateway(): void {
    const offline = this.#serverless.pluginManager.plugins.find(
      (plugin): plugin is ServerlessOffline =>
        typeof (plugin as Partial<ServerlessOffline>).internals === 'function',
    );
    const server = offline?.internals().getApiGatewayServer();
    if (!server)
      throw new this.#serverless.classes.Error('local stack: serverless-offline has no HTTP server');
    actAsApiGateway(server, this.#serverless.service.provider.httpApi?.cors?.allowedOrigins ?? []);
  }

  async #startEventSources(): Promise<void> {
    const { service } = this.#serverless;
    const offline = service.custom?.['serverless-offline'] ?? {};
    const lambdaPort = this.#options.lambdaPort ?? offline.lambdaPort ?? 3002;
    const pollers = Number(service.custom?.localEventSources?.sqsPollers ?? 2);
    for (const key of service.getAllFunctions()) {
      const definition = service.getFunction(key);
      for (const event of definition.events ?? []) {
        if (!event.sqs || event.sqs.enabled === false) continue;
        const sqs = typeof event.sqs === 'string' ? { arn: event.sqs } : event.sqs;
        const queueArn: string = resolveIntrinsics(sqs.arn, this.#resolved);
        const queueName = queueArn.split(':').pop() ?? '';
        const { QueueUrl } = await this.#sqs.send(new GetQueueUrlCommand({ QueueName: queueName }));
        const source = new SqsEventSource({
          sqs: this.#sqs,
          queueUrl: QueueUrl ?? '',
          queueArn,
          region: this.#region,
          batchSize: Number(sqs.batchSize ?? 10),
          reportBatchItemFailures: sqs.functionResponseType === 'ReportBatchItemFailures',
          pollers,
          invoke: invokeThroughOffline(`http://127.0.0.1:${lambdaPort}`, definition.name),
          log: (message) => this.#log.warning(message),
        });
        source.start();
        this.#sources.push(source);
        this.#log.notice(
          `local stack: ${queueName} → ${key} (batch ${sqs.batchSize ?? 10}, ${pollers} pollers)`,
        );
      }
    }
    this.#log.notice('local stack: ready');
  }

  async #stopEventSources(): Promise<void> {
    await Promise.all(this.#sources.map((source) => source.stop()));
    this.#log.notice('local stack: event sources stopped');
  }
}
