import { app } from '../src/composition';

const { reaper, logger } = app();

/** Scheduled: resets stuck PROCESSING submissions and re-enqueues orphaned PENDING ones. */
export const handler = async (): Promise<void> => {
  const report = await reaper.resetStuckSubmissions();
  logger.info('reaper run', { ...report });
};
