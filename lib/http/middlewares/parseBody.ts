import type { MiddlewareObj } from '@middy/core';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import httpUrlencodeBodyParser from '@middy/http-urlencode-body-parser';
import { MintError } from '../../errors';
import {
  assertBodySize,
  directFormFields,
  isFormMediaType,
  isJsonMediaType,
  MAX_FORM_FIELDS,
  parseDirectBody,
  type FormFields,
} from '../body';
import { edgeState, type EdgeContext, type EdgeRequest } from '../context';
import { singleHeaderValue, type InboundRequest } from '../request';

/**
 * Reads the body the way the route says: bounded in size first, then the media type and the body
 * through middy's parser for it (an API Gateway event), or what a direct invoke carries. A JSON
 * route reads JSON; a form route reads an HTML form (application/x-www-form-urlencoded) into its
 * fields, a field sent more than once as every value in order. A route that reads no body never
 * looks at it.
 */
export function parseBody<Deps>(): MiddlewareObj<unknown, unknown, Error, EdgeContext<Deps>> {
  // Our own Content-Type checks: middy's are case-sensitive, and media types are not (RFC 9110).
  // `disableContentTypeCheck` is in the 6.x code, not in its type definitions.
  const jsonParser = httpJsonBodyParser({ disableContentTypeCheck: true } as Parameters<typeof httpJsonBodyParser>[0]);
  const formParser = httpUrlencodeBodyParser();

  /** The form in `text`, through middy's parser (node:querystring) on an event of its own. */
  const parseFormText = async (text: string): Promise<FormFields> => {
    // querystring.parse reads at most 1000 fields and drops the rest without a word: a field
    // repeated past that point would go unseen, so such a form is refused rather than cut.
    if (text.split('&').length > MAX_FORM_FIELDS) {
      throw new MintError('INVALID_REQUEST', `The form has more than ${MAX_FORM_FIELDS} fields.`);
    }
    // The media type was checked above; the parser checks it again, case-sensitively, on this event.
    const parsing = { event: { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: text as unknown } };
    try {
      await formParser.before?.(parsing as never);
    } catch (error) {
      // It answers 415 for text that is not a form (a bare word); the media type was fine.
      throw new MintError('INVALID_REQUEST', 'The request body is not a valid form.', { cause: error });
    }
    return directFormFields(parsing.event.body);
  };

  const readForm = async (inbound: InboundRequest): Promise<FormFields> => {
    if (inbound.shape === 'direct') {
      assertBodySize(inbound.body, false);
      return typeof inbound.body === 'string' ? parseFormText(inbound.body) : directFormFields(inbound.body);
    }
    assertBodySize(inbound.body, inbound.isBase64Encoded);
    if (!isFormMediaType(singleHeaderValue(inbound, 'Content-Type'))) {
      throw new MintError('UNSUPPORTED_MEDIA_TYPE', 'The request body must be a form: send "Content-Type: application/x-www-form-urlencoded".');
    }
    const body = typeof inbound.body === 'string' ? inbound.body : '';
    return parseFormText(inbound.isBase64Encoded ? Buffer.from(body, 'base64').toString('utf8') : body);
  };

  const readJson = async (inbound: InboundRequest): Promise<unknown> => {
    if (inbound.shape === 'direct') {
      assertBodySize(inbound.body, false);
      return parseDirectBody(inbound.body);
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
    return parsing.event.body;
  };

  const parseBodyBefore = async (request: EdgeRequest<Deps>): Promise<void> => {
    const { inbound, route } = edgeState(request.context);
    if (route.body === 'json') request.context.body = await readJson(inbound);
    else if (route.body === 'form') request.context.body = await readForm(inbound);
  };
  return { before: parseBodyBefore };
}
