import { join, parse } from 'node:path';
import type { BuildOptions, Plugin } from 'esbuild';
import { ROOT, SERVICE } from './service';

/** One build of the handler: the shipped esbuild options with `esbuild` laid over them and `plugins` added. */
export interface Variant {
  readonly name: string;
  readonly esbuild?: BuildOptions;
  readonly plugins?: readonly Plugin[];
}

/**
 * What `npm run bench -- --variants` builds and measures side by side; the first is the baseline
 * the others are compared with. Adding a variant is adding an entry.
 */
export const VARIANTS: readonly Variant[] = [
  { name: 'shipped' },
  // The Secrets Manager client: the SDK's, or Architect's aws-lite, in place of the SDK's signer and node:https.
  { name: 'SDK client', plugins: [substitute(SERVICE.secretClient, 'bench/variants/sdkSecretValue.ts')] },
  { name: 'aws-lite client', plugins: [substitute(SERVICE.secretClient, 'bench/variants/awsLiteSecretValue.ts')] },
  // middy's core imports node:stream/web for streamed responses, which the service never sends: load it on first use.
  { name: 'stream/web on first use', esbuild: { alias: { 'node:stream/web': './bench/variants/lazyStreamWeb.ts' } } },
  // The structured logger: Powertools Logger, as before decision 0015, in place of Lambda's own JSON log format.
  { name: 'Powertools Logger', plugins: [substitute(SERVICE.logger, 'bench/variants/powertoolsLogger.ts')] },
];

/**
 * An esbuild plugin that builds `replacement` wherever the service imports `original` (a path
 * relative to the project root, or a package specifier), so a variant can swap one module without
 * touching its source. The build fails if nothing imported `original`, so a moved module cannot
 * silently leave the variant unchanged.
 */
function substitute(original: string, replacement: string): Plugin {
  const isPackage = !original.includes('.ts');
  const target = isPackage ? original : join(ROOT, original).replace(/\.ts$/, '');
  const { name } = parse(target);
  return {
    name: `substitute ${original}`,
    setup(build) {
      let substituted = false;
      build.onResolve({ filter: new RegExp(`(^|/)${name.replace(/\W/g, '\\$&')}(\\.ts)?$`) }, (args) => {
        const imported = isPackage ? args.path : join(args.resolveDir, args.path).replace(/\.ts$/, '');
        if (imported !== target) return undefined;
        substituted = true;
        return { path: join(ROOT, replacement) };
      });
      build.onEnd((result) => (substituted || result.errors.length > 0 ? null : { errors: [{ text: `nothing imports ${original}` }] }));
    },
  };
}
