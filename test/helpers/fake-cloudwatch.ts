/**
 * A CloudWatchClient whose `send` answers GetMetricData from the test instead of
 * the network. There is no CloudWatch emulator here (dynalite and fauxqs cover
 * DynamoDB and SQS only), so CloudWatch is the one AWS service the ops tests fake.
 */
import {
  CloudWatchClient,
  CloudWatchServiceException,
  GetMetricDataCommand,
  type GetMetricDataCommandInput,
  type GetMetricDataCommandOutput,
} from '@aws-sdk/client-cloudwatch';

/** What the fake answers: the output, or an error it throws as the SDK would. */
export type CannedAnswer = Omit<GetMetricDataCommandOutput, '$metadata'> | Error;

export function fakeCloudWatch(answer: (input: GetMetricDataCommandInput) => CannedAnswer) {
  const inputs: GetMetricDataCommandInput[] = [];
  const client = new CloudWatchClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'fake', secretAccessKey: 'fake' },
  });
  const send = async (command: unknown): Promise<GetMetricDataCommandOutput> => {
    if (!(command instanceof GetMetricDataCommand)) {
      throw new Error(`the fake CloudWatch answers only GetMetricData, not ${String(command)}`);
    }
    inputs.push(command.input);
    const canned = answer(command.input);
    if (canned instanceof Error) throw canned;
    return { ...canned, $metadata: { httpStatusCode: 200 } };
  };
  client.send = send as CloudWatchClient['send'];
  return { client, inputs };
}

/** One GetMetricData result for the query `age`, with these datapoints. */
export const ageDatapoints = (datapoints: readonly { at: string; ageSeconds: number }[]): CannedAnswer => ({
  MetricDataResults: [
    {
      Id: 'age',
      StatusCode: 'Complete',
      Timestamps: datapoints.map(({ at }) => new Date(at)),
      Values: datapoints.map(({ ageSeconds }) => ageSeconds),
    },
  ],
});

/** What CloudWatch answers a caller whose policy lacks cloudwatch:GetMetricData. */
export const accessDenied = () =>
  new CloudWatchServiceException({
    name: 'AccessDenied',
    $fault: 'client',
    $metadata: { httpStatusCode: 403 },
    message:
      'User: arn:aws:iam::123456789012:user/ops is not authorized to perform: cloudwatch:GetMetricData',
  });
