import { auditRecord, type AuditFacts } from '../../lib/audit';

const FACTS: AuditFacts = {
  callerSub: 'caller-1',
  subject: 'test1',
  aud: 'mfs',
  scope: ['generateJwt', 'push'],
  jti: '6805905b-de99-4304-9268-8a43b35c26bd',
  exp: 1_900_043_200,
};

describe('auditRecord', () => {
  test('records an issued token with status 200 and every fact, and no reason', () => {
    // Act
    const record = auditRecord('issued', FACTS);

    // Assess
    expect(record).toEqual({ audit: 'issued', status: 200, ...FACTS });
    expect(record).not.toHaveProperty('reason');
  });

  test('records a denial with its reason and status, and what was known when it happened', () => {
    // Act
    const record = auditRecord('denied', { subject: 'test1' }, { reason: 'TOKEN_EXPIRED', status: 401 });

    // Assess
    expect(record).toEqual({ audit: 'denied', status: 401, reason: 'TOKEN_EXPIRED', subject: 'test1' });
  });

  test('records a denial that happened before anything was known', () => {
    // Act
    const record = auditRecord('denied', {}, { reason: 'MALFORMED_JSON', status: 400 });

    // Assess
    expect(record).toEqual({ audit: 'denied', status: 400, reason: 'MALFORMED_JSON' });
  });

  test('holds only the documented fields: nothing that could carry a token or a key', () => {
    // Act
    const record = auditRecord('denied', FACTS, { reason: 'SCOPE_ESCALATION', status: 403 });

    // Assess
    expect(Object.keys(record).sort()).toEqual(['aud', 'audit', 'callerSub', 'exp', 'jti', 'reason', 'scope', 'status', 'subject']);
  });

  test('names the token endpoint\'s grant, and only on its lines', () => {
    // Act
    const exchanged = auditRecord('issued', { ...FACTS, grant: 'token-exchange' });
    const minted = auditRecord('issued', FACTS);

    // Assess
    expect(exchanged).toMatchObject({ audit: 'issued', grant: 'token-exchange' });
    expect(minted).not.toHaveProperty('grant');
  });
});
