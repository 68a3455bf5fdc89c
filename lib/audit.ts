import type { MintErrorCode } from './errors';
import type { MintRequest } from './mint/request';

/** What the audit trail knows about one decision; filled in as the request is checked. */
// Type aliases rather than interfaces, so records pass as plain log attributes.
export type AuditFacts = {
  callerSub?: string;
  subject?: string;
  aud?: string | string[];
  scope?: readonly string[];
  jti?: string;
  exp?: number;
};

/**
 * What a request asks for, known as soon as its body is read: a denial is audited with it, and a
 * mint replaces it with what was actually issued.
 */
export function requestedFacts(request: MintRequest): AuditFacts {
  return {
    subject: request.subject,
    ...(request.audience === undefined ? {} : { aud: request.audience }),
    ...(request.authorities === undefined ? {} : { scope: request.authorities }),
    ...(request.expiresAt === undefined ? {} : { exp: request.expiresAt }),
  };
}

/** One structured audit line: who asked, for whom, and what was decided. Never a token or a key. */
export type AuditRecord = AuditFacts & {
  readonly audit: 'issued' | 'denied';
  readonly requestId: string;
  readonly reason?: MintErrorCode;
  readonly status: number;
};

/** Builds the audit record for a decision. */
export function auditRecord(
  decision: 'issued' | 'denied',
  requestId: string,
  facts: AuditFacts,
  denial?: { readonly reason: MintErrorCode; readonly status: number },
): AuditRecord {
  return {
    audit: decision,
    requestId,
    status: denial?.status ?? 200,
    ...(denial ? { reason: denial.reason } : {}),
    ...facts,
  };
}
