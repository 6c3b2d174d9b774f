/**
 * The request benchmark: every variant's server in its own process on the server CPU, wrk on the other,
 * variants interleaved in rounds (A B C ... A B C ...) so a slow minute of the machine hits them all alike,
 * each measured window preceded by a warm-up, and each ratio taken against its baseline in the same round.
 * A window in which the server got less than 95% of its core was slowed by something besides its own
 * work (another process on its CPU, or a load generator that could not keep up): it is marked noisy.
 */
import { writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { checkWorkload, cookieAttributes, login } from './load.js';
import { median } from './median.js';
import { cpuJiffies } from './pinning.js';
import { ServerProcess, type ServerEnvironment } from './server-process.js';
import type { Variant, VariantName } from './variants.js';
import { runWrk, type LoadFigures } from './wrk.js';

/** Below this share of its core over a window, a server was held back by something else: the window is noisy. */
export const NOISY_BELOW = 0.95;

export interface MacroOptions {
  readonly variants: readonly Variant[];
  readonly rounds: number;
  /** Whole seconds of load before each measured window, not counted (0: none). */
  readonly warmup: number;
  /** Whole seconds per measured window. */
  readonly duration: number;
  readonly connections: number;
  /** Distinct sessions logged in per variant that keeps one, spread over the connections. */
  readonly sessions: number;
  /** What to run wrk behind (`taskset -c 1`), or nothing. */
  readonly loadPin: readonly string[];
  /** The CPU wrk and redis-server run on, when pinned. */
  readonly loadCpu?: number;
  readonly log: (line: string) => void;
}

export interface WindowFigures extends LoadFigures {
  /** Server CPU time (user + system) over the window, per completed request. */
  readonly cpuMicrosPerRequest: number;
  /** The server's CPU time over the window's wall time: 1 is its whole core. */
  readonly coreShare: number;
  /**
   * How busy the load CPU (wrk, redis-server, this process) was over the window, 0..1; unknown unpinned.
   * Near 1 with the server below its core: the load side, not the server, bounded the window.
   */
  readonly loadCoreShare: number | undefined;
}

export interface VariantSummary {
  readonly variant: Variant;
  /** One per round, in round order. */
  readonly windows: readonly WindowFigures[];
  readonly requestsPerSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly cpuMicrosPerRequest: number;
  readonly coreShare: number;
  readonly loadCoreShare: number | undefined;
}

export interface RoundFigures {
  /** The 1-minute load average before the round's first window and after its last. */
  readonly loadBefore: number;
  readonly loadAfter: number;
  /** The variants whose window was noisy in this round. */
  readonly noisy: readonly VariantName[];
}

export interface MacroResult {
  readonly summaries: readonly VariantSummary[];
  readonly rounds: readonly RoundFigures[];
  /** Every non-2xx answer and socket error, by variant and window, and any floor whose cookie differs from ours. */
  readonly failures: readonly string[];
}

/** Whether a window's server got less than its core: something else held it back. */
export function isNoisy(window: WindowFigures): boolean {
  return window.coreShare < NOISY_BELOW;
}

/** Per round, `variant`'s req/s over `baseline`'s in that same round. */
export function roundRatios(variant: VariantSummary, baseline: VariantSummary): number[] {
  return variant.windows.map((window, round) => window.requestsPerSecond / baseline.windows[round]!.requestsPerSecond);
}

/** Runs every round and returns one summary per variant, in `options.variants` order. */
export async function runMacro(options: MacroOptions, environment: ServerEnvironment): Promise<MacroResult> {
  const servers: ServerProcess[] = [];
  const failures: string[] = [];
  try {
    // Started side by side, before anything is measured.
    const started = await Promise.allSettled(options.variants.map((variant) => ServerProcess.start(variant, environment)));
    for (const result of started) if (result.status === 'fulfilled') servers.push(result.value);
    const failed = started.find((result) => result.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
    const cookieFiles = new Map<ServerProcess, string>();
    const setCookies = new Map<VariantName, string | undefined>();
    for (const server of servers) {
      options.log(`${server.variant.name}: logging in ${server.variant.keepsSession ? options.sessions : 1} session(s)`);
      const cookies = await login(server.url, server.variant, options.sessions);
      setCookies.set(server.variant.name, await checkWorkload(server.url, cookies[0], server.variant));
      const file = join(environment.app, `cookies-${server.variant.name}.txt`);
      await writeFile(file, cookies.map((cookie) => `${cookie}\n`).join(''));
      cookieFiles.set(server, file);
    }
    failures.push(...floorCookieMismatches(setCookies));
    const windows = new Map<ServerProcess, WindowFigures[]>(servers.map((server) => [server, []]));
    const rounds: RoundFigures[] = [];
    for (let round = 1; round <= options.rounds; round += 1) {
      const loadBefore = loadavg()[0]!;
      const noisy: VariantName[] = [];
      for (const server of servers) {
        const load = { connections: options.connections, cookies: cookieFiles.get(server)!, pin: options.loadPin };
        const where = `${server.variant.name}, round ${round}`;
        if (options.warmup > 0)
          failures.push(...(await runWrk(server.url, { ...load, duration: options.warmup })).failures.map((failure) => `${where} (warm-up): ${failure}`));
        const cpuBefore = await server.cpuMicros();
        const loadBefore = options.loadCpu === undefined ? undefined : cpuJiffies(options.loadCpu);
        const wallBefore = performance.now();
        const figures = await runWrk(server.url, { ...load, duration: options.duration });
        const cpu = (await server.cpuMicros()) - cpuBefore;
        const loadAfter = options.loadCpu === undefined ? undefined : cpuJiffies(options.loadCpu);
        const window = {
          ...figures,
          cpuMicrosPerRequest: cpu / figures.requests,
          coreShare: cpu / ((performance.now() - wallBefore) * 1000),
          loadCoreShare: loadBefore && loadAfter && (loadAfter.busy - loadBefore.busy) / (loadAfter.all - loadBefore.all),
        };
        windows.get(server)!.push(window);
        failures.push(...figures.failures.map((failure) => `${where}: ${failure}`));
        if (isNoisy(window)) noisy.push(server.variant.name);
        options.log(
          `round ${round}/${options.rounds} ${server.variant.name}: ${Math.round(figures.requestsPerSecond)} req/s, server on ${Math.round(window.coreShare * 100)}% of its core${isNoisy(window) ? ' (noisy)' : ''}${window.loadCoreShare === undefined ? '' : `, load CPU ${Math.round(window.loadCoreShare * 100)}% busy`}${figures.failures.length > 0 ? `; FAILED: ${figures.failures.join(', ')}` : ''}`,
        );
      }
      rounds.push({ loadBefore, loadAfter: loadavg()[0]!, noisy });
      options.log(
        `round ${round}/${options.rounds}: load average ${loadBefore.toFixed(2)} before, ${rounds.at(-1)!.loadAfter.toFixed(2)} after; ${noisy.length} noisy window(s)`,
      );
    }
    return { summaries: servers.map((server) => summarize(server.variant, windows.get(server)!)), rounds, failures };
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
  }
}

/** The floors must send our encrypted session's cookie attributes, or they would measure less (or more) than ours sends. */
function floorCookieMismatches(setCookies: ReadonlyMap<VariantName, string | undefined>): string[] {
  if (!setCookies.has('encrypted')) return [];
  const ours = cookieAttributes(setCookies.get('encrypted'));
  return (['floor-aes', 'koa-headers'] as const).flatMap((floor) => {
    if (!setCookies.has(floor)) return [];
    const theirs = cookieAttributes(setCookies.get(floor));
    return theirs === ours ? [] : [`${floor}: its Set-Cookie attributes "${theirs}" differ from ours, "${ours}" (bench/app/aes-gcm-floor.ts)`];
  });
}

function summarize(variant: Variant, windows: readonly WindowFigures[]): VariantSummary {
  const middle = (pick: (window: WindowFigures) => number) => median(windows.map(pick));
  return {
    variant,
    windows,
    requestsPerSecond: middle((window) => window.requestsPerSecond),
    p50: middle((window) => window.p50),
    p99: middle((window) => window.p99),
    cpuMicrosPerRequest: middle((window) => window.cpuMicrosPerRequest),
    coreShare: middle((window) => window.coreShare),
    loadCoreShare: windows.some((window) => window.loadCoreShare === undefined) ? undefined : middle((window) => window.loadCoreShare!),
  };
}
