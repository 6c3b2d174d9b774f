/**
 * What operations cost relative to one another, for figures that show a cost stays linear or within a
 * factor of another (security.md #56, #59) on a shared machine: CPU time of this process (user + system),
 * which other processes inflate far less than wall time, sampled in interleaved rounds; a ratio is taken
 * within each round, so a slow moment of the machine hits numerator and denominator alike, and the median
 * over rounds is reported, as the request benchmark does (docs/benchmarks.md).
 */
import { median } from './median.js';

/** Each sample runs an operation this long at least, so timer granularity does not show. */
const SAMPLE_MICROS = 2000;

/** CPU microseconds per call: one row per round, one column per operation, in the order given. */
export type CostRounds = readonly (readonly number[])[];

/**
 * Samples each operation once per round, interleaved. An operation may return a promise (an HTTP request to an
 * in-process server), which is awaited.
 *
 * @example
 * const rounds = await cpuRounds([() => parse(small), () => parse(large)]);
 * medianRatio(rounds, 1, 0); // the large input's cost over the small one's
 */
export async function cpuRounds(operations: readonly (() => unknown)[], rounds = 15): Promise<CostRounds> {
  const batches: number[] = [];
  for (const operation of operations) {
    // Warm up (JIT, caches), then size the batch from the warm cost.
    await runBatch(operation, 3);
    batches.push(Math.max(1, Math.ceil(SAMPLE_MICROS / ((await runBatch(operation, 3)) / 3))));
  }
  const samples: number[][] = [];
  for (let round = 0; round < rounds; round += 1) {
    const row: number[] = [];
    for (const [index, operation] of operations.entries()) row.push((await runBatch(operation, batches[index]!)) / batches[index]!);
    samples.push(row);
  }
  return samples;
}

/** The median over rounds of operation `numerator`'s cost over operation `denominator`'s. */
export function medianRatio(rounds: CostRounds, numerator: number, denominator: number): number {
  return median(rounds.map((row) => row[numerator]! / row[denominator]!));
}

/** CPU microseconds `count` calls of `operation` took. */
async function runBatch(operation: () => unknown, count: number): Promise<number> {
  const start = process.cpuUsage();
  for (let call = 0; call < count; call += 1) {
    const result = operation();
    if (result instanceof Promise) await result;
  }
  const used = process.cpuUsage(start);
  // A sample never reads as free, so ratios stay finite.
  return Math.max(1, used.user + used.system);
}
