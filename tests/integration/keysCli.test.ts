import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { JSONWebKeySet } from 'jose';
import type { StoredJwk } from '../../lib/keys/jwk';
import { secretWriter } from '../../lib/secrets/secretsManager';
import { importSigningKeys, signingKeyAt } from '../../lib/keys/signingKeys';
import { startSecretsManagerStandIn, type SecretsManagerStandIn } from '../../scripts/secretsManagerStandIn';
import { keySetSecret, PRIVATE_MEMBERS, privateJwk } from '../helpers/keys';
import { runKeys } from '../helpers/keysCli';

const SECRET_ID = 'jwt-mint/test/signing-secret';
let standIn: SecretsManagerStandIn;
let client: SecretsManagerClient;

beforeAll(async () => {
  standIn = await startSecretsManagerStandIn({ secrets: {} });
  client = new SecretsManagerClient({ endpoint: standIn.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
});

afterEach(async () => {
  await standIn.clearFault();
  standIn.resetCallCount();
});

afterAll(async () => {
  client.destroy();
  await standIn.close();
});

const WINDOWS = { MAX_TTL_SECONDS: '3600', DEFAULT_TTL_SECONDS: '600', SECRET_CACHE_SECONDS: '60' };

function operatorRuns(args: string[], options: { stdin?: string; env?: Record<string, string> } = {}) {
  return runKeys(args, { endpoint: standIn.endpoint, stdin: options.stdin, env: { ...WINDOWS, ...options.env } });
}

async function currentSecret(): Promise<string> {
  return String((await client.send(new GetSecretValueCommand({ SecretId: SECRET_ID }))).SecretString);
}

test('keys new prints a key set of the asked algorithm that the service loads', async () => {
  const result = await operatorRuns(['new', '--alg', 'ES384']);

  expect(result.code).toBe(0);
  const keys = await importSigningKeys(result.stdout);
  expect(keys.publicKeys).toEqual([expect.objectContaining({ alg: 'ES384', kty: 'EC', crv: 'P-384' })]);
});

test('keys public prints the JWKS from stdin without a private member', async () => {
  const secret = keySetSecret(await privateJwk('RS256', { kid: 'rsa' }), await privateJwk('HS256', { kid: 'hmac' }));

  const result = await operatorRuns(['public', '--file', '-'], { stdin: secret });

  expect(result.code).toBe(0);
  const jwks = JSON.parse(result.stdout) as JSONWebKeySet;
  expect(jwks.keys.map((key) => key.kid)).toEqual(['rsa']);
  for (const member of PRIVATE_MEMBERS) expect(jwks.keys[0]).not.toHaveProperty(member);
});

test('keys rotate from stdin prints the rotated set and touches no secret', async () => {
  const current = await privateJwk('EdDSA', { kid: 'current' });

  const result = await operatorRuns(['rotate', '--file', '-'], { stdin: keySetSecret(current) });

  expect(result.code).toBe(0);
  const keys = (JSON.parse(result.stdout) as { keys: StoredJwk[] }).keys;
  expect(keys.map((jwk) => [jwk.alg, jwk.kid === 'current'])).toEqual([
    ['EdDSA', false],
    ['EdDSA', true],
  ]);
  // Twice SECRET_CACHE_SECONDS plus API Gateway's two-hour JWKS cache between publishing and signing.
  expect((keys[0]?.nbf ?? 0) - Math.floor(Date.now() / 1000)).toBeGreaterThanOrEqual(2 * 60 + 7200 - 2);
  expect(keys[1]?.retired_at).toBe(keys[0]?.nbf);
  expect(standIn.callCount()).toBe(0);
});

test('keys rotate with SIGNING_SECRET_ID writes a new AWSCURRENT version through PutSecretValue', async () => {
  const current = await privateJwk('ES256', { kid: 'current' });
  standIn.putSecret(SECRET_ID, keySetSecret(current));

  const result = await operatorRuns(['rotate', '--alg', 'PS256'], { env: { SIGNING_SECRET_ID: SECRET_ID } });

  expect(result.code).toBe(0);
  expect(result.stdout).toBe('');
  expect(result.stderr).toMatch(/Added PS256 key ".+": published now, signs from/);
  expect(standIn.callCount('PutSecretValue')).toBe(1);
  const rotated = await currentSecret();
  const keys = await importSigningKeys(rotated);
  expect(keys.publicKeys.map((jwk) => [jwk.alg, jwk.kid === 'current'])).toEqual([
    ['PS256', false],
    ['ES256', true],
  ]);
  expect(signingKeyAt(keys, new Date()).kid).toBe('current');
  const previous = await client.send(new GetSecretValueCommand({ SecretId: SECRET_ID, VersionStage: 'AWSPREVIOUS' }));
  expect(previous.SecretString).toBe(keySetSecret(current));
});

test('keys rotate --dry-run prints the rotated set and writes nothing', async () => {
  standIn.putSecret(SECRET_ID, keySetSecret(await privateJwk('ES256', { kid: 'current' })));
  const before = await currentSecret();

  const result = await operatorRuns(['rotate', '--dry-run'], { env: { SIGNING_SECRET_ID: SECRET_ID } });

  expect(result.code).toBe(0);
  expect(JSON.parse(result.stdout).keys).toHaveLength(2);
  expect(standIn.callCount('PutSecretValue')).toBe(0);
  expect(await currentSecret()).toBe(before);
});

test('keys rotate fails with exit code 1 and writes nothing when the secret cannot be read', async () => {
  standIn.putSecret(SECRET_ID, keySetSecret(await privateJwk('ES256', { kid: 'current' })));
  await standIn.injectFault({ kind: 'AccessDeniedException' });

  const result = await operatorRuns(['rotate'], { env: { SIGNING_SECRET_ID: SECRET_ID } });

  expect(result.code).toBe(1);
  expect(result.stderr).toMatch(/keys: Fetching secret ".+" failed: AccessDeniedException/);
  expect(standIn.callCount('PutSecretValue')).toBe(0);
});

test('the secret writer reports a denied PutSecretValue as SECRET_UNAVAILABLE, naming the SDK error', async () => {
  standIn.putSecret(SECRET_ID, 'unchanged-secret-of-more-than-32-bytes');
  await standIn.injectFault({ kind: 'AccessDeniedException' }, { times: 1 });

  const writing = secretWriter(client, SECRET_ID)('{"keys": []}');

  await expect(writing).rejects.toMatchObject({
    code: 'SECRET_UNAVAILABLE',
    message: expect.stringContaining('AccessDeniedException'),
  });
  expect(await currentSecret()).toBe('unchanged-secret-of-more-than-32-bytes');
});

test('keys rotate refuses a secret the service would refuse, writing nothing', async () => {
  const twin = await privateJwk('ES256', { kid: 'twin' });
  standIn.putSecret(SECRET_ID, keySetSecret(twin, twin));

  const result = await operatorRuns(['rotate'], { env: { SIGNING_SECRET_ID: SECRET_ID } });

  expect(result.code).toBe(1);
  expect(result.stderr).toMatch(/kid "twin" appears twice/);
  expect(standIn.callCount('PutSecretValue')).toBe(0);
});

test('keys rotate --drop-all replaces every key, and insists on --publish-delay 0 to leave a signer', async () => {
  const leaked = keySetSecret(await privateJwk('ES256', { kid: 'leaked-1' }), await privateJwk('HS256', { kid: 'leaked-2' }));

  const refused = await operatorRuns(['rotate', '--file', '-', '--drop-all'], { stdin: leaked });
  const replaced = await operatorRuns(['rotate', '--file', '-', '--drop-all', '--publish-delay', '0'], { stdin: leaked });

  expect(refused.code).toBe(1);
  expect(refused.stderr).toMatch(/--publish-delay 0/);
  expect(replaced.code).toBe(0);
  const keys = (JSON.parse(replaced.stdout) as { keys: StoredJwk[] }).keys;
  expect(keys).toHaveLength(1);
  expect(keys[0]?.kid).not.toMatch(/^leaked/);
  expect(replaced.stderr).toMatch(/Dropped now: "leaked-1", "leaked-2"/);
});
