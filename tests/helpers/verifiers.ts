/**
 * The verifiers people use for JWTs, each as its documentation has it, fetching the service's keys
 * over HTTP with its own machinery: a function that resolves for a token it accepts and rejects
 * with the library's own error for one it refuses.
 */
import { JwtVerifier } from 'aws-jwt-verify';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import type { Fetcher } from 'aws-jwt-verify/https';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import jwt from 'jsonwebtoken';
import jwksRsa from 'jwks-rsa';
import * as oauth from 'oauth4webapi';

/** What a verifier is told: the service's base URL (its issuer) and the audience it serves. */
export interface Verification {
  readonly token: string;
  readonly issuer: string;
  readonly audience: string;
  /** The algorithm the verifier is configured for: the one the key set signs with. */
  readonly alg: string;
}

export type VerifierName = 'aws-jwt-verify' | 'oauth4webapi' | 'jsonwebtoken + jwks-rsa' | 'jose';

/**
 * aws-jwt-verify's fetcher speaks HTTPS only (node:https); the local service is plain HTTP. This is
 * its Fetcher interface over fetch, handed to its own JWKS cache: everything else is the library's.
 */
const httpFetcher: Fetcher = {
  async fetch(uri) {
    const response = await fetch(uri);
    if (response.status !== 200) throw new Error(`${uri}: HTTP ${response.status}`);
    return response.arrayBuffer();
  },
};

export const VERIFIERS: Readonly<Record<VerifierName, (verification: Verification) => Promise<unknown>>> = {
  'aws-jwt-verify': ({ token, issuer, audience }) =>
    JwtVerifier.create({ issuer, audience, jwksUri: `${issuer}/.well-known/jwks.json` }, { jwksCache: new SimpleJwksCache({ fetcher: httpFetcher }) }).verify(token),

  oauth4webapi: async ({ token, issuer, audience }) => {
    const issuerUrl = new URL(issuer);
    const as = await oauth.processDiscoveryResponse(issuerUrl, await oauth.discoveryRequest(issuerUrl, { algorithm: 'oauth2', [oauth.allowInsecureRequests]: true }));
    const request = new Request('https://resource.example/', { headers: { authorization: `Bearer ${token}` } });
    return oauth.validateJwtAccessToken(as, request, audience, { [oauth.allowInsecureRequests]: true });
  },

  'jsonwebtoken + jwks-rsa': ({ token, issuer, audience, alg }) => {
    const client = jwksRsa({ jwksUri: `${issuer}/.well-known/jwks.json` });
    return new Promise((resolve, reject) => {
      jwt.verify(
        token,
        (header, callback) => client.getSigningKey(header.kid, (error, key) => callback(error, key?.getPublicKey())),
        { issuer, audience, algorithms: [alg as jwt.Algorithm] },
        (error, payload) => (error ? reject(error) : resolve(payload)),
      );
    });
  },

  jose: ({ token, issuer, audience, alg }) =>
    jwtVerify(token, createRemoteJWKSet(new URL(`${issuer}/.well-known/jwks.json`)), { issuer, audience, algorithms: [alg] }),
};
