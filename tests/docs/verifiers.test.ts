import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SigningAlg } from '../../lib/keys/jwk';
import { ALL_ALGS } from '../helpers/keys';
import { expectedVerdict, TOKEN_KINDS, VERIFIER_NAMES, type TokenKind } from '../helpers/verifierMatrix';
import type { VerifierName } from '../helpers/verifiers';

// docs/verifiers.md states the matrix the interop suite proves (tests/helpers/verifierMatrix.ts),
// for the library versions package.json pins.

const ROOT = join(__dirname, '..', '..');
const page = readFileSync(join(ROOT, 'docs/verifiers.md'), 'utf8');
const devDependencies = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> }).devDependencies;

/** The package names in a row's library cell, for each verifier. */
const PACKAGES: Record<VerifierName, readonly string[]> = {
  'aws-jwt-verify': ['aws-jwt-verify'],
  oauth4webapi: ['oauth4webapi'],
  'jsonwebtoken + jwks-rsa': ['jsonwebtoken', 'jwks-rsa'],
  jose: ['jose'],
};

/** The rows `| library | token | RS256 | … | HS… |` of the matrix, cells as written. */
const rows = page
  .split('\n')
  .filter((line) => /^\| [a-z].* \| (seed|rfc9068|exchanged) \|/.test(line))
  .map((line) => line.split('|').slice(1, -1).map((cell) => cell.trim()));

/** The algorithms of each cell after the first two, from the header: "HS256, HS384, HS512" is one column. */
const columns = (
  page
    .split('\n')
    .find((line) => line.startsWith('| library | token |'))
    ?.split('|')
    .slice(3, -1)
    .map((cell) => cell.split(',').map((alg) => alg.trim() as SigningAlg)) ?? []
);

function rowOf(verifier: VerifierName, kind: TokenKind): string[] {
  const row = rows.find(([library, token]) => token === kind && PACKAGES[verifier].every((name) => library?.includes(name)) && (verifier !== 'jose' || library?.startsWith('jose ')));
  if (!row) throw new Error(`docs/verifiers.md has no row for ${verifier} and ${kind} tokens`);
  return row;
}

test('the matrix has one row per verifier and token, and a column for every algorithm', () => {
  expect(rows).toHaveLength(VERIFIER_NAMES.length * TOKEN_KINDS.length);
  expect(columns.flat().sort()).toEqual([...ALL_ALGS].sort());
});

test.each(VERIFIER_NAMES.flatMap((verifier) => TOKEN_KINDS.map((kind) => [verifier, kind] as const)))('the row of %s and %s tokens states what the interop suite proves', (verifier, kind) => {
  // Prepare
  const cells = rowOf(verifier, kind).slice(2);

  // Assess
  columns.forEach((algs, column) => {
    for (const alg of algs) {
      expect(`${alg}: ${cells[column]?.startsWith('yes') ? 'yes' : 'no'}`).toBe(`${alg}: ${expectedVerdict(verifier, kind, alg).accepts ? 'yes' : 'no'}`);
    }
  });
});

test.each(Object.values(PACKAGES).flat().filter((name) => name !== 'jose'))('names the version of %s that package.json pins', (name) => {
  expect(rows.some(([library]) => library?.includes(`${name} ${devDependencies[name]}`))).toBe(true);
});
