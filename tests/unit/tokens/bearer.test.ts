import { extractBearerToken } from '../../../lib/tokens/bearer';
import { MintError, type MintErrorCode } from '../../../lib/errors';

function extractionFailure(header: string | undefined | readonly string[]): MintError {
  try {
    extractBearerToken(header === undefined ? [] : typeof header === 'string' ? [header] : header);
  } catch (error) {
    if (error instanceof MintError) return error;
    throw error;
  }
  throw new Error('extractBearerToken accepted a header it should refuse');
}

describe('extractBearerToken', () => {
  test.each([
    { name: 'the usual form', header: 'Bearer abc.def.ghi' },
    { name: 'a lower-case scheme', header: 'bearer abc.def.ghi' },
    { name: 'an upper-case scheme', header: 'BEARER abc.def.ghi' },
    { name: 'several spaces after the scheme', header: 'Bearer   abc.def.ghi' },
    { name: 'trailing spaces', header: 'Bearer abc.def.ghi  ' },
  ])('takes the token from $name', ({ header }) => {
    // Act
    const token = extractBearerToken([header]);

    // Assess
    expect(token).toBe('abc.def.ghi');
  });

  test.each([
    { name: 'two different values', values: ['Bearer a.b.c', 'Bearer d.e.f'] },
    { name: 'one token under two schemes spellings', values: ['Bearer a.b.c', 'bearer a.b.c'] },
    { name: 'a bearer value and a Basic one', values: ['Basic eDp5', 'Bearer a.b.c'] },
  ])('refuses $name with DUPLICATE_HEADER (400), whatever their order', ({ values }) => {
    // Act
    const forwards = extractionFailure(values);
    const backwards = extractionFailure([...values].reverse());

    // Assess
    expect(forwards).toMatchObject({ code: 'DUPLICATE_HEADER', statusCode: 400, message: 'The request has more than one Authorization header; send exactly one.' });
    expect(backwards).toMatchObject({ code: 'DUPLICATE_HEADER', statusCode: 400 });
  });

  test.each<{ name: string; header: string | undefined; code: MintErrorCode; message: string }>([
    { name: 'no header', header: undefined, code: 'MISSING_TOKEN', message: 'The Authorization header is missing; send "Authorization: Bearer <token>".' },
    { name: 'an empty header', header: '', code: 'MISSING_TOKEN', message: 'The Authorization header is missing; send "Authorization: Bearer <token>".' },
    { name: 'a blank header', header: '   ', code: 'MISSING_TOKEN', message: 'The Authorization header is missing; send "Authorization: Bearer <token>".' },
    { name: 'Basic credentials', header: 'Basic dXNlcjpwYXNz', code: 'MISSING_TOKEN', message: 'The Authorization header must use the Bearer scheme.' },
    { name: 'a bare token without a scheme', header: 'abc.def.ghi', code: 'MISSING_TOKEN', message: 'The Authorization header must use the Bearer scheme.' },
    { name: 'the Bearer scheme without a token', header: 'Bearer', code: 'INVALID_TOKEN', message: 'The Authorization header must hold exactly one bearer token.' },
    { name: 'two tokens', header: 'Bearer abc.def.ghi jkl.mno.pqr', code: 'INVALID_TOKEN', message: 'The Authorization header must hold exactly one bearer token.' },
    { name: 'a scheme that only begins with "Bearer"', header: 'Bearerx abc.def.ghi', code: 'MISSING_TOKEN', message: 'The Authorization header must use the Bearer scheme.' },
    { name: 'a header longer than 8192 characters', header: `Bearer ${'a'.repeat(8200)}`, code: 'INVALID_TOKEN', message: 'The Authorization header is too long to hold a token.' },
  ])('refuses $name with $code, saying what to send', ({ header, code, message }) => {
    // Act
    const error = extractionFailure(header);

    // Assess
    expect(error.code).toBe(code);
    expect(error.statusCode).toBe(401);
    expect(error.message).toBe(message);
  });
});

describe('the edges of the bearer header', () => {
  test('takes the token from a header of exactly 8,192 characters, the longest it reads', () => {
    // Prepare
    const header = `Bearer ${'a'.repeat(8192 - 'Bearer '.length)}`;

    // Act
    const token = extractBearerToken([header]);

    // Assess
    expect(header).toHaveLength(8192);
    expect(token).toHaveLength(8185);
  });

  test('refuses a header of 8,193 characters as INVALID_TOKEN', () => {
    // Act
    const error = extractionFailure(`Bearer ${'a'.repeat(8193 - 'Bearer '.length)}`);

    // Assess
    expect(error.code).toBe('INVALID_TOKEN');
  });

  test.each<{ name: string; header: string; code: MintErrorCode }>([
    { name: 'a scheme that only ends in "Bearer"', header: 'NotBearer abc.def.ghi', code: 'MISSING_TOKEN' },
    { name: 'the Bearer scheme after a leading space', header: ' Bearer abc.def.ghi', code: 'INVALID_TOKEN' },
    { name: 'the Bearer scheme and a tab before the token', header: 'Bearer\tabc.def.ghi', code: 'INVALID_TOKEN' },
  ])('answers $name with $code', ({ header, code }) => {
    // Act
    const error = extractionFailure(header);

    // Assess
    expect(error.code).toBe(code);
  });
});
