// A closed-loop load generator: `concurrency` workers each run one operation after another until
// the time or operation budget is spent. Latencies go into a bounded sample for percentiles.

export interface LoadResult {
  ops: number;
  errors: number;
  seconds: number;
  opsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  firstError?: string;
}

export interface LoadOptions {
  concurrency: number;
  durationMs: number;
  /** Upper bound on operations, whatever the duration. */
  maxOps: number;
}

/** Latency samples kept for percentiles (reservoir sampling beyond this). */
const MAX_SAMPLES = 200_000;

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Runs `op(i)` with a fresh sequence number i per call. */
export async function runLoad(opts: LoadOptions, op: (i: number) => Promise<void>): Promise<LoadResult> {
  const samples = new Float64Array(MAX_SAMPLES);
  let sampleCount = 0;
  let next = 0;
  let ops = 0;
  let errors = 0;
  let firstError: string | undefined;
  const started = performance.now();
  const deadline = started + opts.durationMs;

  const worker = async (): Promise<void> => {
    while (performance.now() < deadline && next < opts.maxOps) {
      const i = next++;
      const t0 = performance.now();
      try {
        await op(i);
        ops++;
      } catch (err) {
        errors++;
        firstError ??= (err as Error).message;
        continue;
      }
      const latency = performance.now() - t0;
      if (sampleCount < MAX_SAMPLES) samples[sampleCount++] = latency;
      else {
        const slot = Math.floor(Math.random() * ops);
        if (slot < MAX_SAMPLES) samples[slot] = latency;
      }
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  const sorted = samples.subarray(0, sampleCount).sort();
  const result: LoadResult = { ops, errors, seconds, opsPerSecond: ops / seconds, p50Ms: percentile(sorted, 50), p99Ms: percentile(sorted, 99) };
  if (firstError !== undefined) result.firstError = firstError;
  return result;
}
