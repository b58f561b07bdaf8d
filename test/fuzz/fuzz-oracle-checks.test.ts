/**
 * The fuzz oracle itself, on made-up exchanges (no stack): it passes the answers the
 * contract allows and fails each kind of wrong answer the fuzz tier is there to catch, so a
 * green fuzz run means the checks ran, not that they could not fail.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { INLINE_CONTENT_MAX_BYTES } from '../../src/adapters/dynamodb/table';
import { openApiDocument } from '../../src/http/openapi';
import { SECURITY_HEADERS } from '../../src/http/security-headers';
import { OpenApiContract } from '../../workbench/api-fuzz/fuzz-contract';
import { ServiceModel } from '../../workbench/api-fuzz/fuzz-model';
import { judge, type OracleContext } from '../../workbench/api-fuzz/fuzz-oracle';
import { prepareRequest, type RequestPlan } from '../../workbench/api-fuzz/fuzz-requests';
import { readGatewayRoutes } from '../../workbench/api-fuzz/fuzz-routes';
import type { WireResponse } from '../../workbench/api-fuzz/fuzz-wire';

const ID = '6f1c1c3e-5a3e-4c1e-9f1e-1e2d3c4b5a69';
const OTHER_ID = '0b6a3e4c-4a51-4c1e-9d0e-2f8a7c9b1d23';
const NOW = '2026-12-06T20:00:00.000Z';

let context: OracleContext;

beforeAll(async () => {
  const model = new ServiceModel();
  model.addSubmission({ id: ID, owner: 'anonymous', content: 'Fuzz content 42' });
  model.addSubmission({ id: OTHER_ID, owner: 'fuzz-alice', content: 'hers 12345' });
  context = {
    model,
    contract: await OpenApiContract.load(structuredClone(openApiDocument()) as never),
    routes: readGatewayRoutes(),
    maxContentBytes: 4096,
  };
});

function plan(overrides: Partial<RequestPlan> & { text?: string }): RequestPlan {
  const { text, ...rest } = overrides;
  return {
    method: 'POST',
    path: { kind: 'fixed', path: '/submissions' },
    query: [],
    caller: { kind: 'anonymous' },
    contentType: 'application/json',
    idempotencyKey: undefined,
    ifNoneMatch: undefined,
    preflight: false,
    body: text === undefined ? undefined : { label: 'test', bytes: Buffer.from(text) },
    framing: 'content-length',
    ...rest,
  };
}

function fromApi(status: number, body: unknown, headers: Record<string, string> = {}): WireResponse {
  const problem = status >= 400;
  return {
    status,
    headers: {
      ...SECURITY_HEADERS,
      'content-type': problem ? 'application/problem+json; charset=utf-8' : 'application/json; charset=utf-8',
      'cache-control': problem ? 'no-store' : 'private, no-cache',
      ...headers,
    },
    body: Buffer.from(body === undefined ? '' : JSON.stringify(body)),
  };
}

const problem = (status: number, title: string, detail: string, extra: Record<string, unknown> = {}) => ({
  type: `https://httpstatuses.io/${status}`,
  title,
  status,
  detail,
  instance: '/submissions',
  ...extra,
});

const submission = (id: string) => ({ id, status: 'PENDING', attempts: 0, createdAt: NOW, updatedAt: NOW });

/** The failures of judging `response` to `requestPlan`, given what the table and queue gained. */
function failuresOf(requestPlan: RequestPlan, response: WireResponse, gained = { items: 0, messages: 0 }) {
  const request = prepareRequest(requestPlan, context.model);
  const before = { items: 10, messages: 10 };
  const after = { items: 10 + gained.items, messages: 10 + gained.messages };
  return judge({ request, response, before, after }, context).failures;
}

