import { importJWK, SignJWT, type JWK } from 'jose';
import { logger } from '../../lib/log';
import { NOW_MS, NOW_SECONDS } from '../helpers/defaults';
import { SHAPES, type Shape } from '../helpers/events';
import {
  ACCESS_TOKEN_TYPE,
  exchangeEvent,
  exchangeFields,
  expectIssued,
  expectOAuthError,
  invokeOAuth,
  JWT_TOKEN_TYPE,
  TOKEN_EXCHANGE,
  type Fields,
} from '../helpers/exchange';
import { testHandler } from '../helpers/handler';
import { callerTokenSignedWith, keySetSecret, privateJwk, privateValues, publicHalf } from '../helpers/keys';
import { b64url, craftToken, decodeJwt } from '../helpers/tokens';

// Hostile requests to POST /oauth2/token, over API Gateway v2, v1 and a direct invoke: each is
// refused with RFC 6749 §5.2's error JSON, its status, no-store and no-cache, no token in the
// answer and nothing secret or sent echoed back; for each refusal a control with the unaltered
// request is issued a token.

const ISSUER = 'https://auth.example.com';
const ENV = { TOKEN_ISSUER: ISSUER, ALLOWED_AUDIENCES: 'mfs,billing', MAX_DELEGATION_DEPTH: '2' };

let signer: JWK;
let secret: string;
let service: ReturnType<typeof testHandler>;
/** Everything that must never come back: the private key members, and every token a test sent. */
let confidential: string[];

beforeAll(async () => {
  signer = await privateJwk('RS256', { kid: 'rsa-1' });
  secret = keySetSecret(signer);
  service = testHandler({ nowMs: NOW_MS, secret, env: ENV });
  confidential = privateValues(signer);
});

const ours = (claims: Record<string, unknown> = {}) => callerTokenSignedWith(signer, { nowSeconds: NOW_SECONDS, claims });
const exchange = (event: unknown) => invokeOAuth(service.handler, event);

async function refused(shape: Shape, fields: Fields, expected: { status: number; error: string }, sent: readonly string[] = [], options?: Parameters<typeof exchangeEvent>[2]) {
  const outcome = await exchange(exchangeEvent(shape, fields, options));
  expectOAuthError(outcome, shape, expected, [...confidential, ...sent]);
}

