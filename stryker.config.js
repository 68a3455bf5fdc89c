/**
 * `npm run mutation`: Stryker over the security core, the modules that decide who gets a token
 * and with which key. Too slow for CI (hours on two shared cores); run it by hand, on one module
 * or a few lines: `npm run mutation -- --mutate lib/keys/jwk.ts:40-60`. `npm run mutation:unit`
 * runs the same mutants against tests/unit/ only, in under an hour. The scores and the mutants
 * judged equivalent are in docs/decisions/0019-mutation-testing-of-the-security-core.md.
 */
module.exports = {
  mutate: [
    'lib/tokens/bearer.ts',
    'lib/tokens/parse.ts',
    'lib/tokens/callerToken.ts',
    'lib/mint/policy.ts',
    'lib/mint/request.ts',
    'lib/exchange/policy.ts',
    'lib/keys/keyCache.ts',
    'lib/keys/keySet.ts',
    'lib/keys/jwk.ts',
    'lib/keys/signingKeys.ts',
  ],
  testRunner: 'jest',
  jest: {
    projectType: 'custom',
    // Roots over lib/, handlers/ and tests/, and no child-process suites: see the file.
    configFile: 'jest.mutation.config.js',
    enableFindRelatedTests: true,
  },
  // Only the tests that reach a mutant run against it. Code run at import or in a beforeAll is
  // "static": every related test runs against its mutants, which is where most of the time goes.
  coverageAnalysis: 'perTest',
  // A mutant that does not type-check is reported as a compile error and never run.
  checkers: ['typescript'],
  tsconfigFile: 'tsconfig.json',
  // Two cores shared with other work: one test process, and timeouts wide enough that a slow
  // machine is not mistaken for a mutant that hangs (a timeout counts as killed).
  concurrency: 1,
  timeoutFactor: 3,
  timeoutMS: 30000,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  clearTextReporter: { reportTests: false },
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  thresholds: { high: 90, low: 80, break: null },
  tempDirName: '.stryker-tmp',
};
