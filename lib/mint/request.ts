import * as v from 'valibot';
import { MintError } from '../errors';
import { UNSAFE_IN_TEXT } from '../logText';
import { epochSeconds } from '../time';

const MAX_TEXT = 256;
const MAX_LIST = 64;

const INSTANT_FORMS = 'epoch seconds, an ISO-8601 timestamp with a zone, or {"seconds": n, "nanos": n}';

const ISO_TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)$/;

/**
 * Reads an ISO-8601 timestamp with a zone as whole epoch seconds, or NaN. Stricter than
 * Date.parse: a date that does not exist (February 30th) is refused, never rolled over.
 */
function isoToEpochSeconds(iso: string): number {
  const match = ISO_TIMESTAMP.exec(iso);
  if (!match) return Number.NaN;
  const [year, month, day, hour, minute, second = 0] = match.slice(1, 7).map((part) => Number(part ?? 0)) as number[];
  const local = Date.UTC(year!, month! - 1, day!, hour!, minute!, second);
  const check = new Date(local);
  const exists =
    check.getUTCFullYear() === year &&
    check.getUTCMonth() === month! - 1 &&
    check.getUTCDate() === day &&
    check.getUTCHours() === hour &&
    check.getUTCMinutes() === minute &&
    check.getUTCSeconds() === second;
  const offsetHours = Number(match[9] ?? 0);
  const offsetMinutes = Number(match[10] ?? 0);
  if (!exists || offsetHours > 23 || offsetMinutes > 59) return Number.NaN;
  const offsetMs = (match[8] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000;
  return epochSeconds(local - offsetMs);
}

/** One of the three instant forms the original accepted, normalised to whole epoch seconds. */
const Instant = v.union(
  [
    v.pipe(v.number(), v.finite(), v.transform(Math.floor)),
    v.pipe(v.string(), v.transform(isoToEpochSeconds), v.number(), v.finite()),
    v.pipe(
      v.strictObject({
        seconds: v.pipe(v.number(), v.safeInteger()),
        nanos: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(999_999_999))),
      }),
      v.transform((instant) => instant.seconds),
    ),
  ],
  `must be ${INSTANT_FORMS}`,
);

/**
 * No control, format or separator characters (Unicode Cc, Cf, Zl, Zp): they would land in the
 * minted token and in the audit line, where they can split lines and reorder text.
 */
const PrintableText = v.check(
  (text: string) => !UNSAFE_IN_TEXT.test(text),
  'must not hold control, format or line-separator characters',
);

const Text = v.pipe(
  v.string('must be a string'),
  v.nonEmpty('must not be empty'),
  v.maxLength(MAX_TEXT, `must be at most ${MAX_TEXT} characters`),
  PrintableText,
);

const TextList = v.pipe(
  v.array(Text, 'must be an array of strings'),
  v.maxLength(MAX_LIST, `must have at most ${MAX_LIST} entries`),
);

/** The JSON body of POST /user/generateJwt. Unknown fields are refused, never ignored. */
const MintRequestSchema = v.strictObject({
  subject: v.pipe(
    v.string('is required and must be a string'),
    v.nonEmpty('must not be empty'),
    v.maxLength(MAX_TEXT, `must be at most ${MAX_TEXT} characters`),
    PrintableText,
  ),
  expiresAt: v.optional(Instant),
  notBefore: v.optional(Instant),
  audience: v.optional(
    v.union(
      [Text, v.pipe(TextList, v.nonEmpty('must not be an empty array'))],
      'must be a non-empty string or a non-empty array of strings',
    ),
  ),
  authorities: v.optional(TextList),
  // Accepted and ignored, as the original did: `jti` is always fresh and `iss` is ours to set.
  jwtId: v.optional(v.unknown()),
  issuer: v.optional(v.unknown()),
});

/** A validated mint request: instants are epoch seconds. */
export type MintRequest = v.InferOutput<typeof MintRequestSchema>;

/**
 * Validates a parsed JSON body against the mint request schema.
 * @throws MintError INVALID_REQUEST or UNKNOWN_FIELD, naming the field.
 */
export function parseMintRequest(body: unknown): MintRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new MintError('INVALID_REQUEST', 'The request body must be a JSON object.');
  }
  const parsed = v.safeParse(MintRequestSchema, body, { abortEarly: true });
  if (parsed.success) return parsed.output;

  const issue = parsed.issues[0];
  const field = v.getDotPath(issue) ?? '';
  const isKnownField = Object.hasOwn(MintRequestSchema.entries, field);
  if (isKnownField && issue.input === undefined) {
    throw new MintError('INVALID_REQUEST', `Field "${field}" is required.`);
  }
  if (issue.type === 'strict_object' && !isKnownField && !field.includes('.')) {
    throw new MintError(
      'UNKNOWN_FIELD',
      `Unknown field "${field}". Allowed fields: ${Object.keys(MintRequestSchema.entries).join(', ')}.`,
    );
  }
  // An instant that fits none of its forms is one issue at the field, with the union's message.
  throw new MintError('INVALID_REQUEST', `Field "${field || 'body'}" ${issue.message}.`);
}
