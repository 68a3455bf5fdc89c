import { importJWK, jwtVerify, type JWK } from 'jose';
import { SHAPES, v2Event } from '../helpers/events';
import {
  ACCESS_TOKEN_TYPE,
  exchangeEvent,
  exchangeFields,
  expectIssued,
  expectOAuthError,
  invokeOAuth,
  JWT_TOKEN_TYPE,
  TOKEN_PATH,
} from '../helpers/exchange';
import { testHandler } from '../helpers/handler';
import { callerTokenSignedWith, keySetSecret, privateJwk, publicHalf } from '../helpers/keys';
import { UUID_V4_PATTERN } from '../helpers/outcomes';
import { decodeJwt } from '../helpers/tokens';

// POST /oauth2/token: RFC 8693 token exchange, over API Gateway v2, v1 and a direct invoke naming the path.

const NOW_SECONDS = 1_900_000_000;
const NOW_MS = NOW_SECONDS * 1000;
const ISSUER = 'https://auth.example.com';
const ENV = { TOKEN_ISSUER: ISSUER, ALLOWED_AUDIENCES: 'mfs,billing,reports' };

let signer: JWK;
let secret: string;

beforeAll(async () => {
  signer = await privateJwk('ES256', { kid: 'es-1' });
  secret = keySetSecret(signer);
});

/** A token of ours: a caller token with these claims over the defaults (sub caller-1, aud mfs, an hour, generateJwt push query). */
const ours = (claims: Record<string, unknown> = {}) => callerTokenSignedWith(signer, { nowSeconds: NOW_SECONDS, claims });

function service(env: Record<string, string> = {}) {
  let fetches = 0;
  const running = testHandler({
    nowMs: NOW_MS,
    env: { ...ENV, ...env },
    fetchSecret: async () => {
      fetches += 1;
      return { secretString: secret, versionId: 'v1' };
    },
  });
  return { exchange: (event: unknown) => invokeOAuth(running.handler, event), fetches: () => fetches, handler: running.handler };
}

