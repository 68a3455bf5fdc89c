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
  });

  test.each<{ name: string; body: Record<string, unknown>; field: string; code?: MintErrorCode }>([
    { name: 'a missing subject', body: {}, field: 'subject' },
    { name: 'an empty subject', body: { subject: '' }, field: 'subject' },
    { name: 'a numeric subject', body: { subject: 1 }, field: 'subject' },
    { name: 'a null subject', body: { subject: null }, field: 'subject' },
    { name: 'a subject of 257 characters', body: { subject: 's'.repeat(257) }, field: 'subject' },
    { name: 'an expiresAt that is not an instant', body: { subject: 'x', expiresAt: 'next week' }, field: 'expiresAt' },
    { name: 'an ISO expiresAt without a zone', body: { subject: 'x', expiresAt: '2030-03-17T17:56:40' }, field: 'expiresAt' },
    { name: 'a date-only expiresAt', body: { subject: 'x', expiresAt: '2030-03-17' }, field: 'expiresAt' },
    { name: 'an infinite-looking expiresAt string', body: { subject: 'x', expiresAt: 'Infinity' }, field: 'expiresAt' },
    { name: 'a boolean expiresAt', body: { subject: 'x', expiresAt: false }, field: 'expiresAt' },
    { name: 'an array expiresAt', body: { subject: 'x', expiresAt: [1] }, field: 'expiresAt' },
    { name: 'an expiresAt object without seconds', body: { subject: 'x', expiresAt: { nanos: 1 } }, field: 'expiresAt' },
    { name: 'an expiresAt object with fractional seconds', body: { subject: 'x', expiresAt: { seconds: 1.5 } }, field: 'expiresAt' },
    { name: 'an expiresAt object with negative nanos', body: { subject: 'x', expiresAt: { seconds: 1, nanos: -1 } }, field: 'expiresAt' },
    { name: 'an expiresAt object with an unknown field', body: { subject: 'x', expiresAt: { seconds: 1, millis: 1 } }, field: 'expiresAt' },
    { name: 'a notBefore that is not an instant', body: { subject: 'x', notBefore: 'later' }, field: 'notBefore' },
    { name: 'an empty audience string', body: { subject: 'x', audience: '' }, field: 'audience' },
    { name: 'an empty audience array', body: { subject: 'x', audience: [] }, field: 'audience' },
    { name: 'an audience array with an empty string', body: { subject: 'x', audience: ['mfs', ''] }, field: 'audience' },
    { name: 'an object audience', body: { subject: 'x', audience: { mfs: true } }, field: 'audience' },
    { name: 'an audience of 257 characters', body: { subject: 'x', audience: 'a'.repeat(257) }, field: 'audience' },
    { name: 'an audience array of 65 entries', body: { subject: 'x', audience: Array.from({ length: 65 }, (_, i) => `a${i}`) }, field: 'audience' },
    { name: 'authorities as a string', body: { subject: 'x', authorities: 'push' }, field: 'authorities' },
    { name: 'authorities with a number', body: { subject: 'x', authorities: ['push', 2] }, field: 'authorities' },
    { name: 'authorities with an empty string', body: { subject: 'x', authorities: [''] }, field: 'authorities' },
    { name: 'authorities of 65 entries', body: { subject: 'x', authorities: Array.from({ length: 65 }, (_, i) => `s${i}`) }, field: 'authorities' },
    { name: 'the typo "scopes"', body: { subject: 'x', scopes: ['push'] }, field: 'scopes', code: 'UNKNOWN_FIELD' },
    { name: 'the typo "scope"', body: { subject: 'x', scope: 'push' }, field: 'scope', code: 'UNKNOWN_FIELD' },
    { name: 'the typo "expiresIn"', body: { subject: 'x', expiresIn: 60 }, field: 'expiresIn', code: 'UNKNOWN_FIELD' },
    { name: 'an unknown field "constructor"', body: { subject: 'x', constructor: 'y' }, field: 'constructor', code: 'UNKNOWN_FIELD' },
    { name: 'an unknown field "toString"', body: { subject: 'x', toString: 'y' }, field: 'toString', code: 'UNKNOWN_FIELD' },
    { name: 'an unknown field "__proto__" from JSON', body: JSON.parse('{"subject":"x","__proto__":{"admin":true}}') as Record<string, unknown>, field: '__proto__', code: 'UNKNOWN_FIELD' },
  ])('refuses $name, naming the field', ({ body, field, code }) => {
    // Act
    const error = refusalOf(body);

    // Assess
    expect(error.code).toBe(code ?? 'INVALID_REQUEST');
    expect(error.statusCode).toBe(400);
    expect(error.expose).toBe(true);
    expect(error.message).toContain(field);
  });

  test('names an unknown field even when the known fields are all valid', () => {
    // Act
    const error = refusalOf({ subject: 'x', expiresAt: 1_900_000_600, audience: 'mfs', authorities: ['push'], extra: 1 });

    // Assess
    expect(error.code).toBe('UNKNOWN_FIELD');
    expect(error.message).toContain('extra');
  });
});
