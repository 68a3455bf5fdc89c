import fc from 'fast-check';
import { NOW_MS, NOW_SECONDS } from '../helpers/defaults';
import { ACCESS_TOKEN_TYPE, exchangeEvent, formText, invokeOAuth, JWT_TOKEN_TYPE, TOKEN_EXCHANGE, type Fields, type OAuthOutcome } from '../helpers/exchange';
import { testHandler } from '../helpers/handler';
import { TOKEN_LIKE } from '../helpers/outcomes';
import { ATTACKER_SECRET, callerToken, decodeJwt, hmacSignatureValid, TEST_SECRET } from '../helpers/tokens';

// Property-based fuzzing of POST /oauth2/token over the three event shapes. Requests are built from
// valid and invalid pieces (the grant, the subject and actor tokens and who they are addressed to,
// their types, scope, audience and resource, repeats, client credentials, the framing); an oracle
// written here from the contract (docs/contract.md), not from lib/, gives each its exact answer:
// the OAuth error and status, or the exact claims of the token due. Properties: the handler never
// throws and never answers 5xx; a token exactly when the request is valid; every answer is RFC
// 6749 §5.1/§5.2's JSON with no-store and no-cache; nothing token-like in a refusal.
// FUZZ_RUNS scales it with the other fuzz suite (npm run fuzz); FUZZ_SEED replays a failure.

const RUNS = Math.max(1, Math.round(Number(process.env.FUZZ_RUNS ?? 12_000) / 6));
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);

const ISSUER = 'https://auth.example.com';
const ALLOWED = ['mfs', 'billing'];
const MAX_DEPTH = 2;
const MAX_TTL = 86_400;
const service = testHandler({ nowMs: NOW_MS, env: { TOKEN_ISSUER: ISSUER, ALLOWED_AUDIENCES: ALLOWED.join(','), MAX_DELEGATION_DEPTH: String(MAX_DEPTH) } });

type Shape = 'v2' | 'v1' | 'direct';
/** Who a token is addressed to, or what is wrong with it. */
type TokenKind = 'for-us' | 'for-orders' | 'may-act-orders' | 'actor-not-for-us' | 'expired' | 'foreign' | 'junk';

interface TokenModel {
  readonly kind: TokenKind;
  readonly sub: string;
  readonly scopes: readonly string[];
  /** Levels of `act` the token carries. */
  readonly depth: number;
  readonly lifetime: number;
}

interface RequestModel {
  readonly shape: Shape;
  readonly contentType: string | undefined;
  readonly grant: string | undefined;
  readonly subject: TokenModel | undefined;
  readonly subjectType: string | undefined;
  readonly actor: TokenModel | undefined;
  readonly actorType: string | undefined;
  readonly requestedType: string | undefined;
  readonly scope: string | undefined;
  readonly audience: readonly string[];
  readonly resource: readonly string[];
  readonly clientSecret: boolean;
  readonly authorization: boolean;
  readonly repeated: string | undefined;
  readonly unknown: boolean;
}

function mostly<T>(valid: fc.Arbitrary<T>, hostile: fc.Arbitrary<T>, weight = 8): fc.Arbitrary<T> {
  return fc.oneof({ weight, arbitrary: valid }, { weight: 1, arbitrary: hostile });
}

const tokenArb = (kinds: fc.Arbitrary<TokenKind>, sub: fc.Arbitrary<string>): fc.Arbitrary<TokenModel> =>
  fc.record({
    kind: kinds,
    sub,
    scopes: fc.subarray(['generateJwt', 'push', 'query']),
    depth: fc.oneof({ weight: 6, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 3 }) }),
    lifetime: fc.constantFrom(60, 3600, 2 * MAX_TTL),
  });

const TYPE = fc.constantFrom(ACCESS_TOKEN_TYPE, JWT_TOKEN_TYPE);
const HOSTILE_TYPE = fc.constantFrom<string | undefined>(undefined, 'urn:ietf:params:oauth:token-type:id_token', 'urn:ietf:params:oauth:token-type:saml2', 'access_token');

