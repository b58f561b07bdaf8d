import { type CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';

/**
 * How old a queue's oldest message is, as CloudWatch last saw it: the maximum
 * of `ApproximateAgeOfOldestMessage` over the newest minute it has a datapoint
 * for (`at`, the minute's start). SQS reports this age nowhere else. When there
 * is no such figure, `unavailable` says why in words.
 */
export type MessageAge = { ageSeconds: number; at: string } | { unavailable: string };

/** The port `stats` reads queue ages through; target.ts builds it next to the SQS and DynamoDB clients. */
export type OldestMessageAge = (queueName: string, now: Date) => Promise<MessageAge>;

/** How far back to look: SQS publishes one datapoint a minute while a queue is active, up to a few minutes late. */
export const LOOKBACK_MINUTES = 10;

export const NO_DATAPOINT = `no datapoint in the last ${LOOKBACK_MINUTES} min`;
export const NOT_AVAILABLE_LOCALLY = 'not available locally (no CloudWatch)';

/** `npm start`'s emulators have no CloudWatch, so stage `local` never asks. */
export const oldestMessageAgeLocally: OldestMessageAge = async () => ({ unavailable: NOT_AVAILABLE_LOCALLY });

/** A queue's name is the last path segment of its URL (`https://sqs.…/123456789012/name`). */
export function queueNameOf(queueUrl: string): string {
  return new URL(queueUrl).pathname.split('/').filter(Boolean).at(-1) ?? queueUrl;
}

/**
 * Reads AWS/SQS ApproximateAgeOfOldestMessage (dimension QueueName, Maximum per
 * 60 s) for the last LOOKBACK_MINUTES. An idle queue publishes no datapoints,
 * so their absence is reported as such, never as zero. A failed call (no
 * permission, no CloudWatch at the endpoint) becomes `unavailable` with the
 * reason: `stats` still shows everything else.
 */
export function cloudWatchMessageAge(cloudwatch: CloudWatchClient, endpoint?: string): OldestMessageAge {
  return async (queueName, now) => {
    try {
      const { MetricDataResults = [] } = await cloudwatch.send(
        new GetMetricDataCommand({
          StartTime: new Date(now.getTime() - LOOKBACK_MINUTES * 60_000),
          EndTime: now,
          ScanBy: 'TimestampDescending',
          MetricDataQueries: [
            {
              Id: 'age',
              ReturnData: true,
              MetricStat: {
                Metric: {
                  Namespace: 'AWS/SQS',
                  MetricName: 'ApproximateAgeOfOldestMessage',
                  Dimensions: [{ Name: 'QueueName', Value: queueName }],
                },
                Period: 60,
                Stat: 'Maximum',
              },
            },
          ],
        }),
      );
      const result = MetricDataResults.find((candidate) => candidate.Id === 'age');
      const newest = newestDatapoint(result?.Timestamps ?? [], result?.Values ?? []);
      if (newest) return newest;
      if (result?.StatusCode === 'Forbidden' || result?.StatusCode === 'InternalError') {
        const details = (result.Messages ?? []).map((message) => message.Value).filter(Boolean);
        const said = details.length > 0 ? `: ${details.join('; ')}` : '';
        return { unavailable: `unavailable (CloudWatch answered ${result.StatusCode}${said})` };
      }
      return { unavailable: NO_DATAPOINT };
    } catch (error) {
      const where = endpoint ? ` at ${endpoint}` : '';
      return { unavailable: `unavailable (cannot read CloudWatch${where}: ${describeError(error)})` };
    }
  };
}

function newestDatapoint(timestamps: readonly Date[], values: readonly number[]) {
  let newest: { ageSeconds: number; at: Date } | undefined;
  timestamps.forEach((at, index) => {
    const value = values[index];
    if (value === undefined || !Number.isFinite(value)) return;
    if (!newest || at > newest.at) newest = { ageSeconds: value, at };
  });
  return newest && { ageSeconds: newest.ageSeconds, at: newest.at.toISOString() };
}

/** An SDK or network error in words; some of Node's connection errors carry only a code (ECONNREFUSED). */
function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  const name = typeof code === 'string' ? code : error.name;
  if (!error.message) return name;
  return error.message.includes(name) ? error.message : `${name}: ${error.message}`;
}
