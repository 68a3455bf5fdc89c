import fc from 'fast-check';
import { MintError, STATUS_BY_CODE, type MintErrorCode } from '../../lib/errors';
import { testHandler, type Outcome } from '../helpers/handler';
import { v1Event, v2Event } from '../helpers/events';
import { ATTACKER_SECRET, b64url, callerClaims, craftToken, decodeJwt, hmacSignatureValid, TEST_SECRET } from '../helpers/tokens';
import { CLOCK_TOLERANCE_SECONDS, DEFAULT_TTL_SECONDS, MAX_TTL_SECONDS, NOW_MS, NOW_SECONDS } from '../helpers/defaults';

// Property-based fuzzing of the whole handler over bodies, headers and the three event shapes.
// Requests are built from valid and invalid pieces; an oracle written here, from the contract and
// not from lib/, says what each request deserves. Properties:
//   - the handler never throws, and never answers 5xx unless a fault was injected;
//   - a token comes back exactly when the request is valid, and carries exactly the claims due;
//   - `code` always equals the status, a refusal's error code belongs to that status, and every
//     HTTP response carries the hardening headers;
//   - nothing token-like, and not the caller's token, comes back in a refusal.
// FUZZ_RUNS sets the total number of generated requests (npm run fuzz runs far more); FUZZ_SEED
// replays a failing run.

const TOTAL_RUNS = Number(process.env.FUZZ_RUNS ?? 12_000);
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
/** Per-property time budget: generous, since the long run shares this file. */
const timeoutFor = (runs: number): number => 30_000 + runs * 10;
const runsFor = (share: number): number => Math.max(1, Math.round(TOTAL_RUNS * share));

const ALLOWED_AUDIENCES = ['mfs', 'push-gateway'];
const ENV = { ALLOWED_AUDIENCES: ALLOWED_AUDIENCES.join(',') };
const MAX_BODY_BYTES = 16 * 1024;
const service = testHandler({ nowMs: NOW_MS, env: ENV });

// ---------------------------------------------------------------------------------------------
// The request model

type Shape = 'v2' | 'v1' | 'direct';

interface TokenModel {
  readonly alg: string | undefined;
  readonly kid: string | undefined;
  readonly signer: 'ours' | 'theirs';
  readonly claims: Record<string, unknown>;
  readonly corruption: 'none' | 'flipPayload' | 'truncateSignature' | 'pad' | 'dropSegment' | 'appendSegment' | 'algNoneEmptySignature';
}

type AuthorizationModel =
  | { readonly kind: 'absent' }
  | { readonly kind: 'scheme'; readonly scheme: string; readonly separator: string; readonly token: TokenModel; readonly trailer: string };

type BodyModel =
  | { readonly kind: 'object'; readonly fields: Record<string, unknown> }
  | { readonly kind: 'text'; readonly text: string };

interface RequestModel {
  readonly shape: Shape;
  readonly authorization: AuthorizationModel;
  readonly body: BodyModel;
  readonly contentType: string | undefined;
  readonly base64: boolean;
  readonly headerName: string;
}

const ABSENT = undefined;

/** Seconds relative to now, clustered around the edges the service must get right. */
const offset = fc.oneof(
  fc.integer({ min: -3 * 86_400, max: 3 * 86_400 }),
  fc.integer({ min: -CLOCK_TOLERANCE_SECONDS - 2, max: CLOCK_TOLERANCE_SECONDS + 2 }),
  fc.constantFrom(0, 1, -1, MAX_TTL_SECONDS, MAX_TTL_SECONDS + 1, DEFAULT_TTL_SECONDS),
);

const scopeEntry = fc.constantFrom('generateJwt', 'push', 'query', 'admin', 'generateJwtX', 'GenerateJwt', 'generateJwt ', '');

/** Mostly the valid value, sometimes one of the hostile ones: so that valid tokens stay common. */
function mostly<T>(valid: fc.Arbitrary<T>, hostile: fc.Arbitrary<T>): fc.Arbitrary<T> {
  return fc.oneof({ weight: 12, arbitrary: valid }, { weight: 1, arbitrary: hostile });
}

