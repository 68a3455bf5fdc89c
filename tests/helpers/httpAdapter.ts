import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fakeContext } from './events';

/** A handler served over real HTTP, at `origin`. */
export interface ServedHandler {
  readonly origin: string;
  close(): Promise<void>;
}

/**
 * Serves a handler over node:http, each request turned into the API Gateway HTTP API (payload 2.0)
 * event API Gateway would send for its `$default` route, and each proxy result into the response:
 * what a verifier fetches from, without serverless-offline. `handlerFor` gets the origin first, for
 * a TOKEN_ISSUER that names it.
 */
export async function serveOverHttp(
  handlerFor: (origin: string) => (event: never, context: never) => Promise<unknown>,
): Promise<ServedHandler> {
  // Set once the origin is known, before the first request can arrive.
  const serving: { handler?: (event: never, context: never) => Promise<unknown> } = {};
  const server = createServer((request, response) => {
    void (async () => {
      const event = await eventOf(request);
      const result = (await serving.handler?.(event as never, fakeContext() as never)) as { statusCode: number; headers: Record<string, string>; body: string };
      response.writeHead(result.statusCode, result.headers);
      response.end(result.body);
    })().catch((error: unknown) => {
      response.writeHead(502);
      response.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  serving.handler = handlerFor(origin);
  return {
    origin,
    close: () => new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

async function eventOf(request: IncomingMessage) {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks).toString('utf8');
  const url = new URL(request.url ?? '/', 'http://localhost');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) if (value !== undefined) headers[name] = [value].flat().join(',');
  const method = request.method ?? 'GET';
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    ...(body === '' ? {} : { body }),
    isBase64Encoded: false,
    requestContext: { http: { method, path: url.pathname, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: headers['user-agent'] ?? '' }, requestId: 'adapter', stage: '$default' },
  };
}
