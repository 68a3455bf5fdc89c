import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_VARIABLES, loadConfig, loadRotationConfig, ROTATION_CONFIG_VARIABLES, VERIFIER_CACHE_SECONDS } from '../../lib/config';

// The configuration tables are documentation of lib/config.ts: every variable it reads is listed,
// and the default each row states is the one the code applies.

const ROOT = join(__dirname, '..', '..');
const REQUIRED = { SIGNING_SECRET_ID: 'docs/test-secret' };

/** Each function's loader, and the variables it reads. */
const LOADERS = [
  { variables: CONFIG_VARIABLES as readonly string[], load: (env: Record<string, string>) => loadConfig({ ...REQUIRED, ...env }) },
  { variables: ROTATION_CONFIG_VARIABLES as readonly string[], load: (env: Record<string, string>) => loadRotationConfig(env) },
];
const ALL_VARIABLES = [...new Set(LOADERS.flatMap((loader) => loader.variables))];

/** The rows `| `VARIABLE` | default | meaning |` of a Markdown page, by variable. */
function configRows(page: string): Map<string, string> {
  const rows = new Map<string, string>();
  for (const line of readFileSync(join(ROOT, page), 'utf8').split('\n')) {
    const match = /^\| `([A-Z][A-Z0-9_]+)` \| ([^|]+) \|/.exec(line);
    if (match?.[1] && match[2]) rows.set(match[1], match[2].trim());
  }
  return rows;
}

describe.each(['README.md', 'docs/configuration.md'])('the configuration table of %s', (page) => {
  const rows = configRows(page);

  test('lists every variable the service and the rotation function read', () => {
    expect(ALL_VARIABLES.filter((name) => !rows.has(name))).toEqual([]);
  });

  test.each(ALL_VARIABLES.filter((name) => /^`[^`]*`$/.test(configRows(page).get(name) ?? '')))(
    'states the default the code applies for %s',
    (name) => {
      // Prepare
      const documented = (rows.get(name) as string).slice(1, -1);

      // Act: setting a variable to its documented default must change nothing, in each function that reads it.
      for (const { load } of LOADERS.filter((loader) => loader.variables.includes(name))) {
        const explicit = load({ [name]: documented });

        // Assess
        expect(explicit).toEqual(load({}));
      }
    },
  );

  test('states the default publish delay as the code computes it', () => {
    // Prepare: "2 × `SECRET_CACHE_SECONDS` + 7200 (`7800`)"
    const cell = rows.get('PUBLISH_DELAY_SECONDS') ?? '';
    const match = /^2 × `SECRET_CACHE_SECONDS` \+ (\d+) \(`(\d+)`\)$/.exec(cell);

    // Assess
    expect(match).not.toBeNull();
    expect(Number(match?.[1])).toBe(VERIFIER_CACHE_SECONDS);
    expect(loadRotationConfig({ PUBLISH_DELAY_SECONDS: String(match?.[2]) })).toEqual(loadRotationConfig({}));
  });
});