const claimsArb: fc.Arbitrary<Record<string, unknown>> = fc.record({
  sub: mostly<unknown>(fc.oneof(fc.constant('caller-1'), fc.string({ minLength: 1, maxLength: 12 })), fc.constantFrom('', 42, ABSENT, null)),
  aud: mostly<unknown>(fc.constantFrom('mfs', ['other', 'mfs']), fc.constantFrom('other', 'MFS', [], ['other'], ABSENT, 5)),
  exp: mostly<unknown>(
    fc.integer({ min: -CLOCK_TOLERANCE_SECONDS + 1, max: 7 * 86_400 }).map((seconds) => NOW_SECONDS + seconds),
    fc.oneof(
      offset.map((seconds) => NOW_SECONDS + seconds),
      offset.map((seconds) => NOW_SECONDS + seconds + 0.5),
      fc.constantFrom<unknown>(ABSENT, String(NOW_SECONDS + 3600), null),
    ),
  ),
  nbf: mostly<unknown>(fc.constant(ABSENT), fc.oneof(offset.map((seconds) => NOW_SECONDS + seconds), fc.constant('soon'))),
  iat: mostly<unknown>(fc.constant(ABSENT), fc.oneof(offset.map((seconds) => NOW_SECONDS + seconds), fc.constant('then'))),
  scope: mostly<unknown>(
    fc.oneof(
      fc.subarray(['push', 'query', 'admin']).map((others) => ['generateJwt', ...others]),
      fc.subarray(['push', 'query']).map((others) => ['generateJwt', ...others].join(' ')),
    ),
    fc.oneof(
      fc.array(scopeEntry, { maxLength: 5 }),
      fc.array(scopeEntry, { maxLength: 5 }).map((entries) => entries.join(' ')),
      fc.constantFrom<unknown>(ABSENT, ['generateJwt', 7], { generateJwt: true }),
    ),
  ),
});

const tokenArb: fc.Arbitrary<TokenModel> = fc.record({
  alg: fc.oneof(
    { weight: 15, arbitrary: fc.constant('HS256') },
    { weight: 1, arbitrary: fc.constantFrom<string | undefined>('HS384', 'HS512', 'none', 'NONE', 'RS256', 'ES256', 'hs256', ABSENT) },
  ),
  kid: fc.oneof({ weight: 15, arbitrary: fc.constant(ABSENT) }, { weight: 1, arbitrary: fc.constantFrom('', 'k1', '../../dev/null') }),
  signer: fc.oneof({ weight: 15, arbitrary: fc.constant('ours' as const) }, { weight: 1, arbitrary: fc.constant('theirs' as const) }),
  claims: fc.oneof({ weight: 1, arbitrary: fc.constant(callerClaims(NOW_SECONDS)) }, { weight: 3, arbitrary: claimsArb }),
  corruption: fc.oneof(
    { weight: 15, arbitrary: fc.constant('none' as const) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        'flipPayload' as const,
        'truncateSignature' as const,
        'pad' as const,
        'dropSegment' as const,
        'appendSegment' as const,
        'algNoneEmptySignature' as const,
      ),
    },
  ),
});

const authorizationArb: fc.Arbitrary<AuthorizationModel> = fc.oneof(
  { weight: 1, arbitrary: fc.constant({ kind: 'absent' as const }) },
  {
    weight: 12,
    arbitrary: fc.record({
      kind: fc.constant('scheme' as const),
      scheme: fc.oneof({ weight: 20, arbitrary: fc.constantFrom('Bearer', 'bearer', 'BEARER') }, { weight: 1, arbitrary: fc.constantFrom('Basic', 'Token', '', 'Bearer:') }),
      separator: fc.oneof({ weight: 20, arbitrary: fc.constant(' ') }, { weight: 1, arbitrary: fc.constantFrom('  ', '\t', '') }),
      token: tokenArb,
      trailer: fc.oneof({ weight: 20, arbitrary: fc.constant('') }, { weight: 1, arbitrary: fc.constantFrom(' ', ' extra', ',x', '\n') }),
    }),
  },
);

const textArb = fc.oneof(
  { weight: 8, arbitrary: fc.string({ minLength: 1, maxLength: 24, unit: 'grapheme' }) },
  { weight: 1, arbitrary: fc.constantFrom('svc\u2028x', 'svc\u202ex', '\u0085', 'a\u200bb', 'tab\there') },
);

