/** Rates of one subject against its baseline, measured in interleaved rounds. */
export interface Comparison {
  subjectRates: number[];
  baselineRates: number[];
  subjectMedian: number;
  baselineMedian: number;
  /** Per round, the subject's rate over the baseline's: the two measured back to back. */
  pairedRatios: number[];
  /**
   * The median of `pairedRatios`. A shared machine's speed drifts during a run (a baseline
   * measured 19,700 req/s in one round and 36,600 in a later one of the same run, BENCHMARKS.md);
   * within a pair the drift cancels, where a ratio of the two medians would compare rounds
   * of different speeds.
   */
  ratio: number;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const upper = sorted[middle] ?? Number.NaN;
  return sorted.length % 2 === 1 ? upper : ((sorted[middle - 1] ?? Number.NaN) + upper) / 2;
}

/**
 * Runs `measure` on subject and baseline in alternating order, so that drift on the machine
 * (thermal, another process, GC pressure building up) falls on both equally.
 */
export async function compareInterleaved(
  rounds: number,
  measure: (which: "subject" | "baseline") => Promise<number>,
): Promise<Comparison> {
  const subjectRates: number[] = [];
  const baselineRates: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const order =
      round % 2 === 0 ? (["subject", "baseline"] as const) : (["baseline", "subject"] as const);
    for (const which of order) {
      const rate = await measure(which);
      (which === "subject" ? subjectRates : baselineRates).push(rate);
    }
  }
  const pairedRatios = subjectRates.map((rate, i) => rate / (baselineRates[i] ?? Number.NaN));
  return {
    subjectRates,
    baselineRates,
    subjectMedian: median(subjectRates),
    baselineMedian: median(baselineRates),
    pairedRatios,
    ratio: median(pairedRatios),
  };
}

/** Calls `operation` back to back (each awaited, as Lambda invokes one event at a time). */
export async function opsPerSecond(
  operation: () => Promise<unknown>,
  durationMs: number,
): Promise<number> {
  // Read the clock once per batch so the timer does not weigh on a sub-microsecond operation.
  const batch = 64;
  let ops = 0;
  const started = performance.now();
  const deadline = started + durationMs;
  let now = started;
  while (now < deadline) {
    for (let i = 0; i < batch; i++) await operation();
    ops += batch;
    now = performance.now();
  }
  return ops / ((now - started) / 1000);
}
