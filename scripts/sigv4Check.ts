/**
 * The Secrets Manager stand-in's check of AWS Signature Version 4, as the real service checks it:
 * a key id it knows, a credential scope naming its region and service and the request's date, a
 * date within 15 minutes, and a signature that the SDK's own signer, given the secret key, computes
 * again over the headers the request says it signed and over its body. So a signing mistake in a
 * client fails here, on this machine, rather than in AWS.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';

/** The dummy identities of this project's local runs: the local stack, the tests and the bench. */
export const STAND_IN_CREDENTIALS: Readonly<Record<string, string>> = Object.freeze({ local: 'local', test: 'test', bench: 'bench' });

/** What the real service answers a badly signed request with. */
export interface SignatureRefusal {
  readonly type: string;
  readonly message: string;
  readonly status: number;
}

const AUTHORIZATION = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/;
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
const MAX_SKEW_MS = 15 * 60_000;

/** Why the request's signature would be refused by the real service, or undefined when it would not. */
export async function signatureRefusal(
  request: IncomingMessage,
  body: string,
  expected: { readonly region: string; readonly service: string; readonly credentials: Readonly<Record<string, string>> },
): Promise<SignatureRefusal | undefined> {
  const authorization = request.headers.authorization;
  if (!authorization) return { type: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token', status: 400 };
  const parts = AUTHORIZATION.exec(authorization);
  const amzDate = request.headers['x-amz-date'];
  const date = typeof amzDate === 'string' ? AMZ_DATE.exec(amzDate) : null;
  if (!parts || !date) {
    return { type: 'IncompleteSignatureException', message: 'The Authorization or X-Amz-Date header is malformed.', status: 400 };
  }
  const [, accessKeyId = '', scopeDate, region, service, signedHeaderList = '', signature = ''] = parts;
  const secretAccessKey = expected.credentials[accessKeyId];
  if (secretAccessKey === undefined) {
    return { type: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.', status: 400 };
  }
  if (region !== expected.region || service !== expected.service || scopeDate !== amzDate?.slice(0, 8)) {
    return { type: 'InvalidSignatureException', message: `Credential should be scoped to ${expected.region}/${expected.service} on the request's date.`, status: 400 };
  }
  const signedAt = new Date(Date.UTC(Number(date[1]), Number(date[2]) - 1, Number(date[3]), Number(date[4]), Number(date[5]), Number(date[6])));
  if (Math.abs(Date.now() - signedAt.getTime()) > MAX_SKEW_MS) {
    return { type: 'InvalidSignatureException', message: 'Signature expired: the request is dated more than 15 minutes from now.', status: 400 };
  }
  const signedHeaders = signedHeaderList.split(';');
  if (!signedHeaders.includes('host') || !signedHeaders.includes('x-amz-date')) {
    return { type: 'InvalidSignatureException', message: 'The signed headers must include host and x-amz-date.', status: 400 };
  }
  const headers: Record<string, string> = {};
  for (const name of signedHeaders) {
    const value = request.headers[name];
    if (value === undefined) return { type: 'InvalidSignatureException', message: `The signed header ${name} is missing.`, status: 400 };
    headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  // A signed content hash stands for the body in the signature: it must be the hash of the body sent.
  const contentHash = headers['x-amz-content-sha256'];
  if (contentHash !== undefined && contentHash !== createHash('sha256').update(body).digest('hex')) {
    return { type: 'InvalidSignatureException', message: 'The x-amz-content-sha256 header does not match the body.', status: 400 };
  }
  const url = new URL(request.url ?? '/', 'http://stand-in');
  const sessionToken = headers['x-amz-security-token'];
  const signer = new SignatureV4({
    service: expected.service,
    region: expected.region,
    credentials: { accessKeyId, secretAccessKey, ...(sessionToken === undefined ? {} : { sessionToken }) },
    sha256: Hash.bind(null, 'sha256'),
    // Sign exactly the headers the request names: add no content hash of our own.
    applyChecksum: false,
  });
  const recomputed = await signer.sign(
    { method: request.method ?? 'POST', protocol: 'http:', hostname: url.hostname, path: url.pathname, query: Object.fromEntries(url.searchParams), headers, body },
    { signingDate: signedAt, signableHeaders: new Set(signedHeaders) },
  );
  const expectedSignature = /Signature=([0-9a-f]{64})/.exec(String(recomputed.headers.authorization))?.[1] ?? '';
  if (expectedSignature.length !== signature.length || !timingSafeEqual(Buffer.from(expectedSignature), Buffer.from(signature))) {
    return {
      type: 'InvalidSignatureException',
      message: 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.',
      status: 400,
    };
  }
  return undefined;
}
