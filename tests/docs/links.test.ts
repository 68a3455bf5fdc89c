import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const README = join(ROOT, 'README.md');
const DOCS = join(ROOT, 'docs');
const DOCS_INDEX = join(DOCS, 'README.md');

/** The README is an index a newcomer reads in one sitting; the topics live in docs/. */
const MAX_README_BYTES = 12 * 1024;

/** Every Markdown file under a folder, deepest last. */
function markdownFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return markdownFiles(path);
      return entry.name.endsWith('.md') ? [path] : [];
    });
}

/** The lines of a Markdown file that are not inside a fenced code block. */
function proseLines(markdown: string): string[] {
  const lines: string[] = [];
  let fence: string | undefined;
  for (const line of markdown.split('\n')) {
    const marker = /^\s*(`{3,}|~{3,})/.exec(line)?.[1];
    if (marker !== undefined && (fence === undefined || marker.startsWith(fence))) {
      fence = fence === undefined ? marker : undefined;
      continue;
    }
    if (fence === undefined) lines.push(line);
  }
  return lines;
}

/** Link targets outside code: inline links and images, and reference definitions. */
function linkTargets(markdown: string): string[] {
  const text = proseLines(markdown)
    .map((line) => line.replace(/`[^`]*`/g, ''))
    .join('\n');
  const inline = [...text.matchAll(/\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)];
  const references = [...text.matchAll(/^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/gm)];
  return [...inline, ...references].map((match) => match[1] ?? '');
}

/** A link that leaves the repository: a scheme such as https: or mailto:, or a protocol-relative URL. */
function isExternal(target: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//');
}

/**
 * The anchor GitHub gives a heading: the rendered text, lower-cased, with punctuation removed and
 * each space turned into a hyphen; a repeated heading gets -1, -2 and so on.
 */
function githubSlug(heading: string): string {
  const rendered = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/<[^>]+>/g, '');
  return rendered
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** The anchors of every heading in a Markdown file. */
function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of proseLines(markdown)) {
    const heading = /^ {0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/.exec(line)?.[1];
    if (heading === undefined) continue;
    const slug = githubSlug(heading);
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

interface Resolved {
  readonly target: string;
  /** Absolute path of the file the link points at. */
  readonly file: string;
  readonly anchor: string | undefined;
}

/** The relative links of one Markdown file, resolved against its folder. */
function relativeLinks(file: string): Resolved[] {
  return linkTargets(readFileSync(file, 'utf8'))
    .filter((target) => !isExternal(target))
    .map((target) => {
      const hash = target.indexOf('#');
      const path = hash === -1 ? target : target.slice(0, hash);
      const anchor = hash === -1 ? undefined : decodeURIComponent(target.slice(hash + 1));
      return { target, file: path === '' ? file : resolve(dirname(file), decodeURIComponent(path)), anchor };
    });
}

/** Why a link is broken, or undefined when it resolves. */
function brokenBecause(link: Resolved): string | undefined {
  if (!existsSync(link.file) || !statSync(link.file).isFile()) return 'no such file';
  if (link.anchor === undefined) return undefined;
  if (!link.file.endsWith('.md')) return 'an anchor into a file that is not Markdown';
  const anchors = anchorsOf(readFileSync(link.file, 'utf8'));
  return anchors.has(link.anchor) ? undefined : `no heading with the anchor #${link.anchor}`;
}

const docPages = markdownFiles(DOCS);
const linkedFiles = [README, ...docPages];
const name = (file: string) => relative(ROOT, file);

describe('README.md', () => {
  test('stays an index of at most 12,288 bytes', () => {
    expect(statSync(README).size).toBeLessThanOrEqual(MAX_README_BYTES);
  });

  test('gives a newcomer npm start and npm test in its first 10 lines', () => {
    const firstScreen = readFileSync(README, 'utf8').split('\n').slice(0, 10).join('\n');

    expect(firstScreen).toContain('npm start');
    expect(firstScreen).toContain('npm test');
  });
});

describe('relative links', () => {
  test.each(linkedFiles.map((file) => [name(file), file]))(
    'in %s each point at an existing file, and each anchor at a heading in it',
    (_name, file) => {
      const broken = relativeLinks(file)
        .map((link) => ({ link: link.target, because: brokenBecause(link) }))
        .filter((result) => result.because !== undefined);

      expect(broken).toEqual([]);
    },
  );
});

describe('docs/', () => {
  test('has pages to check', () => {
    expect(docPages.map(name)).toEqual(expect.arrayContaining(['docs/README.md', 'docs/contract.md']));
  });

  test('every page is linked from README.md or docs/README.md', () => {
    const linked = new Set([README, DOCS_INDEX].flatMap((index) => relativeLinks(index).map((link) => link.file)));
    const unlinked = docPages.filter((page) => !linked.has(page)).map(name);

    expect(unlinked).toEqual([]);
  });
});

describe('heading anchors', () => {
  test.each([
    ['Memory size: 512 MB, arm64', 'memory-size-512-mb-arm64'],
    ['The `kid` header', 'the-kid-header'],
    ["What's measured, and why", 'whats-measured-and-why'],
    ['Calling from another Lambda', 'calling-from-another-lambda'],
    ['See [Keys](keys.md) first', 'see-keys-first'],
    ['0001. Our own key cache instead of @middy/secrets-manager', '0001-our-own-key-cache-instead-of-middysecrets-manager'],
  ])('follow GitHub: %s is #%s', (heading, anchor) => {
    expect(anchorsOf(`# ${heading}\n`)).toEqual(new Set([anchor]));
  });

  test('number a repeated heading as GitHub does', () => {
    expect(anchorsOf('## Options\n\n## Options\n\n## Options\n')).toEqual(new Set(['options', 'options-1', 'options-2']));
  });

  test('ignore headings inside fenced code', () => {
    expect(anchorsOf('```sh\n# not a heading\n```\n# Real\n')).toEqual(new Set(['real']));
  });
});
