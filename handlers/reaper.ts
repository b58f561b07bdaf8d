import type { Context } from 'aws-lambda';
import { app } from '../src/composition';
import { addLambdaContext } from '../src/observability/powertools';

const { reaper, logger, metrics } = app();

/** Scheduled: resets stuck PROCESSING submissions and re-enqueues orphaned PENDING ones. */
export const handler = async (_event?: unknown, context?: Context): Promise<void> => {
  addLambdaContext(logger, context);
  try {
    const report = await reaper.resetStuckSubmissions();
    logger.info('reaper run', { ...report });
  } finally {
    metrics.publish('reaper');
  }
};
