/**
 * jest for `npm run mutation` (Stryker). It differs from jest.config.js in three ways:
 * - `roots` hold every source folder, so that `--findRelatedTests` (which Stryker uses to pick the
 *   tests of a mutated file) also finds the handler and security suites that reach lib/ through
 *   `handlers/`; with `roots: ['<rootDir>/tests']` they are invisible to it;
 * - the suites that run the service in child processes are left out: a mutant is switched on only
 *   in the process that runs jest, so they could neither kill one nor vouch for one;
 * - the fuzz suite draws a fixed sample (1,200 requests, seed 1) instead of 12,000 random ones, so
 *   that a mutant's fate does not depend on the draw and a run stays within hours.
 * With MUTATION_TESTS=unit (`npm run mutation:unit`) only tests/unit/ runs: minutes instead of hours,
 * and a lower bound on the score, since a mutant the unit tests miss may be killed by a handler or
 * security suite. Re-run its survivors against everything with `npm run mutation -- --mutate
 * <file>:<line>-<line>`.
 */
const base = require('./jest.config.js');

process.env.FUZZ_RUNS ??= '1200';
process.env.FUZZ_SEED ??= '1';

const unitOnly = process.env.MUTATION_TESTS === 'unit';

module.exports = {
  ...base,
  roots: unitOnly ? ['<rootDir>/lib', '<rootDir>/tests/unit'] : ['<rootDir>/lib', '<rootDir>/handlers', '<rootDir>/tests'],
  testPathIgnorePatterns: [
    '/node_modules/',
    '<rootDir>/tests/integration/',
    '<rootDir>/tests/deploy/',
    '<rootDir>/tests/bench/',
    '<rootDir>/tests/security/memoryUnderLoad\\.test\\.ts$',
  ],
};