const instantArb = fc.oneof(
  offset.map((seconds) => NOW_SECONDS + seconds),
  offset.map((seconds) => NOW_SECONDS + seconds + 0.75),
  offset.map((seconds) => ({ seconds: NOW_SECONDS + seconds })),
  offset.map((seconds) => ({ seconds: NOW_SECONDS + seconds, nanos: 5 })),
  offset.map((seconds) => new Date((NOW_SECONDS + seconds) * 1000).toISOString()),
  fc.constantFrom<unknown>('tomorrow', -0, null, { seconds: 1.5 }, { seconds: NOW_SECONDS + 60, nanos: -1 }, true, [NOW_SECONDS + 60]),
);

const fieldsArb: fc.Arbitrary<Record<string, unknown>> = fc
  .record({
    subject: mostly<unknown>(textArb, fc.constantFrom<unknown>(ABSENT, '', 42, ['svc'], 's'.repeat(257))),
    expiresAt: fc.oneof(
      { weight: 4, arbitrary: fc.constant(ABSENT) },
      { weight: 4, arbitrary: fc.integer({ min: 1, max: MAX_TTL_SECONDS }).map((seconds) => NOW_SECONDS + seconds) },
      { weight: 1, arbitrary: instantArb },
    ),
    audience: mostly<unknown>(
      fc.constantFrom<unknown>(ABSENT, 'mfs', 'push-gateway', ['mfs'], ['mfs', 'push-gateway', 'mfs']),
      fc.constantFrom<unknown>('payments', ['mfs', 'payments'], [], '', 7, [''], 'MFS'),
    ),
    authorities: mostly<unknown>(
      fc.oneof(fc.constant(ABSENT), fc.subarray(['generateJwt', 'push', 'query', 'push'])),
      fc.oneof(fc.array(fc.constantFrom('generateJwt', 'push', 'admin', ''), { maxLength: 4 }), fc.constantFrom<unknown>('push', [1], null)),
    ),
    jwtId: fc.oneof({ weight: 4, arbitrary: fc.constant(ABSENT) }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) }),
    issuer: fc.oneof({ weight: 4, arbitrary: fc.constant(ABSENT) }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) }),
    unknown: fc.oneof(
      { weight: 12, arbitrary: fc.constant(ABSENT) },
      { weight: 1, arbitrary: fc.constantFrom('scope', 'iss', '__proto__', 'constructor', 'Subject', 'x') },
    ),
  })
  .map(({ unknown, ...fields }) => {
    const body: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(fields)) if (value !== ABSENT) body[name] = value;
    // defineProperty, so that "__proto__" becomes an own key, as JSON.parse makes it.
    if (unknown !== ABSENT) Object.defineProperty(body, unknown, { value: true, enumerable: true, configurable: true, writable: true });
    return body;
  });

const bodyArb: fc.Arbitrary<BodyModel> = fc.oneof(
  { weight: 20, arbitrary: fieldsArb.map((fields) => ({ kind: 'object' as const, fields })) },
  {
    weight: 1,
    arbitrary: fc
      .oneof(fc.string({ maxLength: 40 }), fc.constantFrom('', '{', '[]', 'null', '"x"', '{"subject":"a",}', '{"subject":"a"}{}', `{"subject":"a","jwtId":"${'x'.repeat(MAX_BODY_BYTES)}"}`))
      .map((text) => ({ kind: 'text' as const, text })),
  },
);

