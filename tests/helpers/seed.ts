/** The published test vectors of the original service (see the seed API document). */
export const SEED_SECRET = 'JAC1O17W1F3QB9E8B4B1MT6QKYOQB36V';

export const SEED_CALLER_TOKEN =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJqdGkiOiI2ODA1OTA1Yi1kZTk5LTQzMDQtOTI2OC04YTQzYjM1YzI2YmQiLCJpc3MiOiIwYzU5OTg5ZDM5NzAzODBhZTE2ODg4MDY4NmM0YTA3MCIsInN1YiI6IjBjNTk5ODlkMzk3MDM4MGFlMTY4ODgwNjg2YzRhMDcwIiwiZXhwIjoxNjgyOTU4NjMxLCJhdWQiOiJtZnMiLCJzY29wZSI6WyJ1c2VyTWFuIiwiZ2V0Snd0IiwiZ2VuZXJhdGVKd3QiLCJzZWFyY2hTZXNzaW9uIiwicm9sZSIsImtpY2tvdXQiLCJkaXNhYmxlIiwiY29ubmVjdCIsInB1c2giLCJwdWJsaXNoIiwiY29uc3VtZSIsInF1ZXJ5Il19.b12uFC0KnAoNCtcgJknhoxJoQ8RxJHexMyLBRoFHroo';

export const SEED_MINTED_TOKEN =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJqdGkiOiI2OWJiYmY3MS0zMmY2LTQ5YzAtYWZmOS00NjY2YzgzYmE0MWQiLCJpc3MiOiIwYzU5OTg5ZDM5NzAzODBhZTE2ODg4MDY4NmM0YTA3MCIsInN1YiI6InRlc3QxIiwiZXhwIjoxLCJhdWQiOiJtZnMiLCJzY29wZSI6WyJ1c2VyTWFuIiwiZ2V0Snd0IiwiZ2VuZXJhdGVKd3QiLCJzZWFyY2hTZXNzaW9uIiwicm9sZSIsImtpY2tvdXQiLCJkaXNhYmxlIiwiY29ubmVjdCIsInB1c2giLCJwdWJsaXNoIiwiY29uc3VtZSIsInF1ZXJ5Il19.8Af1ne_tRq5Ezf54XU1Bx1WUET1uV3bZkfoyo7WIzl0';

export const SEED_CALLER_SUB = '0c59989d3970380ae168880686c4a070';
const SEED_CALLER_EXP = 1682958631;

export const SEED_SCOPES = [
  'userMan', 'getJwt', 'generateJwt', 'searchSession', 'role', 'kickout',
  'disable', 'connect', 'push', 'publish', 'consume', 'query',
];

/** An instant at which the seed caller token is still valid: one hour before it expires. */
export const BEFORE_SEED_EXPIRY_MS = (SEED_CALLER_EXP - 3600) * 1000;
