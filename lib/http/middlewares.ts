import type { MiddlewareObj, Request } from '@middy/core';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import type { Context } from 'aws-lambda';
import { auditRecord, requestedFacts, type AuditFacts } from '../audit';
import { extractBearerToken } from '../tokens/callerToken';
import { BASE_HEADERS, challengeFor, errorEnvelope, type Envelope } from './envelope';
import { describeError, MintError, toMintError } from '../errors';
import {
  assertBodySize,
  isJsonMediaType,
  lowerCaseHeaders,
  parseDirectBody,
  type EventShape,
  type InboundEvent,
} from './request';
import type { PublishedDocument } from '../keys/published';
import type { KeyCache } from '../keys/keyCache';
import { parseMintRequest, type MintRequest } from '../mint/request';
import type { PublishedRoute, RouteName } from '../routes';
import type { SigningKeys } from '../keys/signingKeys';

/**
 * The Lambda context, plus what the dispatcher routed (`shape`, `route`) and what the middlewares
 * learn about the request on the way in.
 */
export interface MintContext extends Context {
  shape: EventShape;
  /** `mint`, or the refusal of a route this function does not serve. */
  route: Extract<RouteName, 'mint'> | MintError;
  callerToken: string;
  mintRequest: MintRequest;
  signingKeys: SigningKeys;
  audit: AuditFacts;
}

/** An HTTP API / REST API proxy response. */
export interface HttpResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

export type MintResult = Envelope | HttpResponse;
type MintRequestState = Request<InboundEvent, MintResult, Error, MintContext>;

/** The Lambda context of a request for a published document, as the dispatcher routed it. */
export interface PublishContext extends Context {
  shape: EventShape;
  route: PublishedRoute;
  signingKeys: SigningKeys;
}

export type PublishResult = PublishedDocument | HttpResponse;
type PublishRequestState = Request<InboundEvent, PublishResult, Error, PublishContext>;

interface StructuredLogger {
  info(message: string, extra: Record<string, unknown>): void;
  warn(message: string, extra: Record<string, unknown>): void;
  error(message: string, extra: Record<string, unknown>): void;
}

/**
 * Shapes every outcome as the `{code, message, data}` envelope: an HTTP response for API Gateway
 * events, the envelope itself for direct invocation. The one place errors become responses.
 */
export function envelopeResponse(options: { requiredScope: string; logger: StructuredLogger }) {
  return {
    after: (request: MintRequestState) => {
      request.response = envelopeResult(request.context.shape, request.response as Envelope);
    },
    onError: (request: MintRequestState) => {
      request.response = failureResult(request.error, request.context.shape, options);
    },
  } satisfies MiddlewareObj<InboundEvent, MintResult, Error, MintContext>;
}

/**
 * Serves a published document as plain JSON that verifiers may cache for `maxAgeSeconds` (the
 * secret cache window: no container serves a key set older than that); failures are enveloped.
 */
export function publishedResponse(options: { maxAgeSeconds: number; requiredScope: string; logger: StructuredLogger }) {
  return {
    after: (request: PublishRequestState) => {
      request.response = {
        statusCode: 200,
        headers: { ...BASE_HEADERS, 'Cache-Control': `public, max-age=${options.maxAgeSeconds}` },
        body: JSON.stringify(request.response),
      };
    },
    onError: (request: PublishRequestState) => {
      request.response = failureResult(request.error, request.context.shape, options) as HttpResponse;
    },
  } satisfies MiddlewareObj<InboundEvent, PublishResult, Error, PublishContext>;
}

function envelopeResult(shape: EventShape, envelope: Envelope, extraHeaders: Record<string, string> = {}): MintResult {
  if (shape === 'direct') return envelope;
  return { statusCode: envelope.code, headers: { ...BASE_HEADERS, ...extraHeaders }, body: JSON.stringify(envelope) };
}

/** The one place an error becomes a response: logged in full when not exposed, enveloped for the caller. */
function failureResult(
  thrown: unknown,
  shape: EventShape,
  options: { requiredScope: string; logger: StructuredLogger },
): MintResult {
  const error = toMintError(thrown);
  if (!error.expose) {
    // The cause goes to the log only; SDK and key errors never carry key material or tokens.
    options.logger.error('request failed', { code: error.code, detail: error.message, cause: error.cause === undefined ? undefined : describeError(error.cause) });
  }
  const challenge = challengeFor(error, options.requiredScope);
  return envelopeResult(shape, errorEnvelope(error), challenge ? { 'WWW-Authenticate': challenge } : {});
}

