import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { promisify } from 'node:util';
import { inflateRawSync } from 'node:zlib';

const run = promisify(execFile);

/** The project root: the bench packages what is checked out here. */
export const ROOT = join(__dirname, '..');

/** What never belongs in a copy of the service: build output, local state, VCS. */
const NOT_COPIED = new Set(['node_modules', '.git', '.serverless', '.local', 'coverage', 'bench']);

/** The deployable zip that `serverless package` wrote, and how long packaging took. */
export interface PackagedArtifact {
  readonly zipFile: string;
  readonly zipBytes: number;
  readonly packageMs: number;
  /** `custom.esbuild` as the framework resolved it: the options the shipped bundle was built with. */
  readonly esbuildOptions: Record<string, unknown>;
}

/**
 * Runs `serverless package` (offline, dummy credentials) on a copy of the service in `workDir`.
 * A copy, because serverless-esbuild moves artifacts through the service's own `.serverless/`
 * and deletes its build folder when done, which would break an `npm start` or a test running
 * from the checkout at the same moment.
 * @throws Error with the framework's output when packaging fails.
 */
export async function packageService(workDir: string): Promise<PackagedArtifact> {
  const serviceDir = join(workDir, 'service');
  const outDir = join(workDir, 'package');
  cpSync(ROOT, serviceDir, {
    recursive: true,
    filter: (source) => {
      const top = relative(ROOT, source).split(/[\\/]/)[0] ?? '';
      return !NOT_COPIED.has(top) && !top.startsWith('.esbuild');
    },
  });
  symlinkSync(join(ROOT, 'node_modules'), join(serviceDir, 'node_modules'), 'dir');
  const startedAt = performance.now();
  try {
    await run(process.execPath, [join(ROOT, 'node_modules/serverless/bin/serverless.js'), 'package', '--package', outDir], {
      cwd: serviceDir,
      env: {
        ...process.env,
        AWS_ACCESS_KEY_ID: 'bench',
        AWS_SECRET_ACCESS_KEY: 'bench',
        SLS_TELEMETRY_DISABLED: '1',
        SLS_NOTIFICATIONS_MODE: 'off',
      },
    });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`serverless package failed:\n${stdout ?? ''}\n${stderr ?? ''}`, { cause: error });
  }
  const packageMs = performance.now() - startedAt;
  // serverless.yml packages each function on its own; the mint function's artifact is the one measured.
  const zipFile = join(outDir, 'generateJwt.zip');
  const state = JSON.parse(readFileSync(join(outDir, 'serverless-state.json'), 'utf8')) as {
    service: { custom: { esbuild: Record<string, unknown> } };
  };
  return { zipFile, zipBytes: statSync(zipFile).size, packageMs, esbuildOptions: state.service.custom.esbuild };
}

/**
 * Extracts a zip written by `serverless package` (stored or deflated entries, no zip64) into `dir`.
 * Written here rather than shelling out to `unzip`, which a fresh machine may lack.
 * @throws Error for anything else.
 */
export function unzip(zipFile: string, dir: string): { files: number; bytes: number } {
  const zip = readFileSync(zipFile);
  const endOfDirectory = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (endOfDirectory < 0) throw new Error(`${zipFile} is not a zip file`);
  const entries = zip.readUInt16LE(endOfDirectory + 10);
  let cursor = zip.readUInt32LE(endOfDirectory + 16);
  let bytes = 0;
  for (let i = 0; i < entries; i++) {
    if (zip.readUInt32LE(cursor) !== 0x02014b50) throw new Error(`${zipFile}: bad central directory entry`);
    const method = zip.readUInt16LE(cursor + 10);
    const compressedSize = zip.readUInt32LE(cursor + 20);
    const nameLength = zip.readUInt16LE(cursor + 28);
    const extraLength = zip.readUInt16LE(cursor + 30);
    const commentLength = zip.readUInt16LE(cursor + 32);
    const localHeader = zip.readUInt32LE(cursor + 42);
    const name = zip.toString('utf8', cursor + 46, cursor + 46 + nameLength);
    cursor += 46 + nameLength + extraLength + commentLength;
    if (name.endsWith('/')) continue;
    const dataStart = localHeader + 30 + zip.readUInt16LE(localHeader + 26) + zip.readUInt16LE(localHeader + 28);
    const data = zip.subarray(dataStart, dataStart + compressedSize);
    if (method !== 0 && method !== 8) throw new Error(`${zipFile}: ${name} uses compression method ${method}`);
    const content = method === 8 ? inflateRawSync(data) : data;
    const target = join(dir, name);
    if (relative(dir, target).startsWith('..')) throw new Error(`${zipFile}: ${name} escapes the target folder`);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, content);
    bytes += content.length;
  }
  return { files: entries, bytes };
}
