import { describe, expect, it } from 'vitest';
import { and, condition, names, namesUsedIn, or } from '../../src/adapters/dynamodb/conditions';

describe('and / or', () => {
  it.each([
    { name: 'and of two parts', build: () => and('a = :a', 'b = :b'), expected: '(a = :a) AND (b = :b)' },
    { name: 'and of three parts', build: () => and('a', 'b', 'c'), expected: '(a) AND (b) AND (c)' },
    { name: 'or of two parts', build: () => or('a', 'b'), expected: '(a) OR (b)' },
    { name: 'a single part', build: () => and('a'), expected: '(a)' },
    { name: 'or nested in and', build: () => and('x', or('y', 'z')), expected: '(x) AND ((y) OR (z))' },
    { name: 'and nested in or', build: () => or(and('x', 'y'), 'z'), expected: '((x) AND (y)) OR (z)' },
  ])('builds $name', ({ build, expected }) => {
    // Act
    const expression = build();

    // Assess
    expect(expression).toBe(expected);
  });
});

describe('condition', () => {
  it.each(Object.entries(condition))(
    '%s names only attributes that have a placeholder',
    (_part, expression) => {
      // Prepare
      const placeholders = expression.match(/#\w+/g) ?? [];

      // Assess
      expect(placeholders.length).toBeGreaterThan(0);
      for (const placeholder of placeholders) expect(Object.keys(names)).toContain(placeholder);
    },
  );
});

describe('namesUsedIn', () => {
  it.each([
    { name: 'the create condition', expressions: [condition.isNew], expected: ['#id'] },
    {
      name: 'a claim condition',
      expressions: [or(condition.statusIsPending, and(condition.statusIsProcessing, condition.leaseExpired))],
      expected: ['#status', '#leaseExpiresAt'],
    },
    {
      name: 'a fenced write (#leaseToken does not pull in #leaseExpiresAt)',
      expressions: [and(condition.statusIsProcessing, condition.leaseIsOurs)],
      expected: ['#status', '#leaseToken'],
    },
    { name: 'the orphan check alone', expressions: [condition.reapAtUnchanged], expected: ['#reapAt'] },
    {
      name: 'an update and a condition together',
      expressions: ['SET #updatedAt = :now REMOVE #reapAt, #activeShard', condition.statusIsPending],
      expected: ['#status', '#reapAt', '#activeShard', '#updatedAt'],
    },
    { name: 'a nested document path', expressions: ['#result.verdict = :passed'], expected: ['#result'] },
    { name: 'a value placeholder only', expressions: [':status = :reapAt'], expected: [] },
    { name: 'nothing', expressions: [], expected: [] },
  ])('returns exactly the placeholders of $name', ({ expressions, expected }) => {
    // Act
    const used = namesUsedIn(...expressions);

    // Assess
    expect(Object.keys(used).sort()).toEqual([...expected].sort());
    for (const [placeholder, attribute] of Object.entries(used)) {
      expect(attribute).toBe(names[placeholder as keyof typeof names]);
    }
  });

  it.each([
    ['#reapAtLater', '#reapAt'],
    ['#idempotencyKey', '#id'],
    ['#statusCode', '#status'],
    ['#errorCount', '#error'],
    ['#ownerName', '#owner'],
  ])('does not mistake %s for the shorter placeholder %s', (longer) => {
    // Act
    const used = namesUsedIn(`${longer} = :x`);

    // Assess
    expect(used).toEqual({});
  });

  it('does not mistake #lastError for #error', () => {
    // Act
    const used = namesUsedIn('SET #lastError = :error');

    // Assess
    expect(used).toEqual({ '#lastError': 'lastError' });
  });
});
