import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_VARIABLES, loadConfig } from '../../lib/config';

// The configuration tables are documentation of lib/config.ts: every variable it reads is listed,
// and the default each row states is the one the code applies.

const ROOT = join(__dirname, '..', '..');
const REQUIRED = { SIGNING_SECRET_ID: 'docs/test-secret' };

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

  test('lists every variable the service reads', () => {
    expect(CONFIG_VARIABLES.filter((name) => !rows.has(name))).toEqual([]);
  });

  test.each(CONFIG_VARIABLES.filter((name) => /^`[^`]*`$/.test(configRows(page).get(name) ?? '')))(
    'states the default the code applies for %s',
    (name) => {
      // Prepare
      const documented = (rows.get(name) as string).slice(1, -1);

      // Act: setting a variable to its documented default must change nothing.
      const explicit = loadConfig({ ...REQUIRED, [name]: documented });

      // Assess
      expect(explicit).toEqual(loadConfig(REQUIRED));
    },
  );
});
