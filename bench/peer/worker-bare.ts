/**
 * NOT PART OF THE SERVICE. The bench's peer (see decide.ts) without logs or
 * metrics: only the cold-start figure uses it, to show what observability costs.
 */
import { processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSEvent } from 'aws-lambda';
import { config, decideOnce, processor } from './decide';

export const handler = async (event: SQSEvent, context: Context) => {
  config.registerLambdaContext(context);
  return processPartialResponse(event, decideOnce, processor, { context });
};
