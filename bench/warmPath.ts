import type { VariantName, VariantReport, WarmPathConfig, WarmPathReport } from './child/warmPath';
import { runNode, type ChildPrograms } from './processes';
import { median, round } from './stats';

export interface WarmPathResult {
  readonly logs: boolean;
  readonly requestsPerVariant: number;
  readonly rounds: number;
  readonly variants: Record<VariantName, VariantReport>;
  /** Medians of the per-round CPU ratios. */
  readonly ratios: { readonly handlerToJose: number; readonly joseToNodeCrypto: number; readonly handlerToNodeCrypto: number };
}

/**
 * Runs the warm-path child: the bundled handler, jose alone and node:crypto alone, interleaved.
 * With `logs: false` the service's logger is silenced (POWERTOOLS_LOG_LEVEL=SILENT), which is the
 * figure the goal is about; with `logs: true` it logs at INFO, as deployed, into /dev/null.
 */
export async function measureWarmPath(options: {
  readonly programs: ChildPrograms;
  readonly handlerFile: string;
  readonly callerToken: string;
  readonly secretString: string;
  readonly env: NodeJS.ProcessEnv;
  readonly requests: number;
  readonly rounds: number;
  readonly logs: boolean;
}): Promise<WarmPathResult> {
  const config: WarmPathConfig = {
    handlerFile: options.handlerFile,
    callerToken: options.callerToken,
    secretString: options.secretString,
    requests: options.requests,
    rounds: options.rounds,
    warmup: Math.min(2000, Math.max(20, Math.floor(options.requests / 5))),
  };
  const { report } = await runNode<WarmPathReport>([options.programs.warmPath, JSON.stringify(config)], {
    env: { ...options.env, POWERTOOLS_LOG_LEVEL: options.logs ? 'INFO' : 'SILENT' },
  });
  const roundVariant = (variant: VariantReport): VariantReport => ({
    cpuUsPerRequest: round(variant.cpuUsPerRequest),
    p50Us: round(variant.p50Us),
    p99Us: round(variant.p99Us),
    requests: variant.requests,
  });
  return {
    logs: options.logs,
    requestsPerVariant: report.variants.handler.requests,
    rounds: options.rounds,
    variants: {
      handler: roundVariant(report.variants.handler),
      jose: roundVariant(report.variants.jose),
      nodeCrypto: roundVariant(report.variants.nodeCrypto),
    },
    ratios: {
      handlerToJose: round(median(report.roundRatios.handlerToJose), 2),
      joseToNodeCrypto: round(median(report.roundRatios.joseToNodeCrypto), 2),
      handlerToNodeCrypto: round(median(report.roundRatios.handlerToNodeCrypto), 2),
    },
  };
}
