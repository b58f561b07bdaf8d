import { compose, type Dependencies } from '../../src/composition';
import { loadConfig } from '../../src/config/env';
import type { Clock } from '../../src/ports/clock';
import type { TestBackend } from './backend';
import { ORPHAN_AFTER_MS, STUCK_AFTER_MS } from './reaper-fixtures';

/**
 * The real composition over the test's table and queue with its default
 * observability — Powertools Logger and Metrics writing to stdout, as in Lambda —
 * so a test that captures the output (test/helpers/output-capture.ts) reads what
 * a function would print. `env` adds or overrides settings.
 */
export function observedApp(
  backend: TestBackend,
  clock: Clock,
  env: Record<string, string> = {},
  overrides: Omit<Partial<Dependencies>, 'config' | 'clock' | 'logger' | 'metrics'> = {},
) {
  const config = loadConfig({
    TABLE_NAME: backend.tableName,
    QUEUE_URL: backend.queueUrl,
    STUCK_AFTER_MS: String(STUCK_AFTER_MS),
    ORPHAN_AFTER_MS: String(ORPHAN_AFTER_MS),
    ...env,
  });
  return compose({ config, dynamodb: backend.dynamodb, sqs: backend.sqs, clock, ...overrides });
}
