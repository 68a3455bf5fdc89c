import type { MiddlewareObj } from '@middy/core';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import { MintError } from '../../errors';
import { assertBodySize, isJsonMediaType, parseDirectBody } from '../body';
import { edgeState, type EdgeContext, type EdgeRequest } from '../context';
import { singleHeaderValue } from '../request';

/**
 * Reads the body the way the route says: bounded in size first, then, for a JSON route, the
 * media type and JSON through middy's parser (an API Gateway event), or the object or JSON string
 * a direct invoke carries. A route that reads no body never looks at it.
 */
export function parseBody<Deps>(): MiddlewareObj<unknown, unknown, Error, EdgeContext<Deps>> {
  // Our own Content-Type check: middy's is case-sensitive, and media types are not (RFC 9110).
  // `disableContentTypeCheck` is in the 6.x code, not in its type definitions.
  const jsonParser = httpJsonBodyParser({ disableContentTypeCheck: true } as Parameters<typeof httpJsonBodyParser>[0]);

  const parseBodyBefore = async (request: EdgeRequest<Deps>): Promise<void> => {
    const { inbound, route } = edgeState(request.context);
    if (route.body !== 'json') return;
    if (inbound.shape === 'direct') {
      assertBodySize(inbound.body, false);
      request.context.body = parseDirectBody(inbound.body);
      return;
    }
    assertBodySize(inbound.body, inbound.isBase64Encoded);
    if (!isJsonMediaType(singleHeaderValue(inbound, 'Content-Type'))) {
      throw new MintError('UNSUPPORTED_MEDIA_TYPE', 'The request body must be JSON: send "Content-Type: application/json".');
    }
    // middy's parser reads and replaces `event.body`: give it an event of its own, never the caller's.
    const parsing = { event: { body: inbound.body, isBase64Encoded: inbound.isBase64Encoded } };
    try {
      await jsonParser.before?.(parsing as never);
    } catch (error) {
      // It answers 415 even for malformed JSON; the media type was fine, so the JSON is at fault.
      throw new MintError('MALFORMED_JSON', 'The request body is not valid JSON.', { cause: error });
    }
    request.context.body = parsing.event.body;
  };
  return { before: parseBodyBefore };
}
