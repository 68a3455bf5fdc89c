/**
 * Interop: the verifiers people use, each fetching the keys from the service's JWKS with its own
 * machinery, against every token the service issues (the original route in each TOKEN_FORMAT, and
 * the token endpoint) for every algorithm a key set may hold. The service is the real handler over
 * real HTTP (tests/helpers/httpAdapter.ts), one per algorithm and format, so every cell runs in a
 * few seconds; tests/integration/oauthClients.test.ts runs the same verifiers over the local stack.
 */
import { createHandler } from '../../handlers/generateJwt';
import type { SigningAlg } from '../../lib/keys/jwk';
import { createRuntime } from '../../lib/runtime';
import { exchangeFields, formText } from '../helpers/exchange';
import { serveOverHttp, type ServedHandler } from '../helpers/httpAdapter';
import { ALL_ALGS, callerTokenSignedWith, keySetSecret, privateJwk } from '../helpers/keys';
import { expectedVerdict, TOKEN_KINDS, VERIFIER_NAMES, type TokenKind } from '../helpers/verifierMatrix';
import { VERIFIERS } from '../helpers/verifiers';

const AUDIENCE = 'mfs';
const served: ServedHandler[] = [];
const issued = new Map<string, { token: string; issuer: string }>();

async function serve(secret: string, env: Record<string, string>): Promise<string> {
  const server = await serveOverHttp((origin) =>
    createHandler(createRuntime({ SIGNING_SECRET_ID: 'interop/secret', TOKEN_ISSUER: origin, ...env }, { fetchSecret: async () => ({ secretString: secret, versionId: 'v1' }) })),
  );
  served.push(server);
  return server.origin;
}

async function post(url: string, init: { headers: Record<string, string>; body: string }): Promise<Record<string, unknown>> {
  const response = await fetch(url, { method: 'POST', ...init });
  const body = (await response.json()) as Record<string, unknown>;
  if (response.status !== 200) throw new Error(`${url}: ${response.status} ${JSON.stringify(body)}`);
  return body;
}

beforeAll(async () => {
  for (const alg of ALL_ALGS) {
    const jwk = await privateJwk(alg);
    const secret = keySetSecret(jwk);
    const seed = await serve(secret, {});
    const rfc9068 = await serve(secret, { TOKEN_FORMAT: 'rfc9068' });
    const caller = await callerTokenSignedWith(jwk, { nowSeconds: Math.floor(Date.now() / 1000) });
    const mint = (origin: string) =>
      post(`${origin}/user/generateJwt`, { headers: { authorization: `Bearer ${caller}`, 'content-type': 'application/json' }, body: JSON.stringify({ subject: 'svc-1', authorities: ['push'] }) });
    const exchanged = await post(`${seed}/oauth2/token`, { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: formText(exchangeFields(caller, { scope: 'push' })) });
    issued.set(`seed ${alg}`, { token: (await mint(seed)).data as string, issuer: seed });
    issued.set(`rfc9068 ${alg}`, { token: (await mint(rfc9068)).data as string, issuer: rfc9068 });
    issued.set(`exchanged ${alg}`, { token: exchanged.access_token as string, issuer: seed });
  }
}, 60_000);

afterAll(async () => {
  await Promise.all(served.map((server) => server.close()));
});

const CELLS = VERIFIER_NAMES.flatMap((verifier) => TOKEN_KINDS.flatMap((kind) => ALL_ALGS.map((alg) => ({ verifier, kind, alg }))));

test.each(CELLS)('$verifier and a $kind token signed with $alg', async ({ verifier, kind, alg }: { verifier: (typeof VERIFIER_NAMES)[number]; kind: TokenKind; alg: SigningAlg }) => {
  // Prepare
  const { token, issuer } = issued.get(`${kind} ${alg}`) as { token: string; issuer: string };
  const expected = expectedVerdict(verifier, kind, alg);

  // Act
  const verification = VERIFIERS[verifier]({ token, issuer, audience: AUDIENCE, alg });

  // Assess
  if (expected.accepts) await expect(verification).resolves.toMatchObject({});
  else await expect(verification).rejects.toThrow(expected.error);
});

test('every token issued is the format its route promises', () => {
  for (const alg of ALL_ALGS) {
    const header = (kind: TokenKind) => JSON.parse(Buffer.from(String(issued.get(`${kind} ${alg}`)?.token.split('.')[0]), 'base64url').toString('utf8'));
    expect(header('seed').typ).toBe('JWT');
    expect(header('rfc9068').typ).toBe('at+jwt');
    expect(header('exchanged').typ).toBe('at+jwt');
  }
});
