import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { cursorSecret } from '../../config/env';

/** How long a fetched key is reused before Secrets Manager is asked again: a rotation takes effect then. */
export const CURSOR_KEY_MAX_AGE_SECONDS = 900;

/** The shortest key accepted, as for CURSOR_SECRET. */
const MINIMUM_KEY_LENGTH = 32;

/**
 * The API's cursor key, as a function that resolves it. A Secrets Manager secret is
 * requested as soon as this is called (at cold start, so the first listing seldom waits for
 * it) and cached by Powertools Parameters; a failed read is tried again on the next call.
 * The endpoint comes from the environment (AWS_ENDPOINT_URL_SECRETS_MANAGER), as for every client.
 */
export function cursorKeySource(
  source: ReturnType<typeof cursorSecret>,
  client: SecretsManagerClient = new SecretsManagerClient({}),
): () => Promise<string> {
  if ('value' in source) {
    const key = Promise.resolve(source.value);
    return () => key;
  }
  const secrets = new SecretsProvider({ awsSdkV3Client: client });
  const read = async () => {
    const value = await secrets.get(source.secretId, { maxAge: CURSOR_KEY_MAX_AGE_SECONDS });
    if (typeof value !== 'string' || value.length < MINIMUM_KEY_LENGTH) {
      throw new Error(
        `The cursor secret ${source.secretId} must hold text of at least ${MINIMUM_KEY_LENGTH} characters`,
      );
    }
    return value;
  };
  // Warm the cache during the cold start; the first listing reports a failure if it persists.
  read().catch(() => undefined);
  return read;
}
