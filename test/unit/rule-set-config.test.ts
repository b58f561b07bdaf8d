import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compose } from '../../src/composition';
import { ConfigError, loadConfig } from '../../src/config/env';
import { loadConfiguredRuleSet } from '../../src/config/rule-set';

const REQUIRED = { TABLE_NAME: 'submissions', QUEUE_URL: 'http://localhost:4566/000000000000/submissions' };

const STRICT = {
  id: 'strict',
  version: 7,
  rule: { all: [{ id: 'short', type: 'maxLength', params: { max: 5 } }] },
};

const BAD = {
  id: 'bad',
  version: 1,
  rule: {
    all: [
      { id: 'digit', type: 'requireDigit' },
      { id: 'links', type: 'maxLinks', params: { max: 'two' } },
    ],
  },
};

/** Runs `load`, which must throw a ConfigError, and returns its message. */
function configErrorMessage(load: () => unknown): string {
  try {
    load();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message;
  }
  return expect.unreachable('expected a ConfigError');
}

describe('the configured rule set', () => {
  it('is the bundled default when neither RULES_JSON nor RULES_FILE is set', () => {
    // Act
    const ruleSet = loadConfiguredRuleSet(loadConfig({ ...REQUIRED, RULES_JSON: '', RULES_FILE: '' }));

    // Assess
    expect(ruleSet).toMatchObject({ id: 'default', version: 1 });
  });

  it('comes from RULES_JSON', async () => {
    // Act
    const ruleSet = loadConfiguredRuleSet(loadConfig({ ...REQUIRED, RULES_JSON: JSON.stringify(STRICT) }));

    // Assess
    expect((await ruleSet.evaluate('tiny')).ruleSet).toEqual({ id: 'strict', version: 7 });
    expect((await ruleSet.evaluate('too long for it')).verdict).toBe('FAILED');
  });

  it('comes from the file at RULES_FILE', async () => {
    // Prepare
    const path = join(mkdtempSync(join(tmpdir(), 'rules-')), 'rules.json');
    writeFileSync(path, JSON.stringify(STRICT));

    // Act
    const ruleSet = loadConfiguredRuleSet(loadConfig({ ...REQUIRED, RULES_FILE: path }));

    // Assess
    expect((await ruleSet.evaluate('tiny')).verdict).toBe('PASSED');
  });

  it.each([
    {
      name: 'a bad rule in RULES_JSON',
      env: { RULES_JSON: JSON.stringify(BAD) },
      expected: 'RULES_JSON: Invalid rule set: rule.all[1] (id "links"): params.max must be a number',
    },
    {
      name: 'RULES_JSON that is not JSON',
      env: { RULES_JSON: '{ all: [' },
      expected: 'RULES_JSON: is not valid JSON',
    },
    {
      name: 'a RULES_FILE that does not exist',
      env: { RULES_FILE: '/nonexistent/rules.json' },
      expected: 'RULES_FILE: cannot read /nonexistent/rules.json',
    },
  ])('refuses $name with a ConfigError when the processor is composed', ({ env, expected }) => {
    // Act
    const message = configErrorMessage(
      () => compose({ config: loadConfig({ ...REQUIRED, ...env }) }).processor,
    );

    // Assess
    expect(message).toContain(expected);
  });

  it('refuses RULES_JSON and RULES_FILE together, when the rule set is loaded', () => {
    // Act
    const message = configErrorMessage(() =>
      loadConfiguredRuleSet({ RULES_JSON: '{}', RULES_FILE: '/rules.json' }),
    );

    // Assess
    expect(message).toContain('RULES_FILE: must not be set together with RULES_JSON');
  });
});
