import { describe, expect, it } from 'vitest';
import { cloudWatchMessageAge, LOOKBACK_MINUTES, queueNameOf } from '../../workbench/ops/message-age';
// No CloudWatch emulator exists here, so CloudWatch's answers are canned (see the helper).
import { accessDenied, ageDatapoints, fakeCloudWatch } from '../helpers/fake-cloudwatch';

const NOW = new Date('2026-01-01T00:10:30.000Z');

describe('cloudWatchMessageAge', () => {
  it('asks for the queue’s ApproximateAgeOfOldestMessage, Maximum per 60 s, over the last 10 minutes', async () => {
    // Prepare
    const cloudwatch = fakeCloudWatch(() => ageDatapoints([]));

    // Act
    await cloudWatchMessageAge(cloudwatch.client)('submissions-prod-submissions', NOW);

    // Assess
    expect(cloudwatch.inputs).toEqual([
      expect.objectContaining({
        StartTime: new Date(NOW.getTime() - LOOKBACK_MINUTES * 60_000),
        EndTime: NOW,
        MetricDataQueries: [
          expect.objectContaining({
            MetricStat: {
              Metric: {
                Namespace: 'AWS/SQS',
                MetricName: 'ApproximateAgeOfOldestMessage',
                Dimensions: [{ Name: 'QueueName', Value: 'submissions-prod-submissions' }],
              },
              Period: 60,
              Stat: 'Maximum',
            },
          }),
        ],
      }),
    ]);
  });

  it('takes the newest datapoint, whatever order they come in', async () => {
    // Prepare
    const cloudwatch = fakeCloudWatch(() =>
      ageDatapoints([
        { at: '2026-01-01T00:06:00.000Z', ageSeconds: 30 },
        { at: '2026-01-01T00:08:00.000Z', ageSeconds: 252 },
        { at: '2026-01-01T00:07:00.000Z', ageSeconds: 190 },
      ]),
    );

    // Act
    const age = await cloudWatchMessageAge(cloudwatch.client)('q', NOW);

    // Assess
    expect(age).toEqual({ ageSeconds: 252, at: '2026-01-01T00:08:00.000Z' });
  });

  it('says there is no datapoint rather than reporting zero', async () => {
    // Prepare
    const cloudwatch = fakeCloudWatch(() => ageDatapoints([]));

    // Act
    const age = await cloudWatchMessageAge(cloudwatch.client)('q', NOW);

    // Assess
    expect(age).toEqual({ unavailable: 'no datapoint in the last 10 min' });
  });

  it('turns a refused call into words instead of throwing', async () => {
    // Prepare
    const cloudwatch = fakeCloudWatch(() => accessDenied());

    // Act
    const age = await cloudWatchMessageAge(cloudwatch.client)('q', NOW);

    // Assess
    expect(age).toEqual({
      unavailable: expect.stringMatching(
        /^unavailable \(cannot read CloudWatch: AccessDenied: .*not authorized to perform: cloudwatch:GetMetricData\)$/,
      ),
    });
  });

  it('names the endpoint and the code of a connection error, which has no message', async () => {
    // Prepare: Node's ECONNREFUSED (an AggregateError) carries only its code.
    const refused = Object.assign(new AggregateError([], ''), { code: 'ECONNREFUSED' });
    const cloudwatch = fakeCloudWatch(() => refused);

    // Act
    const age = await cloudWatchMessageAge(cloudwatch.client, 'http://localhost:4566')('q', NOW);

    // Assess
    expect(age).toEqual({
      unavailable: 'unavailable (cannot read CloudWatch at http://localhost:4566: ECONNREFUSED)',
    });
  });

  it('reports a query CloudWatch answered as Forbidden', async () => {
    // Prepare
    const cloudwatch = fakeCloudWatch(() => ({
      MetricDataResults: [
        {
          Id: 'age',
          StatusCode: 'Forbidden',
          Messages: [{ Code: 'Forbidden', Value: 'no access to AWS/SQS' }],
        },
      ],
    }));

    // Act
    const age = await cloudWatchMessageAge(cloudwatch.client)('q', NOW);

    // Assess
    expect(age).toEqual({ unavailable: 'unavailable (CloudWatch answered Forbidden: no access to AWS/SQS)' });
  });
});

describe('queueNameOf', () => {
  it.each([
    [
      'https://sqs.eu-west-1.amazonaws.com/123456789012/submissions-prod-submissions',
      'submissions-prod-submissions',
    ],
    [
      'http://localhost:4566/000000000000/submissions-localstack-submissions-dlq',
      'submissions-localstack-submissions-dlq',
    ],
    ['http://127.0.0.1:9324/queue/q-1/', 'q-1'],
  ])('reads the name from %s', (url, name) => {
    expect(queueNameOf(url)).toBe(name);
  });
});
