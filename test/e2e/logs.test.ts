import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../../workbench/wait';
import { readStackLog, structuredLines } from '../helpers/e2e-stack-log';
import { api, pollUntilDecided, submit } from '../helpers/http';

/** Letters only, so a content can carry one and still fail the digit rule. */
function newMarker(): string {
  return `secret${Array.from(randomBytes(16), (byte) => String.fromCharCode(97 + (byte % 26))).join('')}`;
}

/** Each metric's values summed over the EMF lines (Powertools Metrics) in the log. */
function metricTotals(log: string): Record<string, number> {
  const totals: Record<string, number> = {};
  for (const line of log.split('\n')) {
    if (!line.startsWith('{"_aws"')) continue;
    const document = JSON.parse(line) as Record<string, unknown> & {
      _aws: { CloudWatchMetrics: { Metrics: { Name: string }[] }[] };
    };
    for (const { Name } of document._aws.CloudWatchMetrics.flatMap((directive) => directive.Metrics)) {
      const values = [document[Name]].flat() as number[];
      totals[Name] = (totals[Name] ?? 0) + values.reduce((sum, value) => sum + value, 0);
    }
  }
  return totals;
}

const postJson = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  api(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

/**
 * Issue 4, "no content in logs": the stack's whole output (api, worker and
 * reaper, serverless-offline and the emulators) is captured while contents
 * with unique markers go through every path; the log must name the
 * submissions (`correlationId`) and never show what they said. Issue 7: the
 * same output carries the functions' metrics as EMF lines.
 */
describe('the logs of a full run', () => {
  it('carry every accepted submission’s id and the api, worker and reaper events, and no content at all', async () => {
    const markers: string[] = [];
    const marked = (text: string) => {
      const marker = newMarker();
      markers.push(marker);
      return `${marker} ${text}`;
    };
    const key = `logs-${randomUUID()}`;
    const idempotent = marked('sent twice with one key 7');

    const passed = await submit(marked('passes the rules with 42'));
    const failed = await submit(marked('has no digit so it fails'));
    const refused = await postJson('/submissions', { content: marked('refused 1'), extra: true });
    const original = await submit(idempotent, { 'idempotency-key': key });
    const retried = await submit(idempotent, { 'idempotency-key': key });
    const conflicting = await submit(marked('same key, other body 8'), { 'idempotency-key': key });
    const batch = await postJson('/submissions/batch', {
      items: [{ content: marked('batch item one 1') }, { content: marked('batch item two') }],
    });
    const accepted = [
      passed,
      failed,
      original,
      ...(batch.body.items ?? []).map((body: unknown) => ({ body })),
    ];
    const ids: string[] = accepted.map((response) => response.body.id);
    const decided = await Promise.all(ids.map((id) => pollUntilDecided(id)));
    // The lines come through a pipe; wait until the log has caught up, and for the reaper's
    // next scheduled run (every minute on the minute) after these submissions.
    const complete = (log: string) =>
      ids.every((id) => log.includes(id)) &&
      log.indexOf('"reaper run"', log.indexOf(ids[0]!)) >= 0 &&
      (metricTotals(log).SubmissionsPassed ?? 0) + (metricTotals(log).SubmissionsFailedContent ?? 0) >=
        ids.length;
    const log = await waitFor(
      'the stack log to name every submission and a later reaper run',
      () => {
        const text = readStackLog();
        return complete(text) ? text : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 250 },
    ).catch(() => readStackLog());

    expect([passed, failed, refused, original, retried, conflicting, batch].map((r) => r.status)).toEqual([
      202, 202, 400, 202, 202, 422, 202,
    ]);
    expect(retried.body.id).toBe(original.body.id);
    expect(decided.map((response) => response.body.status)).toEqual([
      'PASSED',
      'FAILED',
      'PASSED',
      'PASSED',
      'FAILED',
    ]);
    expect(
      ids.filter((id) => !log.includes(id)),
      'ids missing from the log',
    ).toEqual([]);
    expect(
      markers.filter((marker) => log.includes(marker)),
      'content found in the log',
    ).toEqual([]);

    const lines = structuredLines(log);
    const about = (message: string, id?: string) =>
      lines.filter((line) => line.message === message && (id === undefined || line.correlationId === id));
    expect(about('submission accepted', passed.body.id)).toHaveLength(1);
    expect(about('submission replayed', original.body.id)).toHaveLength(1);
    expect(about('batch accepted').length).toBeGreaterThan(0);
    expect(about('request refused').map((line) => line.status)).toEqual(expect.arrayContaining([400, 422]));
    expect(about('submission decided', passed.body.id)).toEqual([
      expect.objectContaining({ status: 'PASSED' }),
    ]);
    expect(about('submission decided', failed.body.id)).toEqual([
      expect.objectContaining({ status: 'FAILED' }),
    ]);
    expect(about('reaper run').length).toBeGreaterThan(0);
    for (const item of batch.body.items as { id: string }[]) {
      expect(about('submission accepted', item.id)).toHaveLength(1);
    }

    // Metrics: EMF lines from the api and the worker (the stack may have served other tests before).
    const totals = metricTotals(log);
    expect(totals.SubmissionsAccepted).toBeGreaterThanOrEqual(ids.length);
    expect(totals.ApiBatchSize).toBeGreaterThanOrEqual(2);
    expect(totals.SubmissionsPassed).toBeGreaterThanOrEqual(3);
    expect(totals.SubmissionsFailedContent).toBeGreaterThanOrEqual(2);
    expect(totals.AcceptToDecision).toBeGreaterThanOrEqual(0);
    expect(totals.WorkerBatchSize).toBeGreaterThanOrEqual(1);
    // Polls and idle reaper runs record nothing and must not warn about it each time.
    expect(log).not.toMatch(/No application metrics to publish/);
  });
});
