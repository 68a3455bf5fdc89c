import { describeStoreError } from '../../../lib/secrets/store';

/** An error shaped as the SDK throws them: a name, and the response's metadata. */
function storeError(name: string, message: string, metadata: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(message), { name, $metadata: metadata, ...extra });
}

const REQUEST_ID = '3a670836-29ee-4f68-a689-cc4b59755571';

describe('describeStoreError', () => {
  test('names a known error with its HTTP status and request id, and never its message', () => {
    // Act
    const line = describeStoreError(storeError('SyntaxError', 'Unexpected token \'K\', "KrSSauELBW"... is not valid JSON', { httpStatusCode: 200, requestId: REQUEST_ID }));

    // Assess
    expect(line).toBe(`SyntaxError, HTTP 200, request id ${REQUEST_ID}`);
  });

  test('gives a Node network error its code', () => {
    // Act
    const line = describeStoreError(storeError('Error', 'connect ECONNREFUSED 127.0.0.1:9', {}, { code: 'ECONNREFUSED' }));

    // Assess
    expect(line).toBe('Error, ECONNREFUSED');
  });

  test.each([
    { why: 'an error type that is not a known one', error: storeError('KrSSauELBWq7Zx0pT3mVn8cY', 'odd', { httpStatusCode: 400 }), line: 'an unrecognised error, HTTP 400' },
    { why: 'a request id that is not a UUID', error: storeError('InternalServiceError', 'odd', { requestId: 'KrSSauELBWq7Zx0pT3mVn8cY' }), line: 'InternalServiceError' },
    { why: 'a code that is not a Node error code', error: storeError('Error', 'odd', {}, { code: 'KrSSauELBWq7Zx' }), line: 'Error' },
    { why: 'a thrown value that is not an Error', error: 'KrSSauELBWq7Zx0pT3mVn8cY', line: 'an unrecognised error' },
  ])('leaves out $why', ({ error, line }) => {
    // Act
    const described = describeStoreError(error);

    // Assess
    expect(described).toBe(line);
  });
});
