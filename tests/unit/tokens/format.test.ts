import { MintError } from '../../../lib/errors';
import { isScopeToken, oauthScope } from '../../../lib/tokens/format';

describe('isScopeToken', () => {
  test.each(['push', 'generateJwt', 'mint:tokens', 'https://api.example.com/read', '!#[]~'])('reads %p as an OAuth scope', (scope) => {
    expect(isScopeToken(scope)).toBe(true);
  });

  test.each(['', 'read write', 'a"b', 'a\\b', 'café', 'tab\there', 'line\nbreak'])('does not read %p as an OAuth scope', (scope) => {
    expect(isScopeToken(scope)).toBe(false);
  });
});

describe('oauthScope', () => {
  test('joins scopes with single spaces', () => {
    expect(oauthScope(['push', 'query'])).toBe('push query');
  });

  test('writes no scopes as an empty string', () => {
    expect(oauthScope([])).toBe('');
  });

  test('refuses a scope with a space, which would read as two, with INVALID_SCOPE (400)', () => {
    // Act
    let refusal: unknown;
    try {
      oauthScope(['push', 'read write']);
    } catch (error) {
      refusal = error;
    }

    // Assess
    expect(refusal).toBeInstanceOf(MintError);
    expect(refusal).toMatchObject({ code: 'INVALID_SCOPE', statusCode: 400 });
  });
});
