import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { fakeContext, v2Event } from '../../tests/helpers/events';

/** The body every benchmarked request sends: a subject and one allowed audience, as most callers do. */
export const MINT_BODY = JSON.stringify({ subject: 'bench-subject', audience: 'mfs' });

/** A fresh HTTP API (payload 2.0) event for POST /user/generateJwt: the middy chain changes its event in place. */
export function mintEvent(callerToken: string): APIGatewayProxyEventV2 {
  return v2Event({ headers: { authorization: `Bearer ${callerToken}`, 'content-type': 'application/json' }, body: MINT_BODY });
}

/** A Lambda context for one invocation. */
export const lambdaContext = (requestId: string): Context => fakeContext(requestId);

/** The handler's signature as the bundle exports it. */
export type BundledHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<{ statusCode?: number }>;