describe.each(SHAPES)('hostile token exchanges over %s', (shape) => {
  test('the control: an unaltered request is issued a token', async () => {
    expectIssued(await exchange(exchangeEvent(shape, exchangeFields(await ours()))), shape);
  });

  describe('duplicated parameters (RFC 6749 §3.2)', () => {
    test.each(['grant_type', 'subject_token', 'subject_token_type', 'scope', 'requested_token_type', 'actor_token', 'actor_token_type', 'client_id'])(
      '%s sent twice is 400 invalid_request, never resolved by order',
      async (name) => {
        const subject = await ours();
        const actor = await ours({ sub: 'svc-a' });
        const fields = exchangeFields(subject, { actor_token: actor, actor_token_type: JWT_TOKEN_TYPE, scope: 'push', requested_token_type: JWT_TOKEN_TYPE, client_id: 'c' });
        await refused(shape, { ...fields, [name]: [String(fields[name]), String(fields[name])] }, { status: 400, error: 'invalid_request' }, [subject, actor]);
      },
    );

    test('a second subject_token, someone else\'s, is refused rather than either being used', async () => {
      const mine = await ours({ sub: 'user-1', scope: 'push' });
      const theirs = await ours({ sub: 'admin', scope: 'generateJwt push query' });
      await refused(shape, exchangeFields(mine, { subject_token: [mine, theirs] }), { status: 400, error: 'invalid_request' }, [mine, theirs]);
    });
  });

  test('a body over 16 KiB is 413 invalid_request', async () => {
    const subject = await ours();
    await refused(shape, exchangeFields(subject, { padding: 'x'.repeat(16 * 1024) }), { status: 413, error: 'invalid_request' }, [subject]);
  });

  test.each([
    'password',
    'client_credentials',
    'authorization_code',
    'refresh_token',
    'urn:ietf:params:oauth:grant-type:jwt-bearer',
    `${TOKEN_EXCHANGE} `,
    TOKEN_EXCHANGE.toUpperCase(),
    'urn:ietf:params:oauth:grant-type:token-exchange\u0000',
  ])('the grant type %p is 400 unsupported_grant_type', async (grantType) => {
    const subject = await ours();
    await refused(shape, exchangeFields(subject, { grant_type: grantType }), { status: 400, error: 'unsupported_grant_type' }, [subject]);
  });

  describe('tokens that are not ours', () => {
    const notOurs: Array<[string, () => Promise<string>]> = [
      ['signed by another RSA key under our kid', async () => callerTokenSignedWith(await privateJwk('RS256', { kid: 'rsa-1' }), { nowSeconds: NOW_SECONDS })],
      ['alg none', async () => `${b64url(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${b64url(JSON.stringify({ sub: 'admin', aud: 'mfs', exp: NOW_SECONDS + 60 }))}.`],
      [
        'HS256 keyed with our published public key (algorithm confusion)',
        async () => craftToken(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid: 'rsa-1' }), JSON.stringify({ sub: 'admin', aud: 'mfs', exp: NOW_SECONDS + 60 }), { secret: JSON.stringify(publicHalf(signer)) }),
      ],
      [
        'signed by the attacker\'s key, embedded as jwk',
        async () => {
          const attacker = await privateJwk('RS256', { kid: 'rsa-1' });
          const { kty, n, e } = publicHalf(attacker);
          return new SignJWT({ sub: 'admin', aud: 'mfs', exp: NOW_SECONDS + 60 })
            .setProtectedHeader({ alg: 'RS256', kid: 'rsa-1', jwk: { kty: String(kty), n: String(n), e: String(e) } })
            .sign(await importJWK(attacker, 'RS256'));
        },
      ],
      ['naming a kid we do not know', async () => callerTokenSignedWith(await privateJwk('RS256', { kid: 'rsa-9' }), { nowSeconds: NOW_SECONDS })],
      ['expired', async () => ours({ exp: NOW_SECONDS - 31 })],
      ['truncated', async () => (await ours()).slice(0, -4)],
      ['not a JWT at all', async () => 'opaque-access-token-0123456789'],
    ];

    test.each(notOurs)('a subject token %s is 400 invalid_grant', async (_case, make) => {
      const token = await make();
      await refused(shape, exchangeFields(token), { status: 400, error: 'invalid_grant' }, [token]);
    });

    test.each(notOurs)('an actor token %s is 400 invalid_grant', async (_case, make) => {
      const subject = await ours({ aud: 'svc-orders' });
      const actor = await make();
      await refused(shape, exchangeFields(subject, { actor_token: actor, actor_token_type: ACCESS_TOKEN_TYPE }), { status: 400, error: 'invalid_grant' }, [subject, actor]);
    });
  });

  describe('a token stolen from a downstream service, re-targeted', () => {
    test('by whoever holds it, alone: 400 invalid_grant', async () => {
      const stolen = await ours({ sub: 'user-1', aud: 'svc-orders', scope: 'push' });
      await refused(shape, exchangeFields(stolen, { audience: 'billing' }), { status: 400, error: 'invalid_grant' }, [stolen]);
    });

    test('by another service with its own genuine token as actor: 400 invalid_grant', async () => {
      const stolen = await ours({ sub: 'user-1', aud: 'svc-orders', scope: 'push' });
      const thief = await ours({ sub: 'svc-thief' });
      await refused(shape, exchangeFields(stolen, { actor_token: thief, actor_token_type: ACCESS_TOKEN_TYPE, audience: 'billing' }), { status: 400, error: 'invalid_grant' }, [stolen, thief]);
    });

    test('by a thief whose actor token names the service the token is addressed to, but is not for us: 400 invalid_grant', async () => {
      const stolen = await ours({ sub: 'user-1', aud: 'svc-orders' });
      const replayed = await ours({ sub: 'svc-orders', aud: 'svc-orders' });
      await refused(shape, exchangeFields(stolen, { actor_token: replayed, actor_token_type: ACCESS_TOKEN_TYPE }), { status: 400, error: 'invalid_grant' }, [stolen, replayed]);
    });

    test('the control: the service it is addressed to exchanges it with its own token', async () => {
      const subject = await ours({ sub: 'user-1', aud: 'svc-orders', scope: 'push' });
      const service = await ours({ sub: 'svc-orders' });
      const outcome = await exchange(exchangeEvent(shape, exchangeFields(subject, { actor_token: service, actor_token_type: ACCESS_TOKEN_TYPE, audience: 'billing' })));
      expect(decodeJwt(expectIssued(outcome, shape)).payload).toMatchObject({ sub: 'user-1', aud: 'billing', act: { sub: 'svc-orders' } });
    });
  });

  test.each([
    ['a scope the subject token lacks', 'push admin'],
    ['the right to mint it lacks', 'generateJwt'],
    ['a scope in another case', 'Push'],
    ['a wildcard', '*'],
  ])('%s is 400 invalid_scope', async (_case, scope) => {
    const subject = await ours({ scope: 'push query' });
    await refused(shape, exchangeFields(subject, { scope }), { status: 400, error: 'invalid_scope' }, [subject]);
  });

  test.each([
    ['an audience not allowed', { audience: 'payments' }],
    ['an allowed audience in another case', { audience: 'MFS' }],
    ['one allowed audience and one not', { audience: ['mfs', 'payments'] }],
    ['a resource not allowed', { resource: 'https://payments.example.com/' }],
  ])('%s is 400 invalid_target', async (_case, extra) => {
    const subject = await ours();
    await refused(shape, exchangeFields(subject, extra), { status: 400, error: 'invalid_target' }, [subject]);
  });

  test('an audience that is the subject token itself is 400 invalid_request, the token not echoed', async () => {
    const subject = await ours();
    await refused(shape, exchangeFields(subject, { audience: subject }), { status: 400, error: 'invalid_request' }, [subject]);
  });

  test('an actor whose chain is already MAX_DELEGATION_DEPTH long is 400 invalid_grant', async () => {
    const subject = await ours({ aud: 'svc-orders' });
    const deep = await ours({ sub: 'svc-orders', act: { sub: 'svc-b', act: { sub: 'ops-admin' } } });
    await refused(shape, exchangeFields(subject, { actor_token: deep, actor_token_type: ACCESS_TOKEN_TYPE }), { status: 400, error: 'invalid_grant' }, [subject, deep]);
  });

  test('a subject token whose chain is past MAX_DELEGATION_DEPTH is 400 invalid_grant: an exchange does not shorten it', async () => {
    const deep = await ours({ act: { sub: 'a', act: { sub: 'b', act: { sub: 'c' } } } });
    await refused(shape, exchangeFields(deep), { status: 400, error: 'invalid_grant' }, [deep]);
  });

  test('client credentials are 401 invalid_client, the secret not echoed', async () => {
    const subject = await ours();
    await refused(shape, exchangeFields(subject, { client_id: 'app', client_secret: 'client-secret-value-0123456789' }), { status: 401, error: 'invalid_client' }, [subject, 'client-secret-value-0123456789']);
  });
});

