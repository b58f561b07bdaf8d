import { describe, expect, it } from 'vitest';
import { joinRepeatedHeaders } from '../../workbench/local/as-api-gateway';

describe('joinRepeatedHeaders', () => {
  it('joins the lines of a repeated header with commas under its first spelling, in order', () => {
    // Act
    const joined = joinRepeatedHeaders([
      'If-None-Match',
      'W/"a"',
      'Host',
      'localhost',
      'if-none-match',
      'W/"b"',
      'IF-NONE-MATCH',
      '"c"',
    ]);

    // Assess
    expect(joined).toEqual(['If-None-Match', 'W/"a",W/"b","c"', 'Host', 'localhost']);
  });

  it('leaves headers sent once as they are, empty values included', () => {
    expect(joinRepeatedHeaders(['Content-Type', 'application/json', 'X-Empty', ''])).toEqual([
      'Content-Type',
      'application/json',
      'X-Empty',
      '',
    ]);
  });
});
