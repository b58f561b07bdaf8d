import middy from '@middy/core';
import { app } from '../src/composition';
import { observeInvocation } from '../src/observability/invocation';

const { reaper, logger, metrics } = app();

/**
 * Scheduled: resets stuck PROCESSING submissions and re-enqueues orphaned PENDING
 * ones (a line and a count per submission), then logs the run's report.
 */
export const handler = middy<unknown, void>()
  .use(observeInvocation(logger, metrics, 'reaper'))
  .handler(async () => {
    const report = await reaper.resetStuckAndRequeueOrphans();
    logger.info('reaper run', { ...report });
  });
