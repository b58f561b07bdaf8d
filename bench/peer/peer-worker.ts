/**
 * NOT PART OF THE SERVICE. The bench's peer (see decide.ts) as a Lambda handler,
 * with what the service's worker also does on every record: a Powertools Logger
 * line naming the submission, and Powertools Metrics published once per batch.
 */
import { processPartialResponse } from '@aws-lambda-powertools/batch';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { config, decideOnce, processor } from './decide';

const logger = new Logger();
const metrics = new Metrics();

const decideAndLog = async (record: SQSRecord) => {
  const { id } = JSON.parse(record.body) as { id: string };
  const verdict = await decideOnce(record);
  logger.info('submission decided', { correlationId: id, status: verdict });
  if (verdict === 'PASSED' || verdict === 'FAILED') {
    metrics.addMetric(
      verdict === 'PASSED' ? 'SubmissionsPassed' : 'SubmissionsFailedContent',
      MetricUnit.Count,
      1,
    );
  }
  return verdict;
};

export const handler = async (event: SQSEvent, context: Context) => {
  config.registerLambdaContext(context);
  logger.addContext(context);
  try {
    return await processPartialResponse(event, decideAndLog, processor, { context });
  } finally {
    metrics.publishStoredMetrics();
  }
};