describe('the fuzz oracle', () => {
  const valid = plan({ text: '{"content":"new content 7"}' });
  const accepted = () =>
    fromApi(202, submission('11111111-2222-4333-8444-555555555555'), {
      location: '/submissions/11111111-2222-4333-8444-555555555555',
      'cache-control': 'no-store',
    });

  it('passes an accepted submission that stored one item and sent one message', () => {
    expect(failuresOf(valid, accepted(), { items: 1, messages: 1 })).toEqual([]);
  });

  it('counts the item of its own a content too long to keep inline takes', () => {
    const long = plan({ text: JSON.stringify({ content: `${'é'.repeat(INLINE_CONTENT_MAX_BYTES / 2)}1` }) });
    expect(failuresOf(long, accepted(), { items: 2, messages: 1 })).toEqual([]);
    expect(failuresOf(long, accepted(), { items: 1, messages: 1 })).toEqual([
      expect.stringMatching(/gained 1 item.*accounts for 2 and 1/),
    ]);
  });

  it('fails a 202 that stored nothing, or stored twice', () => {
    expect(failuresOf(valid, accepted())).toEqual([
      expect.stringMatching(/gained 0 item.*accounts for 1 and 1/),
    ]);
    expect(failuresOf(valid, accepted(), { items: 2, messages: 1 })).not.toEqual([]);
  });

  it('fails a refusal that stored something', () => {
    const refused = fromApi(400, problem(400, 'Bad Request', 'The request body is not valid JSON in UTF-8.'));
    expect(failuresOf(plan({ text: '{"content":' }), refused, { items: 1, messages: 0 })).toEqual([
      expect.stringMatching(/gained 1 item/),
    ]);
  });

  it('fails a detail that is false of the request', () => {
    const notJson = fromApi(400, problem(400, 'Bad Request', 'The request body is not valid JSON in UTF-8.'));
    expect(failuresOf(plan({ text: '{"content":' }), notJson)).toEqual([]);
    expect(failuresOf(valid, notJson)).toEqual([expect.stringMatching(/is valid JSON in UTF-8/)]);

    const notThisType = fromApi(
      415,
      problem(415, 'Unsupported Media Type', 'Send the body as application/json, not text/plain.'),
    );
    expect(failuresOf(plan({ text: 'x', contentType: 'text/plain' }), notThisType)).toEqual([]);
    expect(failuresOf(plan({ text: 'x', contentType: 'application/json' }), notThisType)).not.toEqual([]);
  });

  it('fails a field error that names a field the body has right', () => {
    const wrongField = fromApi(
      400,
      problem(400, 'Bad Request', 'The request body is not a valid submission.', {
        errors: [{ field: 'content', message: 'content must not be empty' }],
      }),
    );
    expect(failuresOf(plan({ text: '{"content":""}' }), wrongField)).toEqual([]);
    expect(failuresOf(plan({ text: '{"content":"fine 12345","owner":"x"}' }), wrongField)).toEqual([
      expect.stringMatching(/"content" .* is not wrong/),
    ]);
  });

  it('fails a detail it does not know, and any 5xx', () => {
    const unknown = fromApi(400, problem(400, 'Bad Request', 'Something else went wrong.'));
    expect(failuresOf(valid, unknown)).toEqual([expect.stringMatching(/does not know/)]);
    const crashed = fromApi(
      500,
      problem(500, 'Internal Server Error', 'The request could not be completed; try again.'),
    );
    expect(failuresOf(valid, crashed)).toContainEqual(expect.stringMatching(/no request may cause a 5xx/));
  });

  it("fails a 404 for the caller's own submission, and serving someone else's", () => {
    const get = (id: string) => plan({ method: 'GET', path: { kind: 'fixed', path: `/submissions/${id}` } });
    const notFound = (id: string) =>
      fromApi(404, { ...problem(404, 'Not Found', `No submission ${id}.`), instance: `/submissions/${id}` });
    expect(failuresOf(get(OTHER_ID), notFound(OTHER_ID))).toEqual([]);
    expect(failuresOf(get(ID), notFound(ID))).toEqual([expect.stringMatching(/anonymous created/)]);

    const served = fromApi(200, submission(OTHER_ID), { etag: 'W/"x"' });
    expect(failuresOf(get(OTHER_ID), served)).toEqual([expect.stringMatching(/did not create it/)]);
  });

  it('fails a status answer that carries the content', () => {
    const get = plan({ method: 'GET', path: { kind: 'fixed', path: `/submissions/${ID}` } });
    const state = (body: object) => fromApi(200, body, { etag: 'W/"state"' });

    expect(failuresOf(get, state(submission(ID)))).toEqual([]);
    expect(failuresOf(get, state({ ...submission(ID), content: 'Fuzz content 42' }))).toContainEqual(
      expect.stringMatching(/carries its content/),
    );
  });

  describe('GET /submissions/{id}/content', () => {
    const get = (id: string, ifNoneMatch?: string) =>
      plan({
        method: 'GET',
        path: { kind: 'fixed', path: `/submissions/${id}/content` },
        ...(ifNoneMatch === undefined
          ? {}
          : { ifNoneMatch: { kind: 'literal' as const, value: ifNoneMatch } }),
      });
    const cached = {
      etag: '"content-etag-of-id"',
      'cache-control': 'private, max-age=86400, immutable',
      vary: 'Authorization',
    };
    const served = (id: string, content: string, headers: Record<string, string> = {}) =>
      fromApi(200, { id, content }, { ...cached, ...headers });
    const notFound = (id: string) =>
      fromApi(404, {
        ...problem(404, 'Not Found', `No submission ${id}.`),
        instance: `/submissions/${id}/content`,
      });

    it('passes the owner’s content as submitted, and a 404 to anyone else', () => {
      expect(failuresOf(get(ID), served(ID, 'Fuzz content 42'))).toEqual([]);
      expect(failuresOf(get(OTHER_ID), notFound(OTHER_ID))).toEqual([]);
    });

    it('fails another content, another caller’s content, or a 404 for the caller’s own', () => {
      expect(failuresOf(get(ID), served(ID, 'Fuzz content 43'))).toEqual([
        expect.stringMatching(/not the content submitted/),
      ]);
      expect(failuresOf(get(OTHER_ID), served(OTHER_ID, 'hers 12345'))).toEqual([
        expect.stringMatching(/content of .* who did not create it/),
      ]);
      expect(failuresOf(get(ID), notFound(ID))).toEqual([expect.stringMatching(/anonymous created/)]);
    });

    it('fails an answer without the caching headers the document gives it', () => {
      const { vary: _vary, ...withoutVary } = cached;
      const answer = fromApi(200, { id: ID, content: 'Fuzz content 42' }, withoutVary);
      expect(failuresOf(get(ID), answer)).toEqual([
        expect.stringMatching(/OpenAPI: getSubmissionContent 200 headers must have required property 'vary'/),
      ]);
    });

    it('fails a 200 to an ETag it sent, and an ETag that changes', () => {
      const model = context.model;
      model.addEtag(ID, cached.etag, 'content');

      expect(failuresOf(get(ID, cached.etag), served(ID, 'Fuzz content 42'))).toEqual([
        expect.stringMatching(/matches, so 304 was due/),
      ]);
      const notModified: WireResponse = {
        status: 304,
        headers: { ...SECURITY_HEADERS, ...cached },
        body: Buffer.alloc(0),
      };
      expect(failuresOf(get(ID, `W/${cached.etag}`), notModified)).toEqual([]);
      expect(failuresOf(get(ID), served(ID, 'Fuzz content 42', { etag: '"another"' }))).toEqual([
        expect.stringMatching(/ETag changed/),
      ]);
    });
  });

  it('fails a 405 whose Allow is not what the document gives', () => {
    const put = plan({ method: 'PUT', text: undefined, contentType: undefined });
    const notAllowed = (allow: string) =>
      fromApi(405, problem(405, 'Method Not Allowed', 'PUT is not allowed on /submissions.'), { allow });
    expect(failuresOf(put, notAllowed('POST, GET'))).toEqual([]);
    expect(failuresOf(put, notAllowed('POST'))).not.toEqual([]);
  });

  it('fails an answer the OpenAPI document does not allow', () => {
    const withoutType = fromApi(400, {
      title: 'Bad Request',
      status: 400,
      detail: 'The request body is not valid JSON in UTF-8.',
    });
    expect(failuresOf(plan({ text: '{' }), withoutType)).toEqual([
      expect.stringMatching(/OpenAPI: createSubmission 400 body must have required property 'type'/),
    ]);
    const noLocation = fromApi(202, submission('11111111-2222-4333-8444-555555555555'), {
      'cache-control': 'no-store',
    });
    expect(failuresOf(valid, noLocation, { items: 1, messages: 1 })).toContainEqual(
      expect.stringMatching(/OpenAPI: createSubmission 202 headers must have required property 'location'/),
    );
  });

  it('fails an answer the server gave to a request serverless.yml routes to the function', () => {
    const serverAnswer: WireResponse = {
      status: 404,
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: Buffer.from('{"error":"Serverless-offline: route not found."}'),
    };
    expect(failuresOf(valid, serverAnswer)).toEqual([
      expect.stringMatching(/routes this to the api function/),
    ]);
    expect(failuresOf(plan({ method: 'GET', path: { kind: 'fixed', path: '/nope' } }), serverAnswer)).toEqual(
      [],
    );
  });
});
