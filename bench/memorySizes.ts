/**
 * What each Lambda memory size would cost and how long it would take, estimated from this run's
 * CPU figures. Lambda gives a function CPU in proportion to its memory, one full vCPU at 1,769 MB,
 * and bills duration by the millisecond, rounded up. The estimate assumes a Lambda vCPU (arm64,
 * Graviton) runs this code as fast as one core of the machine the bench ran on, which this machine
 * cannot check; the ratios between sizes do not depend on that assumption.
 */

/** Memory at which Lambda allocates one full vCPU. */
const FULL_VCPU_MB = 1769;

/** us-east-1 list prices, per GB-second of duration and per request. */
export const PRICES = Object.freeze({ arm64PerGbSecond: 0.0000133334, x86PerGbSecond: 0.0000166667, perMillionRequests: 0.2 });

export interface MemorySizeEstimate {
  readonly memoryMb: number;
  /** Share of one vCPU. */
  readonly vcpu: number;
  readonly warmMs: number;
  readonly warmBilledMs: number;
  /** Duration cost of one million warm requests on arm64, in dollars; the request fee comes on top. */
  readonly arm64PerMillion: number;
  readonly x86PerMillion: number;
  /** CPU-bound part of a cold start: node, loading the bundle and the first request, at this CPU share. */
  readonly coldStartMs: number;
}

/** Estimates each memory size from CPU per warm request and CPU to a cold start's first response. */
export function estimateMemorySizes(
  warmCpuUs: number,
  coldCpuMs: number,
  sizesMb: readonly number[] = [128, 256, 512, 1024, FULL_VCPU_MB],
): MemorySizeEstimate[] {
  return sizesMb.map((memoryMb) => {
    const vcpu = Math.min(1, memoryMb / FULL_VCPU_MB);
    const warmMs = warmCpuUs / 1000 / vcpu;
    const warmBilledMs = Math.max(1, Math.ceil(warmMs));
    const gbSecondsPerMillion = (warmBilledMs / 1000) * (memoryMb / 1024) * 1e6;
    return {
      memoryMb,
      vcpu: Math.round(vcpu * 1000) / 1000,
      warmMs: Math.round(warmMs * 100) / 100,
      warmBilledMs,
      arm64PerMillion: Math.round(gbSecondsPerMillion * PRICES.arm64PerGbSecond * 10_000) / 10_000,
      x86PerMillion: Math.round(gbSecondsPerMillion * PRICES.x86PerGbSecond * 10_000) / 10_000,
      coldStartMs: Math.round(coldCpuMs / vcpu),
    };
  });
}