describe.each(['v2', 'v1'] as const)('hostile framing over %s', (shape) => {
  test.each([
    ['JSON', 'application/json'],
    ['text', 'text/plain'],
    ['multipart', 'multipart/form-data; boundary=x'],
    ['a form-like type', 'application/x-www-form-urlencodedx'],
    ['none', null],
  ])('a body sent as %s is 415 invalid_request', async (_case, contentType) => {
    const subject = await ours();
    await refused(shape, exchangeFields(subject), { status: 415, error: 'invalid_request' }, [subject], { contentType });
  });

  test('a JSON body with a form Content-Type is 400 invalid_request, never read as JSON', async () => {
    const subject = await ours();
    await refused(shape, {}, { status: 400, error: 'invalid_request' }, [subject], { rawBody: JSON.stringify(exchangeFields(subject)) });
  });

  test('a base64 body decoding past 16 KiB is 413 invalid_request', async () => {
    const subject = await ours();
    const rawBody = Buffer.from(`${new URLSearchParams(exchangeFields(subject) as Record<string, string>).toString()}&p=${'x'.repeat(16 * 1024)}`).toString('base64');
    await refused(shape, {}, { status: 413, error: 'invalid_request' }, [subject], { rawBody, isBase64Encoded: true });
  });

  test('the subject token in an Authorization header as well is 401 invalid_client, with no challenge', async () => {
    const subject = await ours();
    await refused(shape, exchangeFields(subject), { status: 401, error: 'invalid_client' }, [subject], { headers: { [shape === 'v1' ? 'Authorization' : 'authorization']: `Bearer ${subject}` } });
  });
});