const requestArb: fc.Arbitrary<RequestModel> = fc.record({
  shape: fc.constantFrom<Shape>('v2', 'v1', 'direct'),
  contentType: mostly(fc.constantFrom('application/x-www-form-urlencoded', 'application/x-www-form-urlencoded; charset=utf-8', 'Application/X-WWW-Form-Urlencoded'), fc.constantFrom<string | undefined>(undefined, 'application/json', 'text/plain'), 20),
  grant: mostly(fc.constant(TOKEN_EXCHANGE), fc.constantFrom<string | undefined>(undefined, 'password', 'client_credentials', `${TOKEN_EXCHANGE}x`, TOKEN_EXCHANGE.toUpperCase()), 20),
  subject: mostly(
    tokenArb(
      fc.oneof(
        { weight: 8, arbitrary: fc.constant<TokenKind>('for-us') },
        { weight: 4, arbitrary: fc.constantFrom<TokenKind>('for-orders', 'may-act-orders') },
        { weight: 1, arbitrary: fc.constantFrom<TokenKind>('expired', 'foreign', 'junk') },
      ),
      fc.constantFrom('user-1', 'user-2'),
    ),
    fc.constant(undefined),
    20,
  ),
  subjectType: mostly(TYPE, HOSTILE_TYPE, 20),
  actor: fc.oneof(
    { weight: 3, arbitrary: fc.constant(undefined) },
    {
      weight: 3,
      arbitrary: tokenArb(
        fc.oneof({ weight: 6, arbitrary: fc.constant<TokenKind>('for-us') }, { weight: 1, arbitrary: fc.constantFrom<TokenKind>('actor-not-for-us', 'expired', 'foreign', 'junk') }),
        fc.oneof({ weight: 3, arbitrary: fc.constant('svc-orders') }, { weight: 1, arbitrary: fc.constant('svc-thief') }),
      ),
    },
  ),
  actorType: mostly(TYPE, HOSTILE_TYPE, 20),
  requestedType: mostly(fc.constantFrom<string | undefined>(undefined, ACCESS_TOKEN_TYPE, JWT_TOKEN_TYPE), fc.constantFrom('urn:ietf:params:oauth:token-type:refresh_token'), 20),
  scope: fc.oneof(
    { weight: 3, arbitrary: fc.constant(undefined) },
    { weight: 4, arbitrary: fc.subarray(['generateJwt', 'push', 'query']).map((scopes) => scopes.join(' ')) },
    { weight: 1, arbitrary: fc.subarray(['push', 'admin'], { minLength: 1 }).map((scopes) => scopes.join(' ')) },
    { weight: 1, arbitrary: fc.constantFrom('push "admin"', 'café', 'push\tquery', '') },
  ),
  audience: fc.oneof({ weight: 3, arbitrary: fc.constant([]) }, { weight: 2, arbitrary: fc.subarray(['mfs', 'billing', 'payments', 'MFS'], { maxLength: 2 }) }),
  resource: fc.oneof({ weight: 6, arbitrary: fc.constant([]) }, { weight: 1, arbitrary: fc.constantFrom(['billing'], ['https://payments.example.com']) }),
  clientSecret: mostly(fc.constant(false), fc.constant(true), 20),
  authorization: mostly(fc.constant(false), fc.constant(true), 30),
  repeated: mostly(fc.constant(undefined), fc.constantFrom('grant_type', 'subject_token', 'subject_token_type', 'scope', 'client_id', 'audience'), 20),
  unknown: fc.boolean(),
});

// ---------------------------------------------------------------------------------------------
// Building the request

async function tokenText(model: TokenModel): Promise<string> {
  if (model.kind === 'junk') return 'opaque-token-0123456789';
  const act = [...Array(model.depth).keys()].reduceRight<Record<string, unknown> | undefined>((inner, level) => ({ sub: `minter-${level}`, ...(inner ? { act: inner } : {}) }), undefined);
  const aud = { 'for-us': 'mfs', 'for-orders': ['svc-orders', 'reports'], 'may-act-orders': 'reports', 'actor-not-for-us': 'svc-orders', expired: 'mfs', foreign: 'mfs' }[model.kind];
  return callerToken({
    secret: model.kind === 'foreign' ? ATTACKER_SECRET : TEST_SECRET,
    nowSeconds: NOW_SECONDS,
    claims: {
      sub: model.sub,
      aud,
      scope: model.scopes.join(' '),
      exp: model.kind === 'expired' ? NOW_SECONDS - 31 : NOW_SECONDS + model.lifetime,
      ...(act === undefined ? {} : { act }),
      ...(model.kind === 'may-act-orders' ? { may_act: { sub: 'svc-orders' } } : {}),
    },
  });
}

