import { describe, expect, it } from 'vitest';
import { withoutJava } from '../helpers/global-dynamodb-local';

describe('the DynamoDB Local tier without java', () => {
  it('is skipped with a message on a developer machine', () => {
    expect(withoutJava({})).toBe('DynamoDB Local skipped: java not found');
    expect(withoutJava({ REQUIRE_DYNAMODB_LOCAL: '0' })).toBe('DynamoDB Local skipped: java not found');
  });

  it('fails the run, saying what to install, where it is required (CI sets REQUIRE_DYNAMODB_LOCAL=1)', () => {
    expect(() => withoutJava({ REQUIRE_DYNAMODB_LOCAL: '1' })).toThrow(
      /REQUIRE_DYNAMODB_LOCAL=1.*java was not found.*openjdk-17-jre-headless/,
    );
  });
});
