import { readFileSync } from 'node:fs';
import type { RuleSet } from '../domain/rules';
import { defaultRuleSet } from '../rules/default-rule-set';
import { type LoadOptions, loadRuleSet } from '../rules/loader';
import { RuleSetError } from '../rules/rule-set-errors';
import { type Config, ConfigError } from './env';

function parseDocument(source: string, text: string, options: LoadOptions): RuleSet {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(
      `Invalid configuration: ${source}: is not valid JSON (${(error as Error).message})`,
    );
  }
  try {
    return loadRuleSet(json, options);
  } catch (error) {
    if (error instanceof RuleSetError)
      throw new ConfigError(`Invalid configuration: ${source}: ${error.message}`);
    throw error;
  }
}

/**
 * The rule set this container evaluates with: RULES_JSON, else the file at
 * RULES_FILE, else the bundled default. Called once at cold start, so a bad
 * document stops the container with a ConfigError naming the bad rule.
 * `options.ruleTypes` plugs in rule types beyond the built-ins (async rules); with
 * WORKER_TIMEOUT_SECONDS set, each async rule's `timeoutMs` must be below it.
 */
export function loadConfiguredRuleSet(
  config: Pick<Config, 'RULES_JSON' | 'RULES_FILE'> & Partial<Pick<Config, 'WORKER_TIMEOUT_SECONDS'>>,
  readFile: (path: string) => string = (path) => readFileSync(path, 'utf8'),
  loadOptions: LoadOptions = {},
): RuleSet {
  const options = { workerTimeoutSeconds: config.WORKER_TIMEOUT_SECONDS, ...loadOptions };
  if (config.RULES_JSON !== undefined && config.RULES_FILE !== undefined) {
    throw new ConfigError('Invalid configuration: RULES_FILE: must not be set together with RULES_JSON');
  }
  if (config.RULES_JSON !== undefined) return parseDocument('RULES_JSON', config.RULES_JSON, options);
  if (config.RULES_FILE === undefined) return defaultRuleSet();
  const path = config.RULES_FILE;
  let text: string;
  try {
    text = readFile(path);
  } catch (error) {
    throw new ConfigError(
      `Invalid configuration: RULES_FILE: cannot read ${path} (${(error as Error).message})`,
    );
  }
  return parseDocument(`RULES_FILE (${path})`, text, options);
}
