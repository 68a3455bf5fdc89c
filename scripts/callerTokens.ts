import { randomUUID } from 'node:crypto';
import { importSigningKeys, signingKeyAt } from '../lib/keys/signingKeys';
import { signToken } from '../lib/tokens/sign';
import { epochSeconds } from '../lib/time';

/** Parses a lifetime such as 3600, 90s, 30m, 12h or 7d into seconds. */
export function parseTtl(ttl: string): number {
  const match = /^(\d+)([smhd]?)$/.exec(ttl.trim());
  if (!match) throw new Error(`--ttl "${ttl}" is not a lifetime: use e.g. 3600, 30m, 1h or 7d`);
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86_400 }[match[2] as '' | 's' | 'm' | 'h' | 'd'];
  const seconds = Number(match[1]) * unit;
  if (seconds <= 0) throw new Error('--ttl must be positive');
  return seconds;
}

/** Signs a caller token with the key the service signs with right now, exactly as the service signs. */
export async function signCallerToken(options: {
  secretString: string;
  sub: string;
  scopes: readonly string[];
  audience: string;
  ttlSeconds: number;
  nowSeconds?: number;
}): Promise<string> {
  const iat = options.nowSeconds ?? epochSeconds(Date.now());
  const now = new Date(iat * 1000);
  const keys = await importSigningKeys(options.secretString, now);
  const minted = await signToken(
    { iss: 'jwt-mint-cli', sub: options.sub, aud: options.audience, scope: [...options.scopes], exp: iat + options.ttlSeconds },
    signingKeyAt(keys, now),
    { jti: randomUUID(), iat },
  );
  return minted.token;
}