const requestArb: fc.Arbitrary<RequestModel> = fc.record({
  shape: fc.constantFrom<Shape>('v2', 'v1', 'direct'),
  authorization: authorizationArb,
  body: bodyArb,
  contentType: fc.oneof(
    { weight: 20, arbitrary: fc.constantFrom('application/json', 'application/json; charset=utf-8', 'Application/JSON', 'application/merge-patch+json') },
    { weight: 1, arbitrary: fc.constantFrom<string | undefined>('text/plain', '', ABSENT, 'application/jsonx', 'application/x-www-form-urlencoded', 'text/json') },
  ),
  base64: fc.oneof({ weight: 6, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  headerName: fc.constantFrom('authorization', 'Authorization', 'AUTHORIZATION'),
});

// ---------------------------------------------------------------------------------------------
// Building the event

function tokenText(model: TokenModel): string {
  const header: Record<string, unknown> = { typ: 'JWT' };
  if (model.alg !== undefined) header.alg = model.alg;
  if (model.kid !== undefined) header.kid = model.kid;
  const hash = model.alg === 'HS384' ? 'sha384' : model.alg === 'HS512' ? 'sha512' : 'sha256';
  const secret = model.signer === 'ours' ? TEST_SECRET : ATTACKER_SECRET;
  const token = craftToken(JSON.stringify(header), JSON.stringify(model.claims), { secret, hash });
  const [h = '', p = '', s = ''] = token.split('.');
  switch (model.corruption) {
    case 'none':
      return token;
    case 'flipPayload': {
      const at = Math.floor(p.length / 2);
      const flipped = p[at] === 'A' ? 'B' : 'A';
      return `${h}.${p.slice(0, at)}${flipped}${p.slice(at + 1)}.${s}`;
    }
    case 'truncateSignature':
      return `${h}.${p}.${s.slice(0, -1)}`;
    case 'pad':
      return `${token}=`;
    case 'dropSegment':
      return `${h}.${p}`;
    case 'appendSegment':
      return `${token}.${s}`;
    case 'algNoneEmptySignature':
      return `${b64url(JSON.stringify({ ...header, alg: 'none' }))}.${p}.`;
  }
}

function authorizationText(model: AuthorizationModel): string | undefined {
  if (model.kind === 'absent') return undefined;
  return `${model.scheme}${model.separator}${tokenText(model.token)}${model.trailer}`;
}

function bodyText(model: BodyModel): string {
  return model.kind === 'text' ? model.text : JSON.stringify(model.fields);
}

function eventOf(model: RequestModel): unknown {
  const authorization = authorizationText(model.authorization);
  if (model.shape === 'direct') {
    return {
      ...(authorization === undefined ? {} : { authorization }),
      body: model.body.kind === 'object' ? model.body.fields : model.body.text,
    };
  }
  const headers: Record<string, string> = {};
  if (model.contentType !== undefined) headers['Content-Type'] = model.contentType;
  if (authorization !== undefined) headers[model.headerName] = authorization;
  const text = bodyText(model.body);
  return (model.shape === 'v1' ? v1Event : v2Event)({
    headers,
    body: model.base64 ? Buffer.from(text).toString('base64') : text,
    isBase64Encoded: model.base64,
  });
}

// ---------------------------------------------------------------------------------------------
// The oracle: what each request deserves, from the contract

interface Verdict {
  readonly status: number;
  /** The claims of the token due, when status is 200. */
  readonly claims?: Record<string, unknown>;
}

/** Text the contract accepts: 1 to 256 characters, none of Unicode's control, format or separator characters. */
const isText = (value: unknown, max = 256): value is string =>
  typeof value === 'string' && value.length > 0 && value.length <= max && !/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u.test(value);
const isTextList = (value: unknown): value is string[] => Array.isArray(value) && value.length <= 64 && value.every((entry) => isText(entry));
const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

/** An instant in one of the three documented forms, as whole epoch seconds; undefined when invalid. */
function instantSeconds(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? Math.floor(value) : undefined;
  if (typeof value === 'string') return ISO_WITH_ZONE.test(value) ? Math.floor(Date.parse(value) / 1000) : undefined;
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const { seconds, nanos, ...rest } = value as Record<string, unknown>;
    if (Object.keys(rest).length > 0 || !Number.isSafeInteger(seconds)) return undefined;
    if (nanos !== undefined && !(Number.isInteger(nanos) && (nanos as number) >= 0 && (nanos as number) <= 999_999_999)) return undefined;
    return seconds as number;
  }
  return undefined;
}

const KNOWN_FIELDS = new Set(['subject', 'expiresAt', 'notBefore', 'audience', 'authorities', 'jwtId', 'issuer']);

/** Whether a parsed body is a valid mint request (400 otherwise). */
function validBody(body: unknown): body is Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return false;
  const fields = body as Record<string, unknown>;
  if (Object.keys(fields).some((name) => !KNOWN_FIELDS.has(name))) return false;
  if (!isText(fields.subject)) return false;
  if (fields.expiresAt !== undefined && instantSeconds(fields.expiresAt) === undefined) return false;
  if (fields.audience !== undefined && !isText(fields.audience) && !(isTextList(fields.audience) && fields.audience.length > 0)) return false;
  if (fields.authorities !== undefined && !isTextList(fields.authorities)) return false;
  return true;
}

/** RFC 6750 §2.1: "Bearer", one or more spaces, one token; the service also forgives trailing spaces. */
const BEARER_CREDENTIALS = /^bearer +[^\s]+ *$/i;

