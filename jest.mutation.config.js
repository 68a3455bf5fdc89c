/**
 * jest for `npm run mutation` (Stryker). It differs from jest.config.js in three ways:
 * - `roots` hold every source folder, so that `--findRelatedTests` (which Stryker uses to pick the
 *   tests of a mutated file) also finds the handler and security suites that reach lib/ through
 *   `handlers/`; with `roots: ['<rootDir>/tests']` they are invisible to it;
 * - the suites that run the service in child processes are left out: a mutant is switched on only
 *   in the process that runs jest, so they could neither kill one nor vouch for one;
 * - the fuzz suite draws a fixed sample (1,200 requests, seed 1) instead of 12,000 random ones, so
 *   that a mutant's fate does not depend on the draw and a run stays within hours.
 */
const base = require('./jest.config.js');

process.env.FUZZ_RUNS ??= '1200';
process.env.FUZZ_SEED ??= '1';

module.exports = {
  ...base,
  roots: ['<rootDir>/lib', '<rootDir>/handlers', '<rootDir>/tests'],
  testPathIgnorePatterns: [
    '/node_modules/',
    '<rootDir>/tests/integration/',
    '<rootDir>/tests/deploy/',
    '<rootDir>/tests/bench/',
    '<rootDir>/tests/security/memoryUnderLoad\\.test\\.ts$',
  ],
};
