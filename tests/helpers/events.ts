import type { APIGatewayProxyEvent, APIGatewayProxyEventV2, Context } from 'aws-lambda';

/** A fake Lambda context, enough for the handler and middy. */
export function fakeContext(requestId = 'req-test-1'): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'jwt-mint-test-generateJwt',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:jwt-mint-test-generateJwt',
    memoryLimitInMB: '256',
    awsRequestId: requestId,
    logGroupName: '/aws/lambda/jwt-mint-test-generateJwt',
    logStreamName: 'test',
    getRemainingTimeInMillis: () => 5000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

export interface HttpEventOptions {
  headers?: Record<string, string>;
  body?: string;
  isBase64Encoded?: boolean;
  method?: string;
  path?: string;
}

/** An HTTP API (payload 2.0) event, as API Gateway sends for the serverless.yml route. */
export function v2Event(options: HttpEventOptions = {}): APIGatewayProxyEventV2 {
  const method = options.method ?? 'POST';
  const path = options.path ?? '/user/generateJwt';
  return {
    version: '2.0',
    routeKey: `${method} ${path}`,
    rawPath: path,
    rawQueryString: '',
    headers: options.headers ?? {},
    body: options.body,
    isBase64Encoded: options.isBase64Encoded ?? false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'api',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'jest' },
      requestId: 'api-req',
      routeKey: `${method} ${path}`,
      stage: '$default',
      time: '',
      timeEpoch: 0,
    },
  };
}

/** A REST API (payload 1.0) event. */
export function v1Event(options: HttpEventOptions = {}): APIGatewayProxyEvent {
  const path = options.path ?? '/user/generateJwt';
  return {
    httpMethod: options.method ?? 'POST',
    path,
    resource: path,
    headers: options.headers ?? {},
    multiValueHeaders: {},
    body: options.body ?? null,
    isBase64Encoded: options.isBase64Encoded ?? false,
    pathParameters: null,
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    stageVariables: null,
    requestContext: {} as APIGatewayProxyEvent['requestContext'],
  };
}

/** The three ways a request arrives: API Gateway payload 2.0 and 1.0, and a direct invoke from another Lambda. */
export const SHAPES = ['v2', 'v1', 'direct'] as const;
export type Shape = (typeof SHAPES)[number];
export const HTTP_SHAPES = ['v2', 'v1'] as const;

/** One mint request, described once and built for any of the three event shapes. */
export interface RequestSpec {
  /** The Authorization header value (HTTP) or `authorization` field (direct); absent when undefined. */
  readonly authorization?: string;
  /** A body to send as JSON; ignored when `rawBody` is set. */
  readonly body?: unknown;
  /** The body text exactly as sent; for direct invocation it is the `body` string. */
  readonly rawBody?: string;
  /** HTTP only; `null` sends no Content-Type at all. */
  readonly contentType?: string | null;
  /** HTTP only. */
  readonly isBase64Encoded?: boolean;
}

/**
 * The event a mint request arrives as, in one of the three shapes: header names as each API
 * Gateway version spells them (v2 lower-cased, v1 as the client sent them).
 */
export function eventFor(shape: Shape, spec: RequestSpec): unknown {
  const body = spec.body ?? { subject: 'svc-1' };
  if (shape === 'direct') {
    return { ...(spec.authorization === undefined ? {} : { authorization: spec.authorization }), body: spec.rawBody ?? body };
  }
  const headers: Record<string, string> = {};
  const contentType = spec.contentType === undefined ? 'application/json' : spec.contentType;
  if (contentType !== null) headers[shape === 'v1' ? 'Content-Type' : 'content-type'] = contentType;
  if (spec.authorization !== undefined) headers[shape === 'v1' ? 'Authorization' : 'authorization'] = spec.authorization;
  const options = { headers, body: spec.rawBody ?? JSON.stringify(body), isBase64Encoded: spec.isBase64Encoded ?? false };
  return shape === 'v1' ? v1Event(options) : v2Event(options);
}