async function eventOf(model: RequestModel): Promise<{ event: unknown; sent: string[] }> {
  const fields: Record<string, string | string[]> = {};
  const sent: string[] = [];
  if (model.grant !== undefined) fields.grant_type = model.grant;
  if (model.subject !== undefined) sent.push((fields.subject_token = await tokenText(model.subject)));
  if (model.subjectType !== undefined) fields.subject_token_type = model.subjectType;
  if (model.actor !== undefined) sent.push((fields.actor_token = await tokenText(model.actor)));
  if (model.actor !== undefined && model.actorType !== undefined) fields.actor_token_type = model.actorType;
  if (model.requestedType !== undefined) fields.requested_token_type = model.requestedType;
  if (model.scope !== undefined) fields.scope = model.scope;
  if (model.audience.length > 0) fields.audience = [...model.audience];
  if (model.resource.length > 0) fields.resource = [...model.resource];
  if (model.clientSecret) fields.client_secret = 'client-secret-0123456789';
  fields.client_id = 'fuzz-client';
  if (model.unknown) fields.extension = ['a', 'b'];
  if (model.repeated !== undefined) {
    const value = fields[model.repeated];
    // An absent audience repeated is an allowed one twice: repeating audience is allowed (RFC 8693 §2.1).
    const absent = model.repeated === 'audience' ? ['mfs', 'mfs'] : ['x', 'y'];
    fields[model.repeated] = value === undefined ? absent : [...[value].flat(), ...[value].flat()];
  }
  if (model.shape === 'direct') return { event: exchangeEvent('direct', fields as Fields), sent };
  return {
    event: exchangeEvent(model.shape, fields as Fields, {
      contentType: model.contentType ?? null,
      ...(model.authorization ? { headers: { authorization: `Bearer ${sent[0] ?? 'x'}` } } : {}),
    }),
    sent,
  };
}

// ---------------------------------------------------------------------------------------------
// The oracle: what each request deserves, from the contract

interface Verdict {
  readonly status: number;
  readonly error?: string;
  readonly claims?: Record<string, unknown>;
  readonly response?: Record<string, unknown>;
}

const refuse = (status: number, error: string): Verdict => ({ status, error });
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;
const TYPES = [ACCESS_TOKEN_TYPE, JWT_TOKEN_TYPE];
const NOT_REPEATABLE = ['grant_type', 'subject_token', 'subject_token_type', 'scope', 'client_id', 'actor_token', 'actor_token_type', 'requested_token_type'];

/** A verified token's `act`, nearest first. */
const chainOf = (model: TokenModel) =>
  [...Array(model.depth).keys()].reduceRight<Record<string, unknown> | undefined>((inner, level) => ({ sub: `minter-${level}`, ...(inner ? { act: inner } : {}) }), undefined);

function verdictFor(model: RequestModel): Verdict {
  const http = model.shape !== 'direct';
  if (http && (model.contentType === undefined || !/^application\/x-www-form-urlencoded\s*(;|$)/i.test(model.contentType))) return refuse(415, 'invalid_request');
  if (model.repeated !== undefined && NOT_REPEATABLE.includes(model.repeated)) return refuse(400, 'invalid_request');
  if (model.grant === undefined) return refuse(400, 'invalid_request');
  if (model.grant !== TOKEN_EXCHANGE) return refuse(400, 'unsupported_grant_type');
  if (model.clientSecret || (http && model.authorization)) return refuse(401, 'invalid_client');
  if (model.subject === undefined || model.subjectType === undefined || !TYPES.includes(model.subjectType)) return refuse(400, 'invalid_request');
  if (model.actor !== undefined && (model.actorType === undefined || !TYPES.includes(model.actorType))) return refuse(400, 'invalid_request');
  if (model.requestedType !== undefined && !TYPES.includes(model.requestedType)) return refuse(400, 'invalid_request');
  const scopes = model.scope === undefined || model.scope === '' ? undefined : model.scope.split(' ').filter(Boolean);
  if (scopes !== undefined && !scopes.every((scope) => SCOPE_TOKEN.test(scope))) return refuse(400, 'invalid_scope');

  const subject = model.subject;
  const actor = model.actor;
  const bad = (token: TokenModel, role: 'subject' | 'actor') => ['expired', 'foreign', 'junk'].includes(token.kind) || (role === 'actor' && token.kind === 'actor-not-for-us');
  if (bad(subject, 'subject') || (actor !== undefined && bad(actor, 'actor'))) return refuse(400, 'invalid_grant');
  const mayExchange =
    subject.kind === 'for-us' ||
    (actor !== undefined && actor.sub === 'svc-orders' && (subject.kind === 'for-orders' || subject.kind === 'may-act-orders'));
  if (!mayExchange) return refuse(400, 'invalid_grant');
  const audiences = [...(model.repeated === 'audience' && model.audience.length === 0 ? ['mfs'] : model.audience), ...model.resource];
  if (!audiences.every((audience) => ALLOWED.includes(audience))) return refuse(400, 'invalid_target');
  const granted = scopes === undefined ? subject.scopes.filter((scope) => scope !== 'generateJwt') : [...new Set(scopes)];
  if (!granted.every((scope) => subject.scopes.includes(scope))) return refuse(400, 'invalid_scope');
  const depth = actor === undefined ? subject.depth : actor.depth + 1;
  if (depth > MAX_DEPTH) return refuse(400, 'invalid_grant');

  const distinct = [...new Set(audiences.length === 0 ? ['mfs'] : audiences)];
  const exp = Math.min(NOW_SECONDS + subject.lifetime, NOW_SECONDS + MAX_TTL);
  const act = actor === undefined ? chainOf(subject) : { sub: actor.sub, ...(chainOf(actor) ? { act: chainOf(actor) } : {}) };
  return {
    status: 200,
    claims: {
      iss: ISSUER,
      exp,
      aud: distinct.length === 1 ? distinct[0] : distinct,
      sub: subject.sub,
      client_id: actor?.sub ?? subject.sub,
      iat: NOW_SECONDS,
      jti: expect.any(String),
      scope: granted.join(' '),
      ...(act === undefined ? {} : { act }),
    },
    response: { issued_token_type: model.requestedType ?? ACCESS_TOKEN_TYPE, token_type: 'Bearer', expires_in: exp - NOW_SECONDS, scope: granted.join(' ') },
  };
}

