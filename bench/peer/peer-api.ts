/**
 * NOT PART OF THE SERVICE. The peer's POST /submissions (see decide.ts): the usual way, one
 * item per submission holding its content, in the shape of store schema v1 (serverless.yml's
 * `SubmissionsTable`, kept for stages not yet migrated): content inline and every attribute v1
 * wrote at create, `activeShard`, `reapAt` and `contentHash` among them, so the item enters
 * all three of that table's indexes. One conditional PutItem. The bench calls it in place of
 * the peer's API handler (the API's own work is the same for both pipelines).
 */
import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { activeShardOf } from '../../src/adapters/dynamodb/table';
import { contentHashOf } from '../../src/domain/content-hash';

export interface PeerSubmission {
  id: string;
  owner: string;
  content: string;
  createdAt: string;
  /** When a reaper should look at it if no worker decides it (the v1 sparse index's sort key). */
  reapAt: string;
}

/** The item schema v1's create wrote. */
export const peerItem = (submission: PeerSubmission, activeShards: number) => ({
  ...submission,
  history: [{ event: 'accepted', at: submission.createdAt }],
  status: 'PENDING',
  attempts: 0,
  updatedAt: submission.createdAt,
  activeShard: activeShardOf(submission.id, activeShards),
  contentHash: contentHashOf(submission.owner, submission.content),
});

export async function createPeerSubmission(
  documents: DynamoDBDocumentClient,
  tableName: string,
  submission: PeerSubmission,
  activeShards: number,
): Promise<void> {
  await documents.send(
    new PutCommand({
      TableName: tableName,
      Item: peerItem(submission, activeShards),
      ConditionExpression: 'attribute_not_exists(id)',
    }),
  );
}
