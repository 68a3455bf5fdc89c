/**
 * Stands in for lib/secrets/getSecretValue.ts in the bench's "aws-lite" variant: the function
 * fetches its secret with @aws-lite/client (Architect's lightweight AWS client), one retry, the
 * same total bound.
 */
import awsLite from '@aws-lite/client';
import { MintError } from '../../lib/errors';
import type { FetchedSecret } from '../../lib/keys/keyCache';
import { FETCH_LIMITS, type StoreAccess } from '../../lib/secrets/store';

export function secretValueFetcher(access: StoreAccess, secretId: string): () => Promise<FetchedSecret> {
  const client = awsLite({
    region: access.region,
    ...access.credentials,
    endpoint: access.endpoint.href,
    retries: FETCH_LIMITS.maxAttempts - 1,
    keepAlive: true,
  });
  return async () => {
    let payload: Record<string, unknown>;
    try {
      const aws = await client;
      const answer = await Promise.race([
        aws({
          service: 'secretsmanager',
          path: '/',
          headers: { 'X-Amz-Target': 'secretsmanager.GetSecretValue', 'Content-Type': 'application/x-amz-json-1.1' },
          payload: { SecretId: secretId },
          awsjson: false,
        }),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), FETCH_LIMITS.totalTimeoutMs).unref()),
      ]);
      payload = answer.payload;
    } catch {
      throw new MintError('SECRET_UNAVAILABLE', `Fetching secret "${secretId}" failed.`);
    }
    if (typeof payload.SecretString !== 'string') throw new MintError('SIGNING_KEY_UNUSABLE', `Secret "${secretId}" has no SecretString.`);
    return { secretString: payload.SecretString, versionId: typeof payload.VersionId === 'string' ? payload.VersionId : undefined };
  };
}
