/**
 * The load generator: Debian's `wrk`, one thread and N keep-alive connections (`-t1 -cN`), driven by
 * bench/wrk-sessions.lua, which gives every request a session cookie and prints the window's figures as one
 * JSON line. Every answer that is not 2xx and every socket error is a failure of the window: a benchmark of
 * failures measures nothing. A request counts as timed out after 10 s rather than wrk's default 2 s: on a
 * busy machine a server can stall for seconds (its window is then marked noisy); only a hang is a failure.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { command } from './pinning.js';

const run = promisify(execFile);
/** wrk's `--timeout`. */
const TIMEOUT = '10s';
const SCRIPT = fileURLToPath(new URL('./wrk-sessions.lua', import.meta.url));

export interface LoadFigures {
  readonly requests: number;
  readonly requestsPerSecond: number;
  /** Milliseconds. */
  readonly p50: number;
  readonly p99: number;
  /** Failures of the window, as `409 × 12` or `3 read errors`; empty when every answer was 2xx. */
  readonly failures: readonly string[];
}

export interface LoadOptions {
  readonly connections: number;
  /** Whole seconds (wrk takes no fractions). */
  readonly duration: number;
  /** A file of Cookie header values, one a line (empty: requests carry no cookie). */
  readonly cookies: string;
  /** What to run wrk behind (`taskset -c 1`), or nothing. */
  readonly pin: readonly string[];
}

/** What bench/wrk-sessions.lua prints. */
interface WrkReport {
  readonly requests: number;
  readonly durationMicros: number;
  readonly p50Micros: number;
  readonly p99Micros: number;
  readonly non2xx: Readonly<Record<string, number>>;
  readonly socketErrors: Readonly<Record<'connect' | 'read' | 'write' | 'timeout', number>>;
}

/** GET `url`/counter for `options.duration` seconds; rejects only when wrk itself fails. */
export async function runWrk(url: string, options: LoadOptions): Promise<LoadFigures> {
  const args = ['-t1', `-c${options.connections}`, `-d${options.duration}s`, '--timeout', TIMEOUT, '-s', SCRIPT, `${url}/counter`, '--', options.cookies];
  const { stdout } = await run(...command(options.pin, 'wrk', args));
  const line = stdout.split('\n').find((text) => text.startsWith('{'));
  if (line === undefined) throw new Error(`wrk printed no figures:\n${stdout}`);
  const report = JSON.parse(line) as WrkReport;
  return {
    requests: report.requests,
    requestsPerSecond: report.requests / (report.durationMicros / 1e6),
    p50: report.p50Micros / 1000,
    p99: report.p99Micros / 1000,
    failures: [
      ...Object.entries(report.non2xx).map(([status, count]) => `${status} × ${count}`),
      ...Object.entries(report.socketErrors).flatMap(([kind, count]) => (count > 0 ? [`${count} socket ${kind} error${count === 1 ? '' : 's'}`] : [])),
    ],
  };
}
