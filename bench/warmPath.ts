import type { WarmPathConfig, WarmPathReport } from './child/warmPath';
import { runNode, type Bench } from './processes';
import { median, pairedRatio, round } from './stats';

/**
 * Runs the warm-path child on this machine's node: each handler bundle, jose alone and node:crypto
 * alone, interleaved in one process. With `logs: false` the service's logger is silenced
 * (LOG_LEVEL=SILENT), which is the figure the goal is about; with `logs: true` it logs
 * at INFO, as deployed, into /dev/null. Ratios are medians of per-round CPU ratios; `toFirst` is
 * against the first handler, the baseline of a comparison of variants.
 */
export async function measureWarmPath(bench: Bench, handlers: Readonly<Record<string, string>>, requests: number, rounds: number, logs: boolean) {
  const { callerToken, secretString } = bench;
  const config: WarmPathConfig = { handlers, callerToken, secretString, requests, rounds, warmup: Math.min(2000, Math.max(20, Math.floor(requests / 5))) };
  const env = { ...bench.env, LOG_LEVEL: logs ? 'INFO' : 'SILENT' };
  const { report } = await runNode<WarmPathReport>([bench.programs.warmPath, JSON.stringify(config)], { env });
  const cpu = (name = '') => report[name]?.roundCpuUs ?? [];
  const variants = Object.entries(report).map(([name, { roundCpuUs: rounds, p50Us, p99Us, requests: served }]) => {
    const toFirst = pairedRatio(rounds, cpu(Object.keys(handlers)[0]));
    const [toJose, toNodeCrypto] = [pairedRatio(rounds, cpu('jose')), pairedRatio(rounds, cpu('nodeCrypto'))];
    return [name, { cpuUsPerRequest: round(median(rounds)), p50Us: round(p50Us), p99Us: round(p99Us), requests: served, toJose, toNodeCrypto, toFirst }] as const;
  });
  return { logs, requestsPerVariant: report.jose?.requests ?? 0, rounds, variants: Object.fromEntries(variants) };
}
export type WarmPathResult = Awaited<ReturnType<typeof measureWarmPath>>;
