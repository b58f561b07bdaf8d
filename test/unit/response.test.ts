import { describe, expect, it } from 'vitest';
import type { Submission } from '../../src/domain/submission';
import { badRequest, HttpProblem } from '../../src/http/problem';
import { accepted, problemResponse, submissionFound, submissionList } from '../../src/http/response';
import type { StoredSubmission } from '../../src/ports/submission-store';

const RETRY_AFTER_SECONDS = 3;

function submission(overrides: Partial<Submission> = {}): Submission {
  return {
    id: '3f2b8c1e-9a4d-4e7b-8c2d-1a2b3c4d5e6f',
    owner: 'owner-1',
    content: 'secret content 42',
    status: 'PENDING',
    attempts: 0,
    createdAt: '2025-01-01T00:00:00.000Z',
    updatedAt: '2025-01-01T00:00:00.000Z',
    ...overrides,
  };
}

const processing = (overrides: Partial<Submission> = {}) =>
  submission({
    status: 'PROCESSING',
    attempts: 1,
    leaseToken: 'lease-token-1',
    processingStartedAt: '2025-01-01T00:00:01.000Z',
    leaseExpiresAt: '2025-01-01T00:05:01.000Z',
    updatedAt: '2025-01-01T00:00:01.000Z',
    ...overrides,
  });

const passed = () =>
  submission({
    status: 'PASSED',
    attempts: 1,
    updatedAt: '2025-01-01T00:00:02.000Z',
    completedAt: '2025-01-01T00:00:02.000Z',
    result: { verdict: 'PASSED', rules: [{ rule: 'minLength', passed: true, message: 'ok' }] },
  });

function bodyOf(response: { body?: string }): Record<string, unknown> {
  expect(response.body).toBeDefined();
  return JSON.parse(response.body ?? '') as Record<string, unknown>;
}

function etagOf(target: Submission): string {
  const { etag } = submissionFound(target, undefined, RETRY_AFTER_SECONDS).headers;
  if (etag === undefined) return expect.unreachable('submissionFound must set an ETag');
  return etag;
}

function itemsOf(body: Record<string, unknown>): Record<string, unknown>[] {
  expect(Array.isArray(body.items)).toBe(true);
  return body.items as Record<string, unknown>[];
}

describe('accepted', () => {
  it('answers 202 with a Location of the new submission', () => {
    // Prepare
    const created = submission();

    // Act
    const response = accepted(created);

    // Assess
    expect(response.statusCode).toBe(202);
    expect(response.headers.location).toBe(`/submissions/${created.id}`);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
  });

  it('shows id, status and createdAt but never owner, lease token or content', () => {
    // Prepare
    const created = submission({ leaseToken: 'must-not-leak' });

    // Act
    const body = bodyOf(accepted(created));

    // Assess
    expect(body).toMatchObject({ id: created.id, status: 'PENDING', createdAt: created.createdAt });
    expect(body).not.toHaveProperty('owner');
    expect(body).not.toHaveProperty('leaseToken');
    expect(body).not.toHaveProperty('content');
  });
});

