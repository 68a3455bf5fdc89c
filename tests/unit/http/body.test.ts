import { MintError } from '../../../lib/errors';
import { assertBodySize, directFormFields, isFormMediaType, isJsonMediaType, MAX_BODY_BYTES, parseDirectBody } from '../../../lib/http/body';

function failureOf(run: () => unknown): MintError {
  try {
    run();
  } catch (error) {
    if (error instanceof MintError) return error;
    throw error;
  }
  throw new Error('expected a MintError');
}

/** A string of exactly `bytes` UTF-8 bytes. */
const textOf = (bytes: number) => 'a'.repeat(bytes);

describe('isJsonMediaType', () => {
  test.each(['application/json', 'Application/JSON', 'application/json; charset=utf-8', 'application/problem+json', ' application/json '])(
    'reads %p as JSON',
    (contentType) => {
      expect(isJsonMediaType(contentType)).toBe(true);
    },
  );

  test.each([undefined, '', 'text/json', 'text/plain', 'application/jsonx', 'application/x-www-form-urlencoded', 'multipart/form-data'])(
    'does not read %p as JSON',
    (contentType) => {
      expect(isJsonMediaType(contentType)).toBe(false);
    },
  );
});

describe('isFormMediaType', () => {
  test.each(['application/x-www-form-urlencoded', 'Application/X-WWW-Form-URLEncoded', 'application/x-www-form-urlencoded; charset=UTF-8', ' application/x-www-form-urlencoded '])(
    'reads %p as a form',
    (contentType) => {
      expect(isFormMediaType(contentType)).toBe(true);
    },
  );

  test.each([undefined, '', 'application/json', 'multipart/form-data', 'application/x-www-form-urlencodedx', 'text/plain', 'application/x-www-form-urlencoded+json'])(
    'does not read %p as a form',
    (contentType) => {
      expect(isFormMediaType(contentType)).toBe(false);
    },
  );
});

describe('directFormFields', () => {
  test('takes string fields, and arrays of strings for a field given more than once, into an object without a prototype', () => {
    // Act
    const fields = directFormFields({ grant_type: 'x', audience: ['a', 'b'] });

    // Assess
    expect({ ...fields }).toEqual({ grant_type: 'x', audience: ['a', 'b'] });
    expect(Object.getPrototypeOf(fields)).toBeNull();
  });

  test.each([undefined, null])('reads the absent body %p as an empty form', (body) => {
    expect({ ...directFormFields(body) }).toEqual({});
  });

  test.each([
    ['a number field', { grant_type: 1 }],
    ['an object field', { grant_type: { a: 'b' } }],
    ['an array holding a number', { audience: ['a', 2] }],
    ['an array body', ['grant_type']],
    ['a number body', 42],
  ])('refuses %s with INVALID_REQUEST (400)', (_case, body) => {
    expect(failureOf(() => directFormFields(body))).toMatchObject({ code: 'INVALID_REQUEST', statusCode: 400 });
  });
});

describe('assertBodySize', () => {
  test.each([
    { name: 'a text body of exactly 16 KiB', body: textOf(MAX_BODY_BYTES), base64: false },
    { name: 'no body', body: undefined, base64: false },
    { name: 'a null body', body: null, base64: false },
    { name: 'an object body of exactly 16 KiB as JSON', body: { s: textOf(MAX_BODY_BYTES - 8) }, base64: false },
    { name: 'a base64 body decoding to 16 KiB - 1 bytes', body: Buffer.from(textOf(MAX_BODY_BYTES - 1)).toString('base64'), base64: true },
  ])('accepts $name', ({ body, base64 }) => {
    // Act
    const check = () => assertBodySize(body, base64);

    // Assess
    expect(check).not.toThrow();
  });

  test('accepts a base64 body decoding to exactly 16 KiB', () => {
    // Prepare
    const body = Buffer.from(textOf(MAX_BODY_BYTES)).toString('base64');

    // Act
    const check = () => assertBodySize(body, true);

    // Assess
    expect(check).not.toThrow();
  });

  test.each([
    { name: 'a text body of 16 KiB + 1 byte', body: textOf(MAX_BODY_BYTES + 1), base64: false },
    { name: 'a text body whose multi-byte characters pass 16 KiB', body: 'é'.repeat(MAX_BODY_BYTES / 2 + 1), base64: false },
    { name: 'an object body over 16 KiB as JSON', body: { s: textOf(MAX_BODY_BYTES) }, base64: false },
    { name: 'a base64 body decoding to 16 KiB + 3 bytes', body: Buffer.from(textOf(MAX_BODY_BYTES + 3)).toString('base64'), base64: true },
  ])('refuses $name with BODY_TOO_LARGE (413)', ({ body, base64 }) => {
    // Act
    const error = failureOf(() => assertBodySize(body, base64));

    // Assess
    expect(error.code).toBe('BODY_TOO_LARGE');
    expect(error.statusCode).toBe(413);
  });
});

describe('parseDirectBody', () => {
  test('passes an object body through as it is', () => {
    // Prepare
    const body = { subject: 'test1' };

    // Act
    const parsed = parseDirectBody(body);

    // Assess
    expect(parsed).toBe(body);
  });

  test('parses a JSON string body', () => {
    // Act
    const parsed = parseDirectBody('{"subject":"test1"}');

    // Assess
    expect(parsed).toEqual({ subject: 'test1' });
  });

  test('passes an absent body through for the schema to refuse', () => {
    // Act
    const parsed = parseDirectBody(undefined);

    // Assess
    expect(parsed).toBeUndefined();
  });

  test.each(['{"subject":', '', 'subject=test1'])('refuses the malformed JSON string %p with MALFORMED_JSON (400)', (body) => {
    // Act
    const error = failureOf(() => parseDirectBody(body));

    // Assess
    expect(error.code).toBe('MALFORMED_JSON');
    expect(error.statusCode).toBe(400);
  });
});
