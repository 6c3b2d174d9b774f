/**
 * The request benchmark: every variant's server in its own process, the load generator in this one,
 * variants interleaved in rounds (A B C ... A B C ...) so a slow minute of the machine hits them all alike,
 * each measured window preceded by a warm-up, and each ratio taken against bare Koa in the same round.
 */
import { checkWorkload, login, runLoad, type LoadFigures } from './load.js';
import { ServerProcess, type ServerEnvironment } from './server-process.js';
import { median } from './median.js';
import type { Variant } from './variants.js';

export interface MacroOptions {
  readonly variants: readonly Variant[];
  readonly rounds: number;
  /** Seconds of load before each measured window, not counted. */
  readonly warmup: number;
  /** Seconds per measured window. */
  readonly duration: number;
  readonly connections: number;
  readonly log: (line: string) => void;
}

export interface WindowFigures extends LoadFigures {
  /** Server CPU time (user + system) over the window, per completed request. */
  readonly cpuMicrosPerRequest: number;
}

export interface VariantSummary {
  readonly variant: Variant;
  /** One per round, in round order. */
  readonly windows: readonly WindowFigures[];
  readonly requestsPerSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly cpuMicrosPerRequest: number;
}

/** Per round, `variant`'s req/s over `baseline`'s in that same round; the median of those. */
export function medianRatio(variant: VariantSummary, baseline: VariantSummary): number {
  return median(variant.windows.map((window, round) => window.requestsPerSecond / baseline.windows[round]!.requestsPerSecond));
}

/** Runs every round and returns one summary per variant, in `options.variants` order. */
export async function runMacro(options: MacroOptions, environment: ServerEnvironment): Promise<VariantSummary[]> {
  const servers: ServerProcess[] = [];
  try {
    // Started side by side (each a cold tsx start), before anything is measured.
    const started = await Promise.allSettled(options.variants.map((variant) => ServerProcess.start(variant, environment)));
    for (const result of started) if (result.status === 'fulfilled') servers.push(result.value);
    const failed = started.find((result) => result.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
    const cookies = new Map<ServerProcess, string[]>();
    for (const server of servers) {
      const sessions = await login(server.url, options.connections);
      await checkWorkload(server.url, sessions[0] ?? '', server.variant.writes, server.variant.label);
      cookies.set(server, sessions);
    }
    const windows = new Map<ServerProcess, WindowFigures[]>(servers.map((server) => [server, []]));
    for (let round = 1; round <= options.rounds; round += 1) {
      for (const server of servers) {
        const sessions = cookies.get(server)!;
        if (options.warmup > 0) await runLoad(server.url, sessions, { connections: options.connections, duration: options.warmup });
        const before = await server.cpuMicros();
        const figures = await runLoad(server.url, sessions, { connections: options.connections, duration: options.duration });
        const cpu = (await server.cpuMicros()) - before;
        windows.get(server)!.push({ ...figures, cpuMicrosPerRequest: cpu / figures.requests });
        options.log(`round ${round}/${options.rounds} ${server.variant.name}: ${Math.round(figures.requestsPerSecond)} req/s`);
      }
    }
    return servers.map((server) => summarize(server.variant, windows.get(server)!));
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
  }
}

function summarize(variant: Variant, windows: readonly WindowFigures[]): VariantSummary {
  return {
    variant,
    windows,
    requestsPerSecond: median(windows.map((window) => window.requestsPerSecond)),
    p50: median(windows.map((window) => window.p50)),
    p99: median(windows.map((window) => window.p99)),
    cpuMicrosPerRequest: median(windows.map((window) => window.cpuMicrosPerRequest)),
  };
}
