import { describe, expect, it } from 'vitest';
import type { SubmissionStatus } from '../../src/domain/submission';
import type { Submission } from '../../src/ui/api-client';
import { knownSubmissions } from '../../src/ui/known-submissions';

const ID = '6b0e6f0e-5d7c-4f55-9a7e-0a4c1f0b9b1d';
const at = (seconds: number) => new Date(Date.UTC(2026, 10, 29, 10, 0, seconds)).toISOString();
const copy = (status: SubmissionStatus, updatedAt: string): Submission => ({
  id: ID,
  status,
  attempts: status === 'PENDING' ? 0 : 1,
  createdAt: at(0),
  updatedAt,
});

describe('knownSubmissions (what every part of the page shows)', () => {
  it('keeps a verdict over a later-read copy that is still undecided (the listing lags behind)', () => {
    const known = knownSubmissions();
    known.remember(copy('PASSED', at(2)));

    expect(known.remember(copy('PENDING', at(0))).status).toBe('PASSED');
    expect(known.remember(copy('PROCESSING', at(1))).status).toBe('PASSED');
  });

  it('takes a verdict over what it held, and a later update over an earlier one', () => {
    const known = knownSubmissions();

    expect(known.remember(copy('PENDING', at(0))).status).toBe('PENDING');
    expect(known.remember(copy('PROCESSING', at(1))).status).toBe('PROCESSING');
    expect(known.remember(copy('PENDING', at(0))).status).toBe('PROCESSING');
    expect(known.remember(copy('FAILED', at(3))).status).toBe('FAILED');
  });

  it('takes PROCESSING over PENDING with the same update time, and never changes a verdict', () => {
    const known = knownSubmissions();
    known.remember(copy('PENDING', at(1)));

    expect(known.remember(copy('PROCESSING', at(1))).status).toBe('PROCESSING');
    known.remember(copy('PASSED', at(2)));
    expect(known.remember(copy('FAILED', at(9))).status).toBe('PASSED');
  });

  it("takes the submission's own representation over a listing's copy that is as far along", () => {
    const known = knownSubmissions();
    known.remember(copy('PASSED', at(2)));
    const whole = { ...copy('PASSED', at(2)), content: 'the whole submission 42' };

    expect(known.remember(whole, true)).toBe(whole);
    expect(known.remember(copy('PASSED', at(2)))).toBe(whole);
    expect(known.remember(copy('PENDING', at(0)), true).status).toBe('PASSED');
  });
});