describe('submissionFound', () => {
  it.each([
    { status: 'PENDING', make: () => submission(), retryAfter: String(RETRY_AFTER_SECONDS) },
    { status: 'PROCESSING', make: () => processing(), retryAfter: String(RETRY_AFTER_SECONDS) },
    { status: 'PASSED', make: passed, retryAfter: undefined },
    { status: 'FAILED', make: () => submission({ status: 'FAILED', attempts: 1 }), retryAfter: undefined },
  ])('answers 200 for $status with Retry-After=$retryAfter', ({ make, retryAfter }) => {
    // Act
    const response = submissionFound(make(), undefined, RETRY_AFTER_SECONDS);

    // Assess
    expect(response.statusCode).toBe(200);
    expect(response.headers['retry-after']).toBe(retryAfter);
    expect(response.headers.etag).toMatch(/^(W\/)?"[^"]+"$/);
  });

  it('shows the result but never the content, the owner or the lease token', () => {
    // Prepare
    const found = passed();

    // Act
    const body = bodyOf(submissionFound(found, undefined, RETRY_AFTER_SECONDS));

    // Assess
    expect(body).toMatchObject({
      id: found.id,
      status: 'PASSED',
      result: found.result,
    });
    expect(body).not.toHaveProperty('content');
    expect(body).not.toHaveProperty('owner');
    expect(body).not.toHaveProperty('leaseToken');
  });

  it('never shows the lease token of a PROCESSING submission', () => {
    // Act
    const response = submissionFound(processing(), undefined, RETRY_AFTER_SECONDS);

    // Assess
    expect(response.body).not.toContain('lease-token-1');
  });

  it('never shows what only operators read: history, orphan requeues, retention', () => {
    // Prepare: a submission as the store returns it.
    const stored: StoredSubmission = {
      ...passed(),
      history: [
        { event: 'accepted', at: '2025-01-01T00:00:00.000Z' },
        { event: 'decided', at: '2025-01-01T00:00:02.000Z', status: 'PASSED', attempt: 1 },
      ],
      orphanRequeues: 2,
      expiresAt: 1_743_465_602,
    };

    // Act
    const bodies = [
      bodyOf(submissionFound(stored, undefined, RETRY_AFTER_SECONDS)),
      bodyOf(accepted(stored)),
      (bodyOf(submissionList({ items: [stored] })) as { items: unknown[] }).items[0],
    ];

    // Assess
    for (const body of bodies) {
      expect(body).toMatchObject({ id: stored.id, status: 'PASSED' });
      for (const hidden of ['history', 'orphanRequeues', 'expiresAt'])
        expect(body).not.toHaveProperty(hidden);
    }
  });

  it.each([
    { name: 'the same ETag', header: (etag: string) => etag },
    { name: 'its strong form (weak comparison)', header: (etag: string) => etag.replace(/^W\//, '') },
    { name: 'a list containing it', header: (etag: string) => `W/"other", ${etag}, "another"` },
    { name: 'a list without spaces', header: (etag: string) => `"other",${etag}` },
    { name: 'the wildcard', header: () => '*' },
  ])('answers 304 without a body when If-None-Match is $name', ({ header }) => {
    // Prepare
    const found = processing();
    const etag = etagOf(found);

    // Act
    const response = submissionFound(found, header(etag), RETRY_AFTER_SECONDS);

    // Assess
    expect(response.statusCode).toBe(304);
    expect(response.body).toBeUndefined();
    expect(response.headers.etag).toBe(etag);
    // RFC 9110 §15.4.5: no representation metadata on a 304 (serverless-offline adds one locally).
    expect(Object.keys(response.headers).map((name) => name.toLowerCase())).not.toContain('content-type');
  });

  it.each([
    { name: 'another ETag', header: 'W/"not-the-etag"' },
    { name: 'a list of other ETags', header: '"a", W/"b"' },
    { name: 'empty', header: '' },
    { name: 'absent', header: undefined },
  ])('answers 200 with a body when If-None-Match is $name', ({ header }) => {
    // Act
    const response = submissionFound(processing(), header, RETRY_AFTER_SECONDS);

    // Assess
    expect(response.statusCode).toBe(200);
    expect(bodyOf(response)).toHaveProperty('status', 'PROCESSING');
  });

  it('gives the same ETag for the same state', () => {
    // Act
    const first = etagOf(processing());
    const second = etagOf(processing());

    // Assess
    expect(second).toBe(first);
  });

  it.each([
    { name: 'status', change: { status: 'PASSED' } },
    { name: 'updatedAt', change: { updatedAt: '2025-01-01T00:00:09.000Z' } },
    { name: 'attempts', change: { attempts: 2 } },
    { name: 'id', change: { id: '00000000-0000-4000-8000-000000000000' } },
  ] satisfies { name: string; change: Partial<Submission> }[])(
    'changes the ETag when $name changes',
    ({ change }) => {
      // Prepare
      const before = processing();
      const after = processing(change);

      // Act
      const etagBefore = etagOf(before);
      const etagAfter = etagOf(after);

      // Assess
      expect(etagAfter).not.toBe(etagBefore);
    },
  );

  it("answers 200 once the submission changed since the poller's ETag", () => {
    // Prepare
    const staleEtag = etagOf(processing());

    // Act
    const response = submissionFound(passed(), staleEtag, RETRY_AFTER_SECONDS);

    // Assess
    expect(response.statusCode).toBe(200);
    expect(bodyOf(response)).toHaveProperty('status', 'PASSED');
  });
});

describe('submissionList', () => {
  it('lists items in order without content, owner or lease token', () => {
    // Prepare
    const items = [passed(), processing({ id: '00000000-0000-4000-8000-000000000001' })];

    // Act
    const body = bodyOf(submissionList({ items, nextCursor: 'next-page' }));

    // Assess
    expect(itemsOf(body).map((item) => item.id)).toEqual(items.map((item) => item.id));
    for (const item of itemsOf(body)) {
      expect(item).not.toHaveProperty('content');
      expect(item).not.toHaveProperty('owner');
      expect(item).not.toHaveProperty('leaseToken');
    }
    expect(body.nextCursor).toBe('next-page');
  });

  it.each([
    { name: 'the last page', nextCursor: undefined },
    { name: 'an empty cursor', nextCursor: '' },
  ])('leaves nextCursor out on $name', ({ nextCursor }) => {
    // Act
    const response = submissionList({ items: [], nextCursor });

    // Assess
    expect(response.statusCode).toBe(200);
    expect(bodyOf(response)).toEqual({ items: [] });
  });
});

describe('problemResponse', () => {
  it('answers problem+json with type, title, status and detail', () => {
    // Prepare
    const problem = new HttpProblem(404, 'Not Found', 'No submission with this id.');

    // Act
    const response = problemResponse(problem);

    // Assess
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    const body = bodyOf(response);
    expect(body).toEqual({
      type: expect.stringContaining('404'),
      title: 'Not Found',
      status: 404,
      detail: 'No submission with this id.',
    });
  });

  it('includes field errors and the instance when given', () => {
    // Prepare
    const errors = [{ field: 'content', message: 'content must not be empty' }];
    const problem = badRequest('The request body is not a valid submission.', errors);

    // Act
    const body = bodyOf(problemResponse(problem, '/submissions'));

    // Assess
    expect(body).toMatchObject({ status: 400, errors, instance: '/submissions' });
  });
});
