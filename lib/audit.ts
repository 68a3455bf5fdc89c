/**
 * The audit trail's record: one per decision of an audited route. Domain functions return these
 * facts with what they decided, or throw a MintError carrying them.
 */
import { loggableList, loggableText } from './logText';

/** What is known about one decision. */
// Type aliases rather than interfaces, so records pass as plain log attributes.
export type AuditFacts = {
  readonly callerSub?: string;
  readonly subject?: string;
  readonly aud?: string | readonly string[];
  readonly scope?: readonly string[];
  readonly jti?: string;
  readonly exp?: number;
  /** Issued: the minted token's `act`, the chain of callers that led to it, nearest first. */
  readonly act?: AuditActor;
  /** The token endpoint's grant (`token-exchange`); absent on the original route's lines. */
  readonly grant?: 'token-exchange';
};

/** An `act` chain as the audit line records it. */
type AuditActor = { readonly sub: string; readonly act?: AuditActor };

/** One structured audit line: who asked, for whom, and what was decided. Never a token or a key. */
export type AuditRecord = AuditFacts & {
  readonly audit: 'issued' | 'denied';
  readonly reason?: string;
  readonly status: number;
};

/**
 * Builds the audit record for a decision; a denial carries its stable error code and status.
 * Every string that came from a request or a token is made loggable (escaped, bounded), so no
 * record can split a log line or grow with what a caller sends.
 */
export function auditRecord(
  decision: 'issued' | 'denied',
  facts: AuditFacts,
  denial?: { readonly reason: string; readonly status: number },
): AuditRecord {
  const { callerSub, subject, aud, scope, jti, exp, act, grant } = facts;
  return {
    audit: decision,
    status: denial?.status ?? 200,
    ...(denial ? { reason: denial.reason } : {}),
    ...(grant === undefined ? {} : { grant }),
    ...(callerSub === undefined ? {} : { callerSub: loggableText(callerSub) }),
    ...(subject === undefined ? {} : { subject: loggableText(subject) }),
    ...(aud === undefined ? {} : { aud: typeof aud === 'string' ? loggableText(aud) : loggableList(aud) }),
    ...(scope === undefined ? {} : { scope: loggableList(scope) }),
    ...(jti === undefined ? {} : { jti: loggableText(jti) }),
    ...(exp === undefined ? {} : { exp }),
    ...(act === undefined ? {} : { act: loggableActor(act) }),
  };
}

function loggableActor(actor: AuditActor): AuditActor {
  return actor.act === undefined ? { sub: loggableText(actor.sub) } : { sub: loggableText(actor.sub), act: loggableActor(actor.act) };
}
