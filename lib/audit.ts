import type { MintErrorCode } from './errors';

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
