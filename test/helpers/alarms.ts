/**
 * Reading the alarms of a packaged CloudFormation template: what CloudFormation
 * would make of `Conditions` and `Fn::If`, and what serverless.yml's alarms should
 * look like for given `params`.
 */

export interface Template {
  Resources: Record<string, { Type: string; Condition?: string; Properties: Record<string, any> }>;
  Conditions?: Record<string, unknown>;
  Outputs?: Record<string, { Value: unknown; Condition?: string }>;
}

/** Evaluates a condition as CloudFormation would; supports what serverless.yml uses (Fn::Equals on literals). */
export function condition(template: Template, name: string): boolean {
  const definition = template.Conditions?.[name] as { 'Fn::Equals'?: [unknown, unknown] } | undefined;
  const equals = definition?.['Fn::Equals'];
  if (!equals || equals.some((side) => typeof side !== 'string')) {
    throw new Error(`condition ${name} is not an Fn::Equals of two strings: ${JSON.stringify(definition)}`);
  }
  return equals[0] === equals[1];
}

/** Replaces every `Fn::If` with the branch CloudFormation would take. */
export function resolveConditionals<T>(template: Template, value: T): T {
  if (Array.isArray(value)) return value.map((entry) => resolveConditionals(template, entry)) as T;
  if (value === null || typeof value !== 'object') return value;
  const branch = (value as { 'Fn::If'?: [string, unknown, unknown] })['Fn::If'];
  if (branch)
    return resolveConditionals(template, (condition(template, branch[0]) ? branch[1] : branch[2]) as T);
  return Object.fromEntries(
    Object.entries(value).map(([key, entry]) => [key, resolveConditionals(template, entry)]),
  ) as T;
}

/** Threshold, EvaluationPeriods (M) and DatapointsToAlarm (N) of one alarm. */
export type Limits = [threshold: number, periods: number, datapoints: number];

export interface AlarmParams {
  period: number;
  dlq: Limits;
  queueAge: Limits;
  reaperResets: Limits;
  workerErrors: Limits;
  workerThrottles: Limits;
  api5xx: Limits;
  api5xxMinRequests: number;
}

/** The `--param` arguments that set these values. */
export function paramArguments(params: AlarmParams): string[] {
  const values: Record<string, number> = { alarmPeriodSeconds: params.period };
  const named = {
    dlq: params.dlq,
    queueAge: params.queueAge,
    reaperResets: params.reaperResets,
    workerErrors: params.workerErrors,
    workerThrottles: params.workerThrottles,
    api5xx: params.api5xx,
  };
  for (const [name, [threshold, periods, datapoints]] of Object.entries(named)) {
    Object.assign(values, {
      [`${name}AlarmThreshold`]: threshold,
      [`${name}AlarmPeriods`]: periods,
      [`${name}AlarmDatapoints`]: datapoints,
    });
  }
  values.api5xxAlarmMinRequests = params.api5xxMinRequests;
  return Object.entries(values).flatMap(([name, value]) => ['--param', `${name}=${value}`]);
}

/** Numbers given with `--param` arrive as strings, which CloudFormation accepts too. */
const numbersOf = (properties: Record<string, any>) => ({
  Threshold: Number(properties.Threshold),
  EvaluationPeriods: Number(properties.EvaluationPeriods),
  DatapointsToAlarm: Number(properties.DatapointsToAlarm),
  ...(properties.Period === undefined ? {} : { Period: Number(properties.Period) }),
});

/** An alarm's properties with its numbers as numbers and its actions resolved. */
export function alarmOf(template: Template, logicalId: string): Record<string, any> {
  const resource = template.Resources[logicalId];
  if (resource?.Type !== 'AWS::CloudWatch::Alarm') throw new Error(`${logicalId} is not an alarm`);
  const properties = resolveConditionals(template, resource.Properties);
  return {
    ...properties,
    ...numbersOf(properties),
    ...(properties.Metrics
      ? {
          Metrics: properties.Metrics.map((metric: any) =>
            metric.MetricStat
              ? { ...metric, MetricStat: { ...metric.MetricStat, Period: Number(metric.MetricStat.Period) } }
              : metric,
          ),
        }
      : {}),
  };
}

const limits = ([threshold, periods, datapoints]: Limits) => ({
  Threshold: threshold,
  EvaluationPeriods: periods,
  DatapointsToAlarm: datapoints,
  ComparisonOperator: 'GreaterThanThreshold',
  TreatMissingData: 'notBreaching',
});

const metric = (namespace: string, name: string, dimension: [string, unknown], period: number) => ({
  Namespace: namespace,
  MetricName: name,
  Dimensions: [{ Name: dimension[0], Value: dimension[1] }],
  Period: period,
});

/** What each alarm of serverless.yml must be for `params` on `stage`, notifying `topic`. */
export function expectedAlarms(stage: string, params: AlarmParams, topic: unknown) {
  const actions = { AlarmActions: [topic], OKActions: [topic] };
  const apiMetric = (name: string) => ({
    Metric: {
      Namespace: 'AWS/ApiGateway',
      MetricName: name,
      Dimensions: [{ Name: 'ApiId', Value: { Ref: 'HttpApi' } }],
    },
    Period: params.period,
    Stat: 'Sum',
  });
  return {
    DeadLetterQueueAlarm: {
      AlarmName: `submissions-${stage}-dlq-not-empty`,
      ...metric(
        'AWS/SQS',
        'ApproximateNumberOfMessagesVisible',
        ['QueueName', { 'Fn::GetAtt': ['SubmissionDeadLetterQueue', 'QueueName'] }],
        params.period,
      ),
      Statistic: 'Maximum',
      ...limits(params.dlq),
      ...actions,
    },
    QueueAgeAlarm: {
      AlarmName: `submissions-${stage}-queue-oldest-message-age`,
      ...metric(
        'AWS/SQS',
        'ApproximateAgeOfOldestMessage',
        ['QueueName', { 'Fn::GetAtt': ['SubmissionQueue', 'QueueName'] }],
        params.period,
      ),
      Statistic: 'Maximum',
      ...limits(params.queueAge),
      ...actions,
    },
    ReaperResetsAlarm: {
      AlarmName: `submissions-${stage}-reaper-resets`,
      ...metric('SubmissionPipeline', 'ReaperResets', ['service', `submissions-${stage}`], params.period),
      Statistic: 'Sum',
      ...limits(params.reaperResets),
      ...actions,
    },
    WorkerErrorsAlarm: {
      AlarmName: `submissions-${stage}-worker-errors`,
      ...metric('AWS/Lambda', 'Errors', ['FunctionName', { Ref: 'WorkerLambdaFunction' }], params.period),
      Statistic: 'Sum',
      ...limits(params.workerErrors),
      ...actions,
    },
    WorkerThrottlesAlarm: {
      AlarmName: `submissions-${stage}-worker-throttles`,
      ...metric('AWS/Lambda', 'Throttles', ['FunctionName', { Ref: 'WorkerLambdaFunction' }], params.period),
      Statistic: 'Sum',
      ...limits(params.workerThrottles),
      ...actions,
    },
    Api5xxRateAlarm: {
      AlarmName: `submissions-${stage}-api-5xx-rate`,
      Metrics: [
        { Id: 'errors', ReturnData: false, MetricStat: apiMetric('5xx') },
        { Id: 'requests', ReturnData: false, MetricStat: apiMetric('Count') },
        {
          Id: 'rate',
          ReturnData: true,
          Expression: `IF(requests >= ${params.api5xxMinRequests}, 100 * errors / requests, 0)`,
        },
      ],
      ...limits(params.api5xx),
      ...actions,
    },
  };
}