/** Writes one audit line per decision: `issued` after a mint, `denied` with its reason code. */
export function auditTrail(options: { logger: StructuredLogger }) {
  return {
    before: (request: MintRequestState) => {
      request.context.audit = {};
    },
    after: (request: MintRequestState) => {
      options.logger.info('issued', auditRecord('issued', request.context.awsRequestId, request.context.audit));
    },
    onError: (request: MintRequestState) => {
      const error = toMintError(request.error);
      const record = auditRecord('denied', request.context.awsRequestId, request.context.audit ?? {}, {
        reason: error.code,
        status: error.statusCode,
      });
      options.logger.warn('denied', record);
    },
  } satisfies MiddlewareObj<InboundEvent, MintResult, Error, MintContext>;
}

/**
 * Tells the event shapes apart, routes, lower-cases header names, bounds the body, and parses it:
 * JSON through middy's parser for API Gateway events, an object or JSON string for direct calls.
 */
export function inboundRequest() {
  // Our own Content-Type check: middy's is case-sensitive, and media types are not (RFC 9110).
  // `disableContentTypeCheck` is in the 6.x code, not in its type definitions.
  const parserOptions = { disableContentTypeCheck: true } as Parameters<typeof httpJsonBodyParser>[0];
  const jsonParser = httpJsonBodyParser(parserOptions);
  return {
    before: async (request: MintRequestState) => {
      const event = request.event;
      const { shape, route } = request.context;
      // The dispatcher routed the event; an unknown route or method is refused here, in the envelope.
      if (route instanceof MintError) throw route;
      if (shape === 'direct') {
        // A null or non-object payload is a caller's mistake: read it as an empty event (401/400).
        const direct = (typeof event === 'object' && event !== null ? event : {}) as { authorization?: unknown; body?: unknown };
        assertBodySize(direct.body, false);
        request.event = {
          authorization: typeof direct.authorization === 'string' ? direct.authorization : undefined,
          body: parseDirectBody(direct.body),
        };
        return;
      }
      const http = event as Extract<InboundEvent, { headers: unknown }>;
      http.headers = lowerCaseHeaders(http.headers);
      assertBodySize(http.body, http.isBase64Encoded === true);
      if (!isJsonMediaType(http.headers['content-type'])) {
        throw new MintError('UNSUPPORTED_MEDIA_TYPE', 'The request body must be JSON: send "Content-Type: application/json".');
      }
      try {
        await jsonParser.before?.(request as never);
      } catch (error) {
        throw bodyParserError(error);
      }
    },
  } satisfies MiddlewareObj<InboundEvent, MintResult, Error, MintContext>;
}

/** Validates the body against the schema, then takes the caller's bearer token. */
export function mintRequestValidator() {
  return {
    before: (request: MintRequestState) => {
      const event = request.event as { body?: unknown; headers?: Record<string, string>; authorization?: string };
      request.context.mintRequest = parseMintRequest(event.body);
      Object.assign(request.context.audit, requestedFacts(request.context.mintRequest));
      request.context.callerToken = extractBearerToken(event.headers ? event.headers.authorization : event.authorization);
    },
  } satisfies MiddlewareObj<InboundEvent, MintResult, Error, MintContext>;
}

/** Puts the cached signing keys on the context, fetching them from the store when the cache is cold. */
export function signingKeys<TResult, TContext extends Context & { signingKeys: SigningKeys }>(cache: KeyCache<SigningKeys>) {
  return {
    before: async (request: Request<InboundEvent, TResult, Error, TContext>) => {
      request.context.signingKeys = await cache.get();
    },
  } satisfies MiddlewareObj<InboundEvent, TResult, Error, TContext>;
}

/** Maps @middy/http-json-body-parser's failure onto ours: it answers 415 even for malformed JSON. */
function bodyParserError(error: unknown): MintError {
  return new MintError('MALFORMED_JSON', 'The request body is not valid JSON.', { cause: error });
}
