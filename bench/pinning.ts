/**
 * Which CPU runs what: each benchmark server on one CPU, and everything that feeds it (wrk, redis-server,
 * this process) on another, with `taskset`, so the server's figures carry no load generator's CPU and the
 * server never waits for a core. Without two CPUs or without `taskset` everything runs unpinned, and the
 * output says so.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface CpuPlan {
  /** One sentence for the output: what runs where, or why nothing is pinned. */
  readonly description: string;
  /** `[command, ...args]` to put before a server's command line (empty when unpinned). */
  readonly server: readonly string[];
  /** `[command, ...args]` to put before wrk's or redis-server's command line (empty when unpinned). */
  readonly load: readonly string[];
  /** The CPU wrk and redis-server run on, when pinned: how busy it was tells whether it held the server back. */
  readonly loadCpu?: number;
}

/**
 * Pins this process (all its threads, and so every child it starts) to the load CPU and says where the
 * servers go. Call it once, after the parallel work of preparing the app, which it would slow.
 *
 * @example
 * const cpus = pinCpus();
 * spawn(...command(cpus.server, 'node', ['server.js']));
 */
export function pinCpus(): CpuPlan {
  const cpus = allowedCpus();
  if (cpus.length < 2) return unpinned(`${cpus.length === 1 ? 'one CPU' : 'no CPU list'} available to this process`);
  const [server, load] = cpus as [number, number];
  try {
    execFileSync('taskset', ['-a', '-c', '-p', String(load), String(process.pid)], { stdio: 'ignore' });
  } catch (error) {
    return unpinned(`taskset failed (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  return {
    description: `Pinned with taskset: each server on CPU ${server}; wrk, redis-server and the parent process on CPU ${load}.`,
    server: ['taskset', '-c', String(server)],
    load: ['taskset', '-c', String(load)],
    loadCpu: load,
  };
}

/**
 * Jiffies (busy, all) CPU `cpu` has spent since boot, from /proc/stat; busy is everything but idle and
 * iowait, so the steal a shared host takes counts as busy too.
 */
export function cpuJiffies(cpu: number): { busy: number; all: number } | undefined {
  let stat: string;
  try {
    stat = readFileSync('/proc/stat', 'utf8');
  } catch {
    return undefined;
  }
  const fields = new RegExp(`^cpu${cpu} (.+)$`, 'm').exec(stat)?.[1]?.trim().split(/\s+/).map(Number);
  if (fields === undefined || fields.length < 8) return undefined;
  const all = fields.slice(0, 8).reduce((sum, value) => sum + value, 0);
  return { busy: all - fields[3]! - fields[4]!, all };
}

/** `program args` behind `prefix`: `[command, args]` for `spawn`. */
export function command(prefix: readonly string[], program: string, args: readonly string[]): [string, string[]] {
  const [first, ...rest] = [...prefix, program, ...args];
  return [first!, rest];
}

function unpinned(reason: string): CpuPlan {
  return {
    description: `Unpinned (${reason}): servers, wrk and redis-server share the CPUs, so every ratio drifts towards 1.`,
    server: [],
    load: [],
  };
}

/** The CPUs this process may run on, from /proc/self/status (`Cpus_allowed_list: 0-1,4`); none known elsewhere. */
function allowedCpus(): number[] {
  let list: string | undefined;
  try {
    list = /^Cpus_allowed_list:\s*(\S+)$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
  } catch {
    return [];
  }
  return (list ?? '').split(',').flatMap((range) => {
    const [from, to = from] = range.split('-').map(Number) as [number, number?];
    return Number.isInteger(from) && Number.isInteger(to) ? Array.from({ length: to! - from + 1 }, (_, index) => from + index) : [];
  });
}
