import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { promisify } from 'node:util';
import { deflateRawSync } from 'node:zlib';
import { unzipSync } from 'fflate';
import { build, type BuildOptions } from 'esbuild';
import { ROOT, SERVICE } from './service';
import type { Variant } from './variants';

/** What never belongs in a copy of the service: build output, local state, VCS. */
const NOT_COPIED = new Set(['node_modules', '.git', '.serverless', '.local', 'coverage', 'bench']);

/** serverless-esbuild's own options in `custom.esbuild`; it passes the rest to esbuild (see its dist/bundle.js). */
const PLUGIN_OPTIONS = new Set([
  'concurrency', 'zipConcurrency', 'exclude', 'nativeZip', 'packager', 'packagePath', 'watch', 'keepOutputDirectory',
  'packagerOptions', 'installExtraArgs', 'outputFileExtension', 'outputBuildFolder', 'outputWorkFolder', 'nodeExternals',
  'skipBuild', 'skipRebuild', 'skipBuildExcludeFns', 'stripEntryResolveExtensions', 'disposeContext',
]);

/** Where the handler's bundle sits in the zip, and in each variant's folder. */
export const BUNDLED_HANDLER = SERVICE.handler.replace(/\.ts$/, '.js');

/**
 * Runs `serverless package` (offline, dummy credentials) on a copy of the service in `workDir`.
 * A copy, because serverless-esbuild moves artifacts through the service's own `.serverless/`
 * and deletes its build folder when done, which would break an `npm start` or a test running
 * from the checkout at the same moment. Returns the zip and `custom.esbuild` as the framework resolved it.
 * @throws Error with the framework's output when packaging fails.
 */
export async function packageService(workDir: string) {
  const [serviceDir, outDir] = [join(workDir, 'service'), join(workDir, 'package')];
  cpSync(ROOT, serviceDir, {
    recursive: true,
    filter: (source) => {
      const top = relative(ROOT, source).split(/[\\/]/)[0] ?? '';
      return !NOT_COPIED.has(top) && !top.startsWith('.esbuild');
    },
  });
  symlinkSync(join(ROOT, 'node_modules'), join(serviceDir, 'node_modules'), 'dir');
  const startedAt = performance.now();
  const env = { ...process.env, AWS_ACCESS_KEY_ID: 'bench', AWS_SECRET_ACCESS_KEY: 'bench', SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off' };
  await promisify(execFile)(process.execPath, [join(ROOT, 'node_modules/serverless/bin/serverless.js'), 'package', '--package', outDir], { cwd: serviceDir, env }).catch(
    (error: { stdout?: string; stderr?: string }) => {
      throw new Error(`serverless package failed:\n${error.stdout ?? ''}\n${error.stderr ?? ''}`, { cause: error });
    },
  );
  // serverless.yml packages each function on its own; the mint function's artifact is the one measured.
  const zipFile = join(outDir, 'generateJwt.zip');
  const state = JSON.parse(readFileSync(join(outDir, 'serverless-state.json'), 'utf8')) as { service: { custom: { esbuild: Record<string, unknown> } } };
  return { zipFile, zipBytes: statSync(zipFile).size, packageMs: performance.now() - startedAt, esbuildOptions: state.service.custom.esbuild };
}

/** The esbuild options the shipped bundle was built with: `custom.esbuild` without the plugin's own. */
export function shippedOptions(artifact: { readonly esbuildOptions: Record<string, unknown> }): BuildOptions {
  return { bundle: true, platform: 'node', ...Object.fromEntries(Object.entries(artifact.esbuildOptions).filter(([key]) => !PLUGIN_OPTIONS.has(key))) };
}

/** One handler bundle: its name, where it is, and its size raw and deflated (as in a zip). */
export function builtHandler(name: string, handlerFile: string) {
  const bytes = readFileSync(handlerFile);
  return { name, handlerFile, bytes: bytes.length, deflatedBytes: deflateRawSync(bytes, { level: 9 }).length };
}
export type BuiltHandler = ReturnType<typeof builtHandler>;

/** Builds the handler into `dir` with the shipped options, the variant's laid over them and its plugins added. */
export async function buildVariant(variant: Variant, shipped: BuildOptions, dir: string): Promise<BuiltHandler> {
  const [entryPoints, outfile] = [[join(ROOT, SERVICE.handler)], join(dir, BUNDLED_HANDLER)];
  await build({ ...shipped, ...variant.esbuild, plugins: [...(variant.plugins ?? [])], entryPoints, outfile, absWorkingDir: ROOT, logLevel: 'error' });
  return builtHandler(variant.name, outfile);
}

/**
 * Extracts a zip written by `serverless package` into `dir`.
 * @throws Error for an entry that would land outside `dir`.
 */
export function unzip(zipFile: string, dir: string): { files: number; bytes: number } {
  const entries = Object.entries(unzipSync(readFileSync(zipFile))).filter(([name]) => !name.endsWith('/'));
  let bytes = 0;
  for (const [name, data] of entries) {
    const target = join(dir, name);
    if (relative(dir, target).startsWith('..')) throw new Error(`${zipFile}: ${name} escapes the target folder`);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, data);
    bytes += data.length;
  }
  return { files: entries.length, bytes };
}