const ALGORITHMS_WE_SIGN_WITH = ['HS256', 'HS384', 'HS512', 'ES256', 'ES384', 'EdDSA', 'RS256', 'PS256'];

/** RFC 7515 §7.1 compact serialisation, each segment canonical base64url, the header a JSON object naming an algorithm we sign with. */
function couldBeOurs(token: string): boolean {
  const segments = token.split('.');
  if (segments.length !== 3 || !segments.every((segment) => /^[A-Za-z0-9_-]+$/.test(segment))) return false;
  if (!segments.every((segment) => Buffer.from(segment, 'base64url').toString('base64url') === segment)) return false;
  try {
    const header: unknown = JSON.parse(Buffer.from(segments[0] as string, 'base64url').toString('utf8'));
    return typeof header === 'object' && header !== null && !Array.isArray(header) && ALGORITHMS_WE_SIGN_WITH.includes((header as { alg?: string }).alg as string);
  } catch {
    return false;
  }
}

/** The caller's scopes when the token is genuine and current; a number is the refusal's status. */
function callerOf(model: AuthorizationModel): { sub: string; scopes: string[]; exp: number } | 401 | 403 {
  if (model.kind === 'absent' || !/^bearer$/i.test(model.scheme) || !/^ +$/.test(model.separator) || !/^ *$/.test(model.trailer)) return 401;
  const token = model.token;
  if (token.corruption !== 'none' || token.signer !== 'ours' || token.alg !== 'HS256' || token.kid !== undefined) return 401;
  const { sub, aud, exp, nbf, iat, scope } = token.claims;
  const audiences = Array.isArray(aud) ? aud : [aud];
  if (typeof exp !== 'number' || exp <= NOW_SECONDS - CLOCK_TOLERANCE_SECONDS) return 401;
  if (!audiences.includes('mfs')) return 401;
  if (nbf !== undefined && (typeof nbf !== 'number' || nbf > NOW_SECONDS + CLOCK_TOLERANCE_SECONDS)) return 401;
  if (iat !== undefined && (typeof iat !== 'number' || iat > NOW_SECONDS + CLOCK_TOLERANCE_SECONDS)) return 401;
  if (typeof sub !== 'string' || sub === '') return 401;
  // Time claims are whole seconds: a fraction or an Infinity is refused once the token is genuine.
  if ([exp, nbf, iat].some((value) => value !== undefined && !Number.isSafeInteger(value))) return 401;
  const scopes =
    typeof scope === 'string'
      ? scope.split(' ').filter((entry) => entry !== '')
      : Array.isArray(scope) && scope.every((entry) => typeof entry === 'string')
        ? (scope as string[])
        : [];
  if (!scopes.includes('generateJwt')) return 403;
  return { sub, scopes, exp };
}

