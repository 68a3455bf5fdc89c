import type { Envelope } from '../../lib/http/envelope';
import type { FetchedSecret } from '../../lib/keys/keyCache';
import { createRuntime } from '../../lib/runtime';
import { createHandler } from '../../handlers/generateJwt';
import { fakeContext } from './events';
import { TEST_SECRET } from './tokens';

/** A handler over the real middy chain, with a frozen clock and an in-memory secret. */
export function testHandler(options: {
  nowMs: number;
  secret?: string;
  env?: Record<string, string>;
  fetchSecret?: () => Promise<FetchedSecret>;
}) {
  let nowMs = options.nowMs;
  const runtime = createRuntime(
    { SIGNING_SECRET_ID: 'test/signing-secret', ...options.env },
    {
      now: () => nowMs,
      fetchSecret:
        options.fetchSecret ??
        (async () => ({ secretString: options.secret ?? TEST_SECRET, versionId: 'v1' })),
    },
  );
  const handler = createHandler(runtime);
  return {
    handler,
    setNow(ms: number) {
      nowMs = ms;
    },
    invoke: (event: unknown, requestId?: string) => invoke(handler, event, requestId),
  };
}

export interface Outcome {
  status: number;
  headers: Record<string, string>;
  envelope: Envelope;
  /** The response as the caller receives it: the HTTP body, or the direct-invoke envelope as JSON. */
  raw: string;
}

/** Invokes a handler and reads its result the same way for HTTP and direct events. */
export async function invoke(
  handler: (event: never, context: never) => Promise<unknown>,
  event: unknown,
  requestId = 'req-test-1',
): Promise<Outcome> {
  const result = (await handler(event as never, fakeContext(requestId) as never)) as Record<string, unknown>;
  if (typeof result.statusCode === 'number') {
    const raw = String(result.body);
    return { status: result.statusCode, headers: result.headers as Record<string, string>, envelope: JSON.parse(raw), raw };
  }
  const envelope = result as unknown as Envelope;
  return { status: envelope.code, headers: {}, envelope, raw: JSON.stringify(envelope) };
}