describe('the audit trail of the token endpoint', () => {
  let lines: Array<{ level: string; message: string; record: Record<string, unknown> }>;

  beforeEach(() => {
    lines = [];
    for (const level of ['info', 'warn'] as const) {
      jest.spyOn(logger, level).mockImplementation(((message: string, record: Record<string, unknown>) => {
        lines.push({ level, message, record });
      }) as never);
    }
  });

  afterEach(() => jest.restoreAllMocks());

  test('an issued token is audited like a mint: issued, the grant, who asked, for whom, and what was issued; never a token', async () => {
    // Prepare
    const subject = await ours({ sub: 'user-1', aud: 'svc-orders', scope: 'push query' });
    const actor = await ours({ sub: 'svc-orders' });

    // Act
    await exchange(exchangeEvent('v2', exchangeFields(subject, { actor_token: actor, actor_token_type: ACCESS_TOKEN_TYPE, scope: 'push' })));

    // Assess
    const audits = lines.filter((line) => line.message === 'issued' || line.message === 'denied');
    expect(audits).toEqual([
      {
        level: 'info',
        message: 'issued',
        record: {
          audit: 'issued',
          status: 200,
          grant: 'token-exchange',
          callerSub: 'svc-orders',
          subject: 'user-1',
          aud: 'mfs',
          scope: ['push'],
          jti: expect.any(String),
          exp: NOW_SECONDS + 3600,
          act: { sub: 'svc-orders' },
        },
      },
    ]);
    expect(JSON.stringify(lines)).not.toContain(subject.split('.')[2]);
  });

  test.each([
    ['a stolen token', async () => exchangeFields(await ours({ aud: 'svc-orders' })), 'EXCHANGE_NOT_ALLOWED', { callerSub: 'caller-1', subject: 'caller-1' }],
    ['scope escalation', async () => exchangeFields(await ours(), { scope: 'admin' }), 'SCOPE_ESCALATION', { scope: ['admin'] }],
    ['a forged subject token', async () => exchangeFields(await callerTokenSignedWith(await privateJwk('RS256', { kid: 'rsa-1' }), { nowSeconds: NOW_SECONDS })), 'INVALID_TOKEN', {}],
    ['an unsupported grant type', async () => ({ grant_type: 'password' }), 'UNSUPPORTED_GRANT_TYPE', {}],
  ])('a refusal (%s) is audited as denied, with its stable reason and the status answered', async (_case, fields, reason, facts) => {
    // Act
    const outcome = await exchange(exchangeEvent('v2', await fields()));

    // Assess
    const denied = lines.filter((line) => line.message === 'denied');
    expect(denied).toEqual([{ level: 'warn', message: 'denied', record: expect.objectContaining({ audit: 'denied', reason, status: outcome.status, ...facts }) }]);
    expect(denied[0]?.record).not.toHaveProperty('jti');
  });
});
