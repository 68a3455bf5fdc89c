/**
 * In front of serverless-offline, what API Gateway's HTTP API does with a header sent more than
 * once: it joins the values with a comma. serverless-offline keeps only the last, so without this
 * a local run would resolve two Authorization headers by order, where the deployed function
 * refuses them (docs/security.md, finding 3).
 */
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';

/** A request's headers with each name once: the values of a repeated name joined by commas, as API Gateway joins them. */
export function joinedHeaders(rawHeaders: readonly string[]): IncomingHttpHeaders {
  const headers: Record<string, string> = {};
  for (let index = 0; index + 1 < rawHeaders.length; index += 2) {
    const name = (rawHeaders[index] as string).toLowerCase();
    const value = rawHeaders[index + 1] as string;
    headers[name] = headers[name] === undefined ? value : `${headers[name]},${value}`;
  }
  return headers;
}

/** Listens on `port` and passes every request on to `target` on this machine, its repeated headers joined. */
export function startHeaderJoiningProxy(options: { readonly port: number; readonly target: number }): Promise<{ close(): Promise<void> }> {
  const server: Server = createServer((incoming, outgoing) => {
    const upstream = request(
      { host: '127.0.0.1', port: options.target, method: incoming.method, path: incoming.url, headers: joinedHeaders(incoming.rawHeaders) },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    upstream.once('error', () => {
      if (!outgoing.headersSent) outgoing.writeHead(502, { 'content-type': 'text/plain' });
      outgoing.end('serverless-offline did not answer');
    });
    incoming.pipe(upstream);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, () => {
      server.off('error', reject);
      resolve({
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
