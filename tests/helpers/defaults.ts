/** The frozen "now" of the handler and security suites, in epoch seconds and milliseconds. */
export const NOW_SECONDS = 1_750_000_000;
export const NOW_MS = NOW_SECONDS * 1000;

/** The service's defaults, restated so that a changed default shows up in the tests as a failure. */
export const CLOCK_TOLERANCE_SECONDS = 30;
export const MAX_TTL_SECONDS = 86_400;
export const DEFAULT_TTL_SECONDS = 43_200;

/** The scopes of the default valid caller (see callerClaims). */
export const CALLER_SCOPES = ['generateJwt', 'push', 'query'] as const;