describe.each(SHAPES)('a token exchange over %s', (shape) => {
  test('issues an RFC 9068 access token for the subject, narrower than its token, verifiable with the published key', async () => {
    // Prepare
    const subject = await ours({ sub: 'user-1', scope: ['generateJwt', 'push', 'query'] });

    // Act
    const outcome = await service().exchange(exchangeEvent(shape, exchangeFields(subject, { scope: 'push', audience: 'billing' })));

    // Assess
    const token = expectIssued(outcome, shape);
    expect(outcome.body).toMatchObject({ issued_token_type: ACCESS_TOKEN_TYPE, token_type: 'Bearer', expires_in: 3600, scope: 'push' });
    const { payload, protectedHeader } = await jwtVerify(token, await importJWK(publicHalf(signer), 'ES256'), {
      typ: 'at+jwt',
      issuer: ISSUER,
      audience: 'billing',
      currentDate: new Date(NOW_MS),
    });
    expect(protectedHeader).toEqual({ alg: 'ES256', typ: 'at+jwt', kid: 'es-1' });
    expect(payload).toEqual({
      iss: ISSUER,
      exp: NOW_SECONDS + 3600,
      aud: 'billing',
      sub: 'user-1',
      client_id: 'user-1',
      iat: NOW_SECONDS,
      jti: expect.stringMatching(UUID_V4_PATTERN),
      scope: 'push',
    });
  });

  test('issues a delegated token to an actor the subject token is addressed to: act names it, client_id is it', async () => {
    // Prepare: a user's token addressed to the orders service, which exchanges it with its own token.
    const subject = await ours({ sub: 'user-1', aud: 'svc-orders', scope: 'push query' });
    const actor = await ours({ sub: 'svc-orders', scope: [], act: { sub: 'ops-admin' } });

    // Act
    const outcome = await service().exchange(
      exchangeEvent(shape, exchangeFields(subject, { actor_token: actor, actor_token_type: JWT_TOKEN_TYPE, audience: ['reports', 'billing'] })),
    );

    // Assess
    expect(decodeJwt(expectIssued(outcome, shape)).payload).toMatchObject({
      sub: 'user-1',
      aud: ['reports', 'billing'],
      client_id: 'svc-orders',
      scope: 'push query',
      act: { sub: 'svc-orders', act: { sub: 'ops-admin' } },
    });
  });

  test('answers with the token type asked for', async () => {
    // Act
    const outcome = await service().exchange(exchangeEvent(shape, exchangeFields(await ours(), { requested_token_type: JWT_TOKEN_TYPE })));

    // Assess
    expectIssued(outcome, shape);
    expect(outcome.body.issued_token_type).toBe(JWT_TOKEN_TYPE);
  });

  // Every error row of RFC 6749 §5.2 and RFC 8693 §2.2.2 this endpoint can answer. (unauthorized_client
  // needs an authenticated client; this endpoint has none to authorise: see docs/contract.md.)
  describe('the error rows', () => {
    test('invalid_request: a parameter is missing', async () => {
      expectOAuthError(await service().exchange(exchangeEvent(shape, { grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange' })), shape, { status: 400, error: 'invalid_request' });
    });

    test('invalid_request: a parameter is repeated', async () => {
      const subject = await ours();
      const outcome = await service().exchange(exchangeEvent(shape, exchangeFields(subject, { subject_token: [subject, subject] })));
      expectOAuthError(outcome, shape, { status: 400, error: 'invalid_request' }, [subject]);
    });

    test('invalid_request: a subject token type this endpoint does not serve', async () => {
      const subject = await ours();
      const outcome = await service().exchange(exchangeEvent(shape, exchangeFields(subject, { subject_token_type: 'urn:ietf:params:oauth:token-type:id_token' })));
      expectOAuthError(outcome, shape, { status: 400, error: 'invalid_request' }, [subject]);
    });

    test('invalid_client: client credentials this endpoint does not take', async () => {
      const subject = await ours();
      const outcome = await service().exchange(exchangeEvent(shape, exchangeFields(subject, { client_id: 'app', client_secret: 'app-secret-0123456789' })));
      expectOAuthError(outcome, shape, { status: 401, error: 'invalid_client' }, [subject, 'app-secret-0123456789']);
    });

    test('invalid_grant: a subject token that does not verify', async () => {
      const forged = await callerTokenSignedWith(await privateJwk('ES256', { kid: 'es-1' }), { nowSeconds: NOW_SECONDS });
      const outcome = await service().exchange(exchangeEvent(shape, exchangeFields(forged)));
      expectOAuthError(outcome, shape, { status: 400, error: 'invalid_grant' }, [forged]);
    });

    test('invalid_grant: an expired subject token', async () => {
      const expired = await ours({ exp: NOW_SECONDS - 60 });
      expectOAuthError(await service().exchange(exchangeEvent(shape, exchangeFields(expired))), shape, { status: 400, error: 'invalid_grant' }, [expired]);
    });

    test('invalid_grant: an actor token not addressed to this service', async () => {
      const subject = await ours({ aud: 'svc-orders' });
      const actor = await ours({ sub: 'svc-orders', aud: 'svc-orders' });
      const outcome = await service().exchange(exchangeEvent(shape, exchangeFields(subject, { actor_token: actor, actor_token_type: ACCESS_TOKEN_TYPE })));
      expectOAuthError(outcome, shape, { status: 400, error: 'invalid_grant' }, [subject, actor]);
    });

    test('invalid_grant: a token addressed to another service, exchanged by whoever holds it', async () => {
      const stolen = await ours({ aud: 'svc-orders' });
      expectOAuthError(await service().exchange(exchangeEvent(shape, exchangeFields(stolen))), shape, { status: 400, error: 'invalid_grant' }, [stolen]);
    });

    test('unsupported_grant_type', async () => {
      const outcome = await service().exchange(exchangeEvent(shape, { grant_type: 'client_credentials', client_id: 'x' }));
      expectOAuthError(outcome, shape, { status: 400, error: 'unsupported_grant_type' });
    });

    test('invalid_scope: a scope beyond the subject token\'s', async () => {
      const subject = await ours();
      const outcome = await service().exchange(exchangeEvent(shape, exchangeFields(subject, { scope: 'push admin' })));
      expectOAuthError(outcome, shape, { status: 400, error: 'invalid_scope' }, [subject]);
    });

    test('invalid_target: an audience outside ALLOWED_AUDIENCES', async () => {
      const subject = await ours();
      const outcome = await service().exchange(exchangeEvent(shape, exchangeFields(subject, { audience: 'payments' })));
      expectOAuthError(outcome, shape, { status: 400, error: 'invalid_target' }, [subject]);
    });

    test('invalid_target: a resource outside ALLOWED_AUDIENCES', async () => {
      const subject = await ours();
      const outcome = await service().exchange(exchangeEvent(shape, exchangeFields(subject, { resource: 'https://payments.example.com' })));
      expectOAuthError(outcome, shape, { status: 400, error: 'invalid_target' }, [subject]);
    });
  });
});

describe('POST /oauth2/token over HTTP', () => {
  test('refuses an Authorization header with 401 invalid_client and no challenge', async () => {
    // Prepare
    const subject = await ours();

    // Act
    const outcome = await service().exchange(exchangeEvent('v2', exchangeFields(subject), { headers: { authorization: `Bearer ${subject}` } }));

    // Assess
    expectOAuthError(outcome, 'v2', { status: 401, error: 'invalid_client' }, [subject]);
  });

  test('answers 404 in the OAuth format without TOKEN_ISSUER, before any key fetch', async () => {
    // Prepare
    const unconfigured = service({ TOKEN_ISSUER: '' });

    // Act
    const outcome = await unconfigured.exchange(exchangeEvent('v2', exchangeFields(await ours())));

    // Assess
    expectOAuthError(outcome, 'v2', { status: 404, error: 'invalid_request' });
    expect(unconfigured.fetches()).toBe(0);
  });

  test('answers GET with 405 in the OAuth format', async () => {
    // Act
    const outcome = await service().exchange(v2Event({ method: 'GET', path: TOKEN_PATH }));

    // Assess
    expectOAuthError(outcome, 'v2', { status: 405, error: 'invalid_request' });
  });

  test('answers 503 temporarily_unavailable with Retry-After when Secrets Manager is down, never its detail', async () => {
    // Prepare
    const down = testHandler({
      nowMs: NOW_MS,
      env: ENV,
      fetchSecret: async () => {
        throw Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:443 arn:aws:secretsmanager:prod'), { code: 'ECONNREFUSED' });
      },
    });

    // Act
    const outcome = await invokeOAuth(down.handler, exchangeEvent('v2', exchangeFields(await ours())));

    // Assess
    expectOAuthError(outcome, 'v2', { status: 503, error: 'temporarily_unavailable' }, ['ECONNREFUSED', 'arn:aws']);
    expect(outcome.headers['Retry-After']).toMatch(/^\d+$/);
  });

  test('refuses a subject and an actor token that cannot be ours before fetching the key', async () => {
    // Prepare
    const running = service();

    // Act
    const junkSubject = await running.exchange(exchangeEvent('v2', exchangeFields('not-a-token')));
    const junkActor = await running.exchange(exchangeEvent('v2', exchangeFields(await ours(), { actor_token: 'x.y', actor_token_type: ACCESS_TOKEN_TYPE })));

    // Assess
    expectOAuthError(junkSubject, 'v2', { status: 400, error: 'invalid_grant' });
    expectOAuthError(junkActor, 'v2', { status: 400, error: 'invalid_grant' });
    expect(running.fetches()).toBe(0);
  });

  test('never passes the right to mint on unless asked for by name', async () => {
    // Prepare
    const subject = await ours({ scope: ['generateJwt', 'push'] });

    // Act
    const unnamed = await service().exchange(exchangeEvent('v2', exchangeFields(subject)));
    const named = await service().exchange(exchangeEvent('v2', exchangeFields(subject, { scope: 'generateJwt' })));

    // Assess
    expect(unnamed.body.scope).toBe('push');
    expect(named.body.scope).toBe('generateJwt');
  });

  test('an exchanged token that holds the right to mint mints on the original route, and records its chain', async () => {
    // Prepare
    const running = service();
    const exchanged = await running.exchange(exchangeEvent('v2', exchangeFields(await ours({ sub: 'ops-admin' }), { scope: 'generateJwt push' })));

    // Act
    const minted = await running.handler(
      v2Event({ headers: { authorization: `Bearer ${exchanged.body.access_token}`, 'content-type': 'application/json' }, body: '{"subject":"svc-1"}' }) as never,
      {} as never,
    );

    // Assess
    const envelope = JSON.parse((minted as { body: string }).body) as { data: string };
    expect(decodeJwt(envelope.data).payload).toMatchObject({ sub: 'svc-1', scope: ['push'], act: { sub: 'ops-admin' } });
  });
});
