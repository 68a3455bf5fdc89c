import { MintError, type MintErrorCode } from '../../../lib/errors';
import { parseMintRequest } from '../../../lib/mint/request';

/** Runs parseMintRequest and returns the MintError it threw. */
function refusalOf(body: unknown): MintError {
  try {
    parseMintRequest(body);
  } catch (error) {
    if (error instanceof MintError) return error;
    throw error;
  }
  throw new Error('parseMintRequest accepted a body it should refuse');
}

describe('parseMintRequest', () => {
  test('accepts a body with only a subject', () => {
    // Act
    const request = parseMintRequest({ subject: 'test1' });

    // Assess
    expect(request).toEqual({ subject: 'test1' });
  });

  test('accepts the seed body, keeping jwtId and issuer out of the decision', () => {
    // Act
    const request = parseMintRequest({ jwtId: 'jwtId_z9l97', issuer: 'root', subject: 'test1', expiresAt: 1, audience: 'mfs' });

    // Assess
    expect(request).toMatchObject({ subject: 'test1', expiresAt: 1, audience: 'mfs' });
  });

  test('accepts jwtId and issuer of any type', () => {
    // Act
    const request = parseMintRequest({ subject: 'test1', jwtId: 42, issuer: { name: 'root' } });

    // Assess
    expect(request.subject).toBe('test1');
  });

  test.each([
    { name: 'whole epoch seconds', input: 1_900_000_600, seconds: 1_900_000_600 },
    { name: 'fractional epoch seconds, floored', input: 1_900_000_600.999, seconds: 1_900_000_600 },
    { name: 'negative fractional epoch seconds, floored', input: -1.5, seconds: -2 },
    { name: 'an ISO-8601 string in UTC', input: '2030-03-17T17:56:40Z', seconds: 1_900_000_600 },
    { name: 'an ISO-8601 string with milliseconds, floored', input: '2030-03-17T17:56:40.999Z', seconds: 1_900_000_600 },
    { name: 'an ISO-8601 string with an offset', input: '2030-03-18T01:56:40+08:00', seconds: 1_900_000_600 },
    { name: 'an ISO-8601 string with a negative offset', input: '2030-03-17T12:56:40-05:00', seconds: 1_900_000_600 },
    { name: '{"seconds","nanos"}', input: { seconds: 1_900_000_600, nanos: 999_999_999 }, seconds: 1_900_000_600 },
    { name: '{"seconds"} alone', input: { seconds: 1_900_000_600 }, seconds: 1_900_000_600 },
  ])('reads an instant given as $name into epoch seconds', ({ input, seconds }) => {
    // Act
    const request = parseMintRequest({ subject: 'test1', expiresAt: input, notBefore: input });

    // Assess
    expect(request.expiresAt).toBe(seconds);
    expect(request.notBefore).toBe(seconds);
  });

  test('reads an ISO-8601 offset written as hours alone (+08), which the schema admits', () => {
    // Act
    const request = parseMintRequest({ subject: 'test1', expiresAt: '2030-03-18T01:56:40+08' });

    // Assess
    expect(request.expiresAt).toBe(1_900_000_600);
  });

  test.each([
    { name: 'a half-hour offset', input: '2030-03-17T23:26:40+05:30', seconds: 1_900_000_600 },
    { name: 'an offset without a colon', input: '2030-03-18T01:56:40+0800', seconds: 1_900_000_600 },
    { name: 'the largest offset, +23:59', input: '2030-03-18T17:55:40+23:59', seconds: 1_900_000_600 },
    { name: 'no seconds', input: '2030-03-17T17:56Z', seconds: 1_900_000_560 },
    { name: 'a space for the T and a lower-case z', input: '2030-03-17 17:56:40z', seconds: 1_900_000_600 },
  ])('reads an ISO-8601 timestamp with $name', ({ input, seconds }) => {
    // Act
    const request = parseMintRequest({ subject: 'test1', expiresAt: input });

    // Assess
    expect(request.expiresAt).toBe(seconds);
  });

  test.each([
    { name: 'an offset of 24 hours', input: '2030-03-18T17:56:40+24:00' },
    { name: 'an offset of 60 minutes', input: '2030-03-18T01:56:40+08:60' },
    { name: 'a thirteenth month', input: '2030-13-01T00:00:00Z' },
    { name: 'a year before 100, which Date.UTC would read as 19xx', input: '0050-01-01T00:00:00Z' },
    { name: 'text before the timestamp', input: 'x2030-03-17T17:56:40Z' },
    { name: 'text after the timestamp', input: '2030-03-17T17:56:40Zx' },
  ])('refuses an ISO-8601 timestamp with $name instead of reading it some other way', ({ input }) => {
    // Act
    const error = refusalOf({ subject: 'test1', expiresAt: input });

    // Assess
    expect(error).toMatchObject({ code: 'INVALID_REQUEST', message: 'Field "expiresAt" must be epoch seconds, an ISO-8601 timestamp with a zone, or {"seconds": n, "nanos": n}.' });
  });

  test('refuses an ISO-8601 date that does not exist (30 February) instead of rolling it into March', () => {
    // Act
    const error = refusalOf({ subject: 'test1', expiresAt: '2030-02-30T00:00:00Z' });

    // Assess
    expect(error.code).toBe('INVALID_REQUEST');
    expect(error.message).toContain('expiresAt');
  });

  test.each([
    { name: 'a string', audience: 'mfs' },
    { name: 'an array of strings', audience: ['mfs', 'billing'] },
  ])('accepts an audience given as $name', ({ audience }) => {
    // Act
    const request = parseMintRequest({ subject: 'test1', audience });

    // Assess
    expect(request.audience).toEqual(audience);
  });

  test('accepts authorities as an array of strings', () => {
    // Act
    const request = parseMintRequest({ subject: 'test1', authorities: ['push', 'query'] });

    // Assess
    expect(request.authorities).toEqual(['push', 'query']);
  });

  test('accepts a subject of exactly 256 characters', () => {
    // Act
    const request = parseMintRequest({ subject: 's'.repeat(256) });

    // Assess
    expect(request.subject).toHaveLength(256);
  });

  test.each([null, [], ['subject'], 'subject', 42, true, undefined])('refuses the non-object body %p with INVALID_REQUEST', (body) => {
    // Act
    const error = refusalOf(body);

    // Assess
    expect(error.code).toBe('INVALID_REQUEST');
    expect(error.statusCode).toBe(400);
    expect(error.message).toBe('The request body must be a JSON object.');
  });

  test.each<{ name: string; body: Record<string, unknown>; field: string; code?: MintErrorCode; message: string }>([
    { name: 'a missing subject', body: {}, field: 'subject', message: 'Field "subject" is required.' },
    { name: 'an empty subject', body: { subject: '' }, field: 'subject', message: 'Field "subject" must not be empty.' },
    { name: 'a numeric subject', body: { subject: 1 }, field: 'subject', message: 'Field "subject" is required and must be a string.' },
    { name: 'a null subject', body: { subject: null }, field: 'subject', message: 'Field "subject" is required and must be a string.' },
    { name: 'a subject with a line break', body: { subject: 'a\nb' }, field: 'subject', message: 'Field "subject" must not hold control, format or line-separator characters.' },
    { name: 'a subject of 257 characters', body: { subject: 's'.repeat(257) }, field: 'subject', message: 'Field "subject" must be at most 256 characters.' },
    { name: 'an expiresAt that is not an instant', body: { subject: 'x', expiresAt: 'next week' }, field: 'expiresAt', message: 'Field "expiresAt" must be epoch seconds, an ISO-8601 timestamp with a zone, or {"seconds": n, "nanos": n}.' },
    { name: 'an ISO expiresAt without a zone', body: { subject: 'x', expiresAt: '2030-03-17T17:56:40' }, field: 'expiresAt', message: 'Field "expiresAt" must be epoch seconds, an ISO-8601 timestamp with a zone, or {"seconds": n, "nanos": n}.' },
    { name: 'a date-only expiresAt', body: { subject: 'x', expiresAt: '2030-03-17' }, field: 'expiresAt', message: 'Field "expiresAt" must be epoch seconds, an ISO-8601 timestamp with a zone, or {"seconds": n, "nanos": n}.' },
    { name: 'an infinite-looking expiresAt string', body: { subject: 'x', expiresAt: 'Infinity' }, field: 'expiresAt', message: 'Field "expiresAt" must be epoch seconds, an ISO-8601 timestamp with a zone, or {"seconds": n, "nanos": n}.' },
    { name: 'a boolean expiresAt', body: { subject: 'x', expiresAt: false }, field: 'expiresAt', message: 'Field "expiresAt" must be epoch seconds, an ISO-8601 timestamp with a zone, or {"seconds": n, "nanos": n}.' },
    { name: 'an array expiresAt', body: { subject: 'x', expiresAt: [1] }, field: 'expiresAt', message: 'Field "expiresAt" must be epoch seconds, an ISO-8601 timestamp with a zone, or {"seconds": n, "nanos": n}.' },
    { name: 'an expiresAt object without seconds', body: { subject: 'x', expiresAt: { nanos: 1 } }, field: 'expiresAt', message: 'Field "expiresAt" must be epoch seconds, an ISO-8601 timestamp with a zone, or {"seconds": n, "nanos": n}.' },
    { name: 'an expiresAt object with fractional seconds', body: { subject: 'x', expiresAt: { seconds: 1.5 } }, field: 'expiresAt', message: 'Field "expiresAt" must be epoch seconds, an ISO-8601 timestamp with a zone, or {"seconds": n, "nanos": n}.' },
    { name: 'an expiresAt object with negative nanos', body: { subject: 'x', expiresAt: { seconds: 1, nanos: -1 } }, field: 'expiresAt', message: 'Field "expiresAt" must be epoch seconds, an ISO-8601 timestamp with a zone, or {"seconds": n, "nanos": n}.' },
    { name: 'an expiresAt object with an unknown field', body: { subject: 'x', expiresAt: { seconds: 1, millis: 1 } }, field: 'expiresAt', message: 'Field "expiresAt" must be epoch seconds, an ISO-8601 timestamp with a zone, or {"seconds": n, "nanos": n}.' },
    { name: 'a notBefore that is not an instant', body: { subject: 'x', notBefore: 'later' }, field: 'notBefore', message: 'Field "notBefore" must be epoch seconds, an ISO-8601 timestamp with a zone, or {"seconds": n, "nanos": n}.' },
    { name: 'an empty audience string', body: { subject: 'x', audience: '' }, field: 'audience', message: 'Field "audience" must not be empty.' },
    { name: 'an empty audience array', body: { subject: 'x', audience: [] }, field: 'audience', message: 'Field "audience" must not be an empty array.' },
    { name: 'an audience array with an empty string', body: { subject: 'x', audience: ['mfs', ''] }, field: 'audience', message: 'Field "audience" must be a non-empty string or a non-empty array of strings.' },
    { name: 'an object audience', body: { subject: 'x', audience: { mfs: true } }, field: 'audience', message: 'Field "audience" must be a non-empty string or a non-empty array of strings.' },
    { name: 'an audience of 257 characters', body: { subject: 'x', audience: 'a'.repeat(257) }, field: 'audience', message: 'Field "audience" must be at most 256 characters.' },
    { name: 'an audience array of 65 entries', body: { subject: 'x', audience: Array.from({ length: 65 }, (_, i) => `a${i}`) }, field: 'audience', message: 'Field "audience" must have at most 64 entries.' },
    { name: 'authorities as a string', body: { subject: 'x', authorities: 'push' }, field: 'authorities', message: 'Field "authorities" must be an array of strings.' },
    { name: 'authorities with a number', body: { subject: 'x', authorities: ['push', 2] }, field: 'authorities', message: 'Field "authorities.1" must be a string.' },
    { name: 'authorities with an empty string', body: { subject: 'x', authorities: [''] }, field: 'authorities', message: 'Field "authorities.0" must not be empty.' },
    { name: 'authorities of 65 entries', body: { subject: 'x', authorities: Array.from({ length: 65 }, (_, i) => `s${i}`) }, field: 'authorities', message: 'Field "authorities" must have at most 64 entries.' },
    { name: 'the typo "scopes"', body: { subject: 'x', scopes: ['push'] }, field: 'scopes', code: 'UNKNOWN_FIELD', message: 'Unknown field "scopes". Allowed fields: subject, expiresAt, notBefore, audience, authorities, jwtId, issuer.' },
    { name: 'the typo "scope"', body: { subject: 'x', scope: 'push' }, field: 'scope', code: 'UNKNOWN_FIELD', message: 'Unknown field "scope". Allowed fields: subject, expiresAt, notBefore, audience, authorities, jwtId, issuer.' },
    { name: 'the typo "expiresIn"', body: { subject: 'x', expiresIn: 60 }, field: 'expiresIn', code: 'UNKNOWN_FIELD', message: 'Unknown field "expiresIn". Allowed fields: subject, expiresAt, notBefore, audience, authorities, jwtId, issuer.' },
    { name: 'an unknown field "constructor"', body: { subject: 'x', constructor: 'y' }, field: 'constructor', code: 'UNKNOWN_FIELD', message: 'Unknown field "constructor". Allowed fields: subject, expiresAt, notBefore, audience, authorities, jwtId, issuer.' },
    { name: 'an unknown field "toString"', body: { subject: 'x', toString: 'y' }, field: 'toString', code: 'UNKNOWN_FIELD', message: 'Unknown field "toString". Allowed fields: subject, expiresAt, notBefore, audience, authorities, jwtId, issuer.' },
    { name: 'an unknown field "__proto__" from JSON', body: JSON.parse('{"subject":"x","__proto__":{"admin":true}}') as Record<string, unknown>, field: '__proto__', code: 'UNKNOWN_FIELD', message: 'Unknown field "__proto__". Allowed fields: subject, expiresAt, notBefore, audience, authorities, jwtId, issuer.' },
  ])('refuses $name, naming the field', ({ body, field, code, message }) => {
    // Act
    const error = refusalOf(body);

    // Assess
    expect(error.code).toBe(code ?? 'INVALID_REQUEST');
    expect(error.statusCode).toBe(400);
    expect(error.expose).toBe(true);
    expect(error.message).toContain(`"${field}`);
    expect(error.message).toBe(message);
  });

  test('names an unknown field even when the known fields are all valid', () => {
    // Act
    const error = refusalOf({ subject: 'x', expiresAt: 1_900_000_600, audience: 'mfs', authorities: ['push'], extra: 1 });

    // Assess
    expect(error.code).toBe('UNKNOWN_FIELD');
    expect(error.message).toContain('extra');
  });
});