// ---------------------------------------------------------------------------------------------

function expectWellFormed(outcome: OAuthOutcome, shape: Shape, sent: readonly string[]): void {
  if (shape !== 'direct') {
    expect(outcome.headers).toMatchObject({ 'Content-Type': 'application/json', 'Cache-Control': 'no-store', Pragma: 'no-cache' });
    expect(outcome.headers).not.toHaveProperty('WWW-Authenticate');
    expect(outcome.status).toBeLessThan(500);
  }
  if (outcome.body.error !== undefined) {
    expect(Object.keys(outcome.body).sort()).toEqual(['error', 'error_description']);
    expect(outcome.body.error_description).toMatch(/^[\x20-\x21\x23-\x5b\x5d-\x7e]*$/);
    expect(outcome.raw).not.toMatch(TOKEN_LIKE);
    for (const token of sent) expect(outcome.raw).not.toContain(token);
  }
}

const statuses = new Map<string, number>();

test(`${RUNS} structured token exchanges: the exact error or the exact token, always OAuth's JSON`, async () => {
  await fc.assert(
    fc.asyncProperty(requestArb, async (model) => {
      const { event, sent } = await eventOf(model);
      const outcome = await invokeOAuth(service.handler, event);
      const verdict = verdictFor(model);
      expectWellFormed(outcome, model.shape, sent);
      if (model.shape !== 'direct') expect(outcome.status).toBe(verdict.status);
      expect(outcome.body.error).toBe(verdict.error);
      if (verdict.status === 200) {
        const token = String(outcome.body.access_token);
        expect(hmacSignatureValid(token, TEST_SECRET)).toBe(true);
        expect(decodeJwt(token)).toEqual({ header: { alg: 'HS256', typ: 'at+jwt' }, payload: verdict.claims });
        expect(outcome.body).toEqual({ access_token: token, ...verdict.response });
      }
      const key = verdict.error ?? 'issued';
      statuses.set(key, (statuses.get(key) ?? 0) + 1);
    }),
    { numRuns: RUNS, seed: SEED },
  );
}, 60_000 + RUNS * 20);

test(`${Math.ceil(RUNS / 4)} arbitrary forms: never a 5xx or a throw, always OAuth's JSON`, async () => {
  const fieldArb = fc.dictionary(
    fc.oneof(fc.constantFrom('grant_type', 'subject_token', 'subject_token_type', 'actor_token', 'actor_token_type', 'scope', 'audience', 'resource', '__proto__'), fc.string({ maxLength: 8 })),
    fc.oneof(fc.string({ maxLength: 40, unit: 'binary' }), fc.constant(TOKEN_EXCHANGE), fc.constant(ACCESS_TOKEN_TYPE), fc.array(fc.string({ maxLength: 8 }), { maxLength: 3 })),
    { maxKeys: 8 },
  );
  const bodyArb = fc.oneof(fieldArb.map((fields) => formText(fields as Fields)), fc.string({ maxLength: 200, unit: 'binary' }));
  await fc.assert(
    fc.asyncProperty(fc.constantFrom<Shape>('v2', 'v1', 'direct'), bodyArb, async (shape, body) => {
      const outcome = await invokeOAuth(service.handler, exchangeEvent(shape, {}, { rawBody: body }));
      expectWellFormed(outcome, shape, []);
      expect(outcome.body.error ?? 'issued').not.toBe('issued');
    }),
    { numRuns: Math.ceil(RUNS / 4), seed: SEED },
  );
}, 60_000 + RUNS * 10);

test('the structured exchanges reach every answer, issued ones common enough to matter', () => {
  if (RUNS < 1000) return;
  expect((statuses.get('issued') ?? 0) / RUNS).toBeGreaterThan(0.15);
  expect([...statuses.keys()].sort()).toEqual(['invalid_client', 'invalid_grant', 'invalid_request', 'invalid_scope', 'invalid_target', 'issued', 'unsupported_grant_type']);
});
