import type { createHandler as CreateHandler } from '../../handlers/generateJwt';
import type { createRuntime as CreateRuntime } from '../../lib/runtime';
import { NOW_MS, NOW_SECONDS } from '../helpers/defaults';
import { eventFor, SHAPES } from '../helpers/events';
import { logLines } from '../helpers/logs';
import { invoke } from '../helpers/handler';
import { expectRefused } from '../helpers/outcomes';
import { callerToken, TEST_SECRET } from '../helpers/tokens';

// Finding 4 (low) of the adversarial review: JSON.stringify leaves U+0085, U+2028, U+2029, the C1
// controls and the bidi controls unescaped, so a request could split a log line for a
// Unicode-aware reader, or reverse text in a viewer; and an unauthenticated request could put about
// 16 KB of its own text into each "denied" line. The logger reads its level when first loaded, and
// tests/setupEnv.ts silences it: the handler is loaded in beforeAll with INFO set.

/** Characters of the Unicode categories Cc, Cf, Zl and Zp, as a log line must never hold them raw. */
const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;
const HOSTILE = ['\u2028', '\u2029', '\u0085', '\u009b', '\u202e', '\u2066', '\u200b', '\ufeff', '\u0007', '\n'];

let createHandler: typeof CreateHandler;
let createRuntime: typeof CreateRuntime;
const written: string[] = [];
const spies: jest.SpyInstance[] = [];
const previousLevel = process.env.LOG_LEVEL;

beforeAll(async () => {
  process.env.LOG_LEVEL = 'INFO';
  const capture = (chunk: string | Uint8Array): boolean => {
    written.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  };
  spies.push(jest.spyOn(process.stdout, 'write').mockImplementation(capture), jest.spyOn(process.stderr, 'write').mockImplementation(capture));
  await jest.isolateModulesAsync(async () => {
    ({ createHandler } = await import('../../handlers/generateJwt'));
    ({ createRuntime } = await import('../../lib/runtime'));
  });
});

afterAll(() => {
  for (const spy of spies) spy.mockRestore();
  process.env.LOG_LEVEL = previousLevel;
});

function service() {
  const runtime = createRuntime(
    { SIGNING_SECRET_ID: 'test/signing-secret', ALLOWED_AUDIENCES: 'mfs' },
    { now: () => NOW_MS, fetchSecret: async () => ({ secretString: TEST_SECRET, versionId: 'v1' }) },
  );
  return createHandler(runtime);
}

/** The lines written while `run` ran, parsed. */
async function linesOf(run: () => Promise<unknown>): Promise<{ raw: string[]; parsed: Record<string, unknown>[] }> {
  const from = written.length;
  await run();
  const raw = written.slice(from).join('').split('\n').filter((line) => line.trim() !== '');
  return { raw, parsed: logLines(raw.join('\n')) };
}

describe.each(SHAPES)('request fields holding control, format or separator characters, over %s', (shape) => {
  test.each(HOSTILE.flatMap((character) => ['subject', 'audience', 'authorities'].map((field) => ({ field, character, code: character.codePointAt(0)?.toString(16) }))))(
    'refuses U+$code in $field with 400 INVALID_REQUEST',
    async ({ field, character }) => {
      // Prepare
      const value = `svc${character}1`;
      const body = { subject: 'svc-1', [field]: field === 'subject' ? value : [value] };

      // Act
      const outcome = await invoke(service(), eventFor(shape, { authorization: `Bearer ${await callerToken({ nowSeconds: NOW_SECONDS })}`, body }));

      // Assess
      expectRefused(outcome, shape, { status: 400, code: 'INVALID_REQUEST' });
      expect(outcome.envelope.message).toContain(field);
    },
  );
});

test('a caller sub holding control characters reaches the audit line escaped, never raw', async () => {
  // Prepare: a genuine token whose sub was set outside the mint path (npm run token, say).
  const sub = `ops\u2028admin\u202e\u0085${'x'.repeat(400)}`;
  const token = await callerToken({ nowSeconds: NOW_SECONDS, claims: { sub } });

  // Act
  const { raw, parsed } = await linesOf(() => invoke(service(), eventFor('v2', { authorization: `Bearer ${token}`, body: { subject: 'svc-1' } })));

  // Assess
  const issued = parsed.find((line) => line.audit === 'issued');
  expect(issued?.callerSub).toEqual(expect.stringMatching(/^ops\\u2028admin\\u202e\\u0085x+…\(\+\d+ characters\)$/));
  expect(String(issued?.callerSub).length).toBeLessThanOrEqual(300);
  for (const line of raw) expect(line).not.toMatch(UNSAFE);
});

test('a "denied" line of an unauthenticated request with the largest body allowed stays under 4 KB', async () => {
  // Prepare: 16 KiB of the request's own text, as many long audiences and authorities as fit.
  const long = (prefix: string, index: number) => `${prefix}${index}-${'z'.repeat(240)}`;
  const body = {
    subject: 's'.repeat(256),
    audience: Array.from({ length: 30 }, (_, index) => long('aud', index)),
    authorities: Array.from({ length: 30 }, (_, index) => long('scope', index)),
  };
  expect(JSON.stringify(body).length).toBeGreaterThan(15_000);

  // Act
  const { raw, parsed } = await linesOf(() => invoke(service(), eventFor('v2', { authorization: 'Bearer x', body })));

  // Assess
  const denied = raw[parsed.findIndex((line) => line.audit === 'denied')] as string;
  expect(parsed.find((line) => line.audit === 'denied')).toMatchObject({ reason: 'INVALID_TOKEN', subject: 's'.repeat(256) });
  expect(Buffer.byteLength(denied)).toBeLessThan(4 * 1024);
});