/** What a request deserves, checking in the documented order: framing, body, caller, policy. */
function verdictFor(model: RequestModel, keys: 'ok' | 'unavailable' | 'unusable' = 'ok'): Verdict {
  const http = model.shape !== 'direct';
  const text = bodyText(model.body);
  const wireText = model.base64 ? Buffer.from(text).toString('base64') : text;
  const measured = http && model.base64 ? Buffer.from(wireText, 'base64').length : Buffer.byteLength(text, 'utf8');
  if (measured > MAX_BODY_BYTES) return { status: 413 };
  // RFC 9110: media types are case-insensitive; application/json or any +json subtype, with parameters.
  if (http && (model.contentType === undefined || !/^application\/([^;\s]+\+)?json\s*(;|$)/i.test(model.contentType))) return { status: 415 };
  let body: unknown;
  if (http || model.body.kind === 'text') {
    try {
      body = JSON.parse(text);
    } catch {
      return { status: 400 };
    }
  } else {
    body = model.body.fields;
  }
  if (!validBody(body)) return { status: 400 };
  // A header that holds no bearer token, or a token that cannot be one of ours (not a canonical
  // compact JWS, a header that is not a JSON object, an algorithm we never sign with), is refused
  // before the key is needed; any other refusal of the caller comes after it, so a fault at
  // Secrets Manager shows first.
  const credentials = authorizationText(model.authorization);
  if (credentials === undefined || !BEARER_CREDENTIALS.test(credentials)) return { status: 401 };
  if (!couldBeOurs(credentials.trim().split(/ +/)[1] ?? '')) return { status: 401 };
  if (keys === 'unavailable') return { status: 503 };
  if (keys === 'unusable') return { status: 500 };
  const caller = callerOf(model.authorization);
  if (typeof caller === 'number') return { status: caller };

  const exp = body.expiresAt === undefined ? NOW_SECONDS + DEFAULT_TTL_SECONDS : (instantSeconds(body.expiresAt) as number);
  if (exp <= NOW_SECONDS || exp > NOW_SECONDS + MAX_TTL_SECONDS) return { status: 400 };
  const audiences = [...new Set(body.audience === undefined ? ['mfs'] : [body.audience as string | string[]].flat())];
  if (!audiences.every((audience) => ALLOWED_AUDIENCES.includes(audience))) return { status: 403 };
  // The right to mint passes on only by name, and never outlives the caller.
  const scope = body.authorities === undefined ? caller.scopes.filter((entry) => entry !== 'generateJwt') : [...new Set(body.authorities as string[])];
  if (!scope.every((authority) => caller.scopes.includes(authority))) return { status: 403 };
  let mintedExp = exp;
  if (scope.includes('generateJwt')) {
    if (body.expiresAt !== undefined && exp > caller.exp) return { status: 403 };
    mintedExp = Math.min(exp, caller.exp);
    if (mintedExp <= NOW_SECONDS) return { status: 403 };
  }
  return {
    status: 200,
    claims: {
      jti: expect.stringMatching(/^[0-9a-f-]{36}$/),
      iss: caller.sub,
      sub: body.subject,
      aud: audiences.length === 1 ? audiences[0] : audiences,
      iat: NOW_SECONDS,
      exp: mintedExp,
      scope,
      act: { sub: caller.sub },
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The properties every response must have

const JWS_LIKE = /[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/;

function expectWellFormed(outcome: Outcome, shape: Shape): void {
  expect(outcome.envelope.code).toBe(outcome.status);
  if (shape !== 'direct') {
    expect(outcome.headers).toMatchObject({ 'Content-Type': 'application/json', 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
  }
  if (outcome.status === 200) {
    expect(outcome.envelope.error).toBeUndefined();
    expect(typeof outcome.envelope.data).toBe('string');
  } else {
    const code = outcome.envelope.error as MintErrorCode;
    expect(STATUS_BY_CODE[code]).toBe(outcome.status);
    expect(outcome.envelope.data).toBeNull();
    expect(outcome.raw).not.toMatch(JWS_LIKE);
  }
}

function expectVerdict(outcome: Outcome, model: RequestModel, verdict: Verdict): void {
  expect(outcome.status).toBe(verdict.status);
  if (verdict.status === 200) {
    const token = String(outcome.envelope.data);
    expect(hmacSignatureValid(token, TEST_SECRET)).toBe(true);
    expect(decodeJwt(token)).toEqual({ header: { alg: 'HS256', typ: 'JWT' }, payload: verdict.claims });
  }
  const callerToken = model.authorization.kind === 'scheme' ? tokenText(model.authorization.token) : '';
  if (callerToken.length >= 16) expect(outcome.raw).not.toContain(callerToken);
}

// ---------------------------------------------------------------------------------------------

const RUNS = {
  structured: runsFor(0.5),
  faults: runsFor(0.15),
  hostileHeader: runsFor(0.1),
  hostileBody: runsFor(0.1),
  hostileEvent: runsFor(0.15),
};

const VALID_TOKEN_MODEL: TokenModel = { alg: 'HS256', kid: undefined, signer: 'ours', claims: callerClaims(NOW_SECONDS), corruption: 'none' };
const validToken = tokenText(VALID_TOKEN_MODEL);

/** How often each status came up in the structured property, to show the generator reaches them all. */
const structuredStatuses = new Map<number, number>();

test(`${RUNS.structured} structured requests: a token exactly when valid, never a 5xx, code always the status`, async () => {
  await fc.assert(
    fc.asyncProperty(requestArb, async (model) => {
      const outcome = await service.invoke(eventOf(model));
      expectWellFormed(outcome, model.shape);
      expectVerdict(outcome, model, verdictFor(model));
      structuredStatuses.set(outcome.status, (structuredStatuses.get(outcome.status) ?? 0) + 1);
    }),
    { numRuns: RUNS.structured, seed: SEED },
  );
}, timeoutFor(RUNS.structured));

test(`${RUNS.faults} structured requests with Secrets Manager faults: a 5xx only when a fault was injected`, async () => {
  const faultArb = fc.constantFrom('ok' as const, 'unavailable' as const, 'unusable' as const);
  await fc.assert(
    fc.asyncProperty(requestArb, faultArb, async (model, keys) => {
      const container = testHandler({
        nowMs: NOW_MS,
        env: ENV,
        ...(keys === 'unusable' ? { secret: 'short' } : {}),
        ...(keys === 'unavailable'
          ? {
              fetchSecret: async () => {
                throw new MintError('SECRET_UNAVAILABLE', 'injected fault');
              },
            }
          : {}),
      });
      const outcome = await container.invoke(eventOf(model));
      expectWellFormed(outcome, model.shape);
      const verdict = verdictFor(model, keys);
      expectVerdict(outcome, model, verdict);
      if (keys === 'ok') expect(outcome.status).toBeLessThan(500);
    }),
    { numRuns: RUNS.faults, seed: SEED },
  );
}, timeoutFor(RUNS.faults));

test(`${RUNS.hostileHeader} arbitrary Authorization values: always 401, never a token`, async () => {
  const headerArb = fc.oneof(
    fc.string({ maxLength: 64, unit: 'binary' }),
    fc.string({ maxLength: 64, unit: 'grapheme' }).map((rest) => `Bearer ${rest}`),
    fc.stringMatching(/^Bearer [A-Za-z0-9_=+/.-]{0,200}$/),
    fc.nat({ max: 9000 }).map((length) => `Bearer ${'e'.repeat(length)}`),
  );
  await fc.assert(
    fc.asyncProperty(fc.constantFrom<Shape>('v2', 'v1', 'direct'), headerArb, async (shape, authorization) => {
      const event =
        shape === 'direct'
          ? { authorization, body: { subject: 'svc-1' } }
          : (shape === 'v1' ? v1Event : v2Event)({ headers: { 'content-type': 'application/json', authorization }, body: '{"subject":"svc-1"}' });
      const outcome = await service.invoke(event);
      expectWellFormed(outcome, shape);
      expect(outcome.status).toBe(401);
    }),
    { numRuns: RUNS.hostileHeader, seed: SEED },
  );
}, timeoutFor(RUNS.hostileHeader));

test(`${RUNS.hostileBody} arbitrary bodies from a valid caller: never a 5xx, a token only for a valid body`, async () => {
  const bodyTextArb = fc.oneof(
    fc.string({ maxLength: 80, unit: 'binary' }),
    fc.json({ maxDepth: 4 }),
    fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify({ subject: 'svc-1', extra: value })),
    fc.dictionary(fc.constantFrom('subject', 'expiresAt', 'audience', 'authorities', 'jwtId', 'issuer'), fc.jsonValue({ maxDepth: 2 })).map((value) =>
      JSON.stringify(value),
    ),
  );
  await fc.assert(
    fc.asyncProperty(fc.constantFrom<Shape>('v2', 'v1', 'direct'), bodyTextArb, async (shape, text) => {
      const authorization = `Bearer ${validToken}`;
      const event =
        shape === 'direct'
          ? { authorization, body: text }
          : (shape === 'v1' ? v1Event : v2Event)({ headers: { 'content-type': 'application/json', authorization }, body: text });
      const outcome = await service.invoke(event);
      expectWellFormed(outcome, shape);
      expect(outcome.status).toBeLessThan(500);
      const model: RequestModel = {
        shape,
        authorization: { kind: 'scheme', scheme: 'Bearer', separator: ' ', trailer: '', token: VALID_TOKEN_MODEL },
        body: { kind: 'text', text },
        contentType: 'application/json',
        base64: false,
        headerName: 'authorization',
      };
      expectVerdict(outcome, model, verdictFor(model));
    }),
    { numRuns: RUNS.hostileBody, seed: SEED },
  );
}, timeoutFor(RUNS.hostileBody));

test(`${RUNS.hostileEvent} arbitrary events: never a 5xx or a throw, a token only with the caller's valid token, never the secret`, async () => {
  const fieldArb = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constant({}), fc.constant({ http: { method: 'POST' } }));
  const eventArb = fc.oneof(
    fc.jsonValue({ maxDepth: 3 }),
    fc.record(
      {
        version: fc.constantFrom<unknown>('2.0', '1.0', 2),
        routeKey: fc.constantFrom<unknown>(
          'POST /user/generateJwt',
          '$default',
          'GET /user/generateJwt',
          'GET /.well-known/jwks.json',
          'GET /.well-known/openid-configuration',
          'POST /.well-known/jwks.json',
          'POST /oauth2/token',
          'GET /oauth2/token',
          'GET /.well-known/oauth-authorization-server',
          7,
        ),
        rawPath: fc.constantFrom<unknown>('/user/generateJwt', '/', '/.well-known/jwks.json', '/oauth2/token', null),
        httpMethod: fc.constantFrom<unknown>('POST', 'GET', 1),
        path: fc.constantFrom<unknown>('/user/generateJwt', '/x', '/.well-known/openid-configuration', '/oauth2/token'),
        resource: fc.constantFrom<unknown>('/user/generateJwt', undefined),
        requestContext: fieldArb,
        headers: fc.oneof(fc.constant({ 'content-type': 'application/json', authorization: 'VALID' }), fc.dictionary(fc.string({ maxLength: 10 }), fc.jsonValue({ maxDepth: 1 }))),
        body: fc.oneof(
          fc.constant('{"subject":"svc-1"}'),
          fc.constant({ subject: 'svc-1' }),
          fc.constant('grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Atoken-exchange&subject_token=VALID_TOKEN&subject_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Aaccess_token'),
          fc.jsonValue({ maxDepth: 2 }),
        ),
        isBase64Encoded: fc.jsonValue({ maxDepth: 0 }),
        authorization: fc.oneof(fc.constant('VALID'), fc.jsonValue({ maxDepth: 1 })),
      },
      { requiredKeys: [] },
    ),
  );
  await fc.assert(
    fc.asyncProperty(eventArb, async (generated) => {
      const event = JSON.parse(
        JSON.stringify(generated ?? null).replaceAll('"VALID"', JSON.stringify(`Bearer ${validToken}`)).replaceAll('VALID_TOKEN', validToken),
      ) as unknown;
      const outcome = await service.invoke(event);
      expect(outcome.raw).not.toContain(TEST_SECRET);
      expect(outcome.raw).not.toContain(b64url(TEST_SECRET));
      // The token endpoint answers in OAuth's format, without `code`: RFC 6749 §5.2's error JSON.
      if (!('code' in outcome.envelope) && 'error' in outcome.envelope) {
        expect(Object.keys(outcome.envelope).sort()).toEqual(['error', 'error_description']);
        expect(outcome.raw).not.toMatch(JWS_LIKE);
        if (Object.keys(outcome.headers).length > 0) {
          expect(outcome.headers).toMatchObject({ 'Cache-Control': 'no-store', Pragma: 'no-cache' });
          expect(outcome.status).toBeLessThan(500);
        }
        return;
      }
      const published = outcome.status === 200 && !('code' in outcome.envelope);
      if (published) {
        // The key set and the discovery document: public, cacheable, never the HMAC secret.
        expect(outcome.headers).toMatchObject({ 'Content-Type': 'application/json', 'X-Content-Type-Options': 'nosniff' });
        expect(outcome.headers['Cache-Control']).toMatch(/^public, max-age=\d+$/);
        return;
      }
      const shape: Shape = Object.keys(outcome.headers).length > 0 ? 'v2' : 'direct';
      expectWellFormed(outcome, shape);
      expect(outcome.status).toBeLessThan(500);
      if (outcome.status === 200) expect(JSON.stringify(event)).toContain(validToken);
    }),
    { numRuns: RUNS.hostileEvent, seed: SEED },
  );
}, timeoutFor(RUNS.hostileEvent));

test('the structured requests reach every outcome, with valid ones common enough to matter', () => {
  // Assess
  if (RUNS.structured < 1000) return;
  // About a quarter of them are valid; every refusal status comes up (413 the rarest, about 0.2%).
  expect((structuredStatuses.get(200) ?? 0) / RUNS.structured).toBeGreaterThan(0.2);
  expect([...structuredStatuses.keys()].sort()).toEqual([200, 400, 401, 403, 413, 415]);
});

test('the runs above add up to at least 10,000 generated requests', () => {
  expect(Object.values(RUNS).reduce((sum, runs) => sum + runs, 0)).toBeGreaterThanOrEqual(Math.min(TOTAL_RUNS, 10_000));
});
