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

/** The three event shapes for one request: API Gateway v2, v1, and a direct invoke from another Lambda. */
export function eventsFor(authorization: string | undefined, body: unknown) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (authorization !== undefined) headers.authorization = authorization;
  const json = JSON.stringify(body);
  return {
    v2: v2Event({ headers, body: json }),
    v1: v1Event({ headers: { 'Content-Type': 'application/json', ...(authorization === undefined ? {} : { Authorization: authorization }) }, body: json }),
    direct: { ...(authorization === undefined ? {} : { authorization }), body },
  };
}
