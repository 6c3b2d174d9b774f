import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, it } from 'vitest';

/**
 * Real Redis servers for tests: Debian's `redis-server`, started on a free loopback port with nothing
 * persisted, and stopped by pid. Every server this module starts is killed when the test process exits,
 * even after a crash in a test that never reached its `afterAll`.
 */

export const REDIS_HOST = '127.0.0.1';

/**
 * How RedisStorage fails without waiting for any timeout, which is how a test tells "at once" from "at the
 * timeout" without a clock: a command on a lost connection is not retried (maxRetriesPerRequest 0), and none
 * is queued while the connection is down (no offline queue). A timeout reads "Command timed out" instead.
 */
export const FAILS_AT_ONCE = /max retries per request limit|Stream isn't writeable/;

export interface RedisServer {
  readonly port: number;
  /** `redis://127.0.0.1:PORT`, for `new RedisStorage(url)`. */
  readonly url: string;
  /** The server's folder: its snapshot (`dump.rdb`, written only by an explicit `SAVE`) and cluster config. */
  readonly dir: string;
  /** SIGTERM, then SIGKILL after two seconds; removes the server's folder. Safe to call twice. */
  stop(): Promise<void>;
  /** SIGKILL, as a crash: nothing more is saved, and the folder stays, for a restart in place (`dir`). */
  crash(): Promise<void>;
}

export interface RedisServerOptions {
  /** Default: a free port. Pass a stopped server's port to restart it in place. */
  readonly port?: number;
  /** More `redis-server` arguments, for example cluster mode. */
  readonly args?: readonly string[];
  /**
   * A command that runs `redis-server` (`[command, ...args]`, the server's command line appended), such as
   * `['taskset', '-c', '1']` to pin it to a CPU (the benchmark does). Default: none, `redis-server` itself.
   */
  readonly launcher?: readonly string[];
  /** Default: a new folder. Pass a crashed server's `dir` to restart it with what it had saved. */
  readonly dir?: string;
}

const REQUIRE_REDIS = 'TYPED_SESSIONS_REQUIRE_REDIS';
const INSTALL_HINT = 'apt-get install redis-server';
const START_TIMEOUT_MS = 5000;
const STOP_GRACE_MS = 2000;
const START_ATTEMPTS = 3;

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

const execFileAsync = promisify(execFile);

/** Whether `redis-server` and `redis-cli` (the same Debian package set) are on PATH. */
export function redisAvailable(path = process.env.PATH ?? ''): boolean {
  return ['redis-server', 'redis-cli'].every((program) => onPath(program, path));
}

let skipNoticePrinted = false;

/**
 * `describe`, for suites that need a real Redis. Without `redis-server` the suite is skipped with one
 * line saying how to run it, or fails when TYPED_SESSIONS_REQUIRE_REDIS=1 (CI sets it, so Redis
 * coverage cannot vanish silently).
 *
 * @example
 * describeRedis('RedisStorage', () => {
 *   let redis: RedisServer;
 *   beforeAll(async () => { redis = await startRedisServer(); });
 *   afterAll(() => redis.stop());
 * });
 */
export function describeRedis(name: string, body: () => void): void {
  if (redisAvailable()) {
    describe(name, body);
  } else if (process.env[REQUIRE_REDIS] === '1') {
    describe(name, () => {
      it('needs redis-server', () => {
        throw new Error(`redis-server and redis-cli are not on PATH, and ${REQUIRE_REDIS}=1 requires the Redis tests: ${INSTALL_HINT}`);
      });
    });
  } else {
    if (!skipNoticePrinted) {
      skipNoticePrinted = true;
      console.warn(`Redis tests skipped: redis-server is not on PATH. To run them: ${INSTALL_HINT} (set ${REQUIRE_REDIS}=1 to make this a failure).`);
    }
    describe.skip(name, body);
  }
}

/**
 * Starts a server and resolves once it answers PING.
 *
 * @example
 * const redis = await startRedisServer();
 * afterAll(() => redis.stop());
 */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  for (let attempt = 1; ; attempt++) {
    const port = options.port ?? (await freePort());
    try {
      return await launch(port, options);
    } catch (error) {
      // A free port can be taken between finding it and binding it; only a fixed port is final.
      if (options.port !== undefined || attempt === START_ATTEMPTS) throw error;
    }
  }
}

/** A server and a client on it, for the suite that asked: set before its tests run. */
export interface SuiteRedis {
  readonly server: RedisServer;
  readonly client: Redis;
}

/**
 * Starts a server and a client on it before the tests of the suite it is called in, and stops both after.
 *
 * @example
 * const redis = redisForSuite();
 * it('answers', async () => expect(await redis.client.ping()).toBe('PONG'));
 */
export function redisForSuite(): SuiteRedis {
  const suite = {} as { server: RedisServer; client: Redis };
  beforeAll(async () => {
    suite.server = await startRedisServer();
    suite.client = new Redis(suite.server.port, REDIS_HOST);
  });
  afterAll(async () => {
    await suite.client?.quit();
    await suite.server?.stop();
  });
  return suite;
}

/**
 * Runs one command through `redis-cli` and returns its output, for setup and checks outside the code
 * under test.
 */
export async function redisCli(port: number, ...args: string[]): Promise<string> {
  const { stdout } = await execFileAsync('redis-cli', ['-h', REDIS_HOST, '-p', String(port), ...args], { timeout: 10_000 });
  return stdout;
}

/** A port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, REDIS_HOST, resolve);
  });
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function launch(port: number, { args = [], launcher = [], dir: savedIn }: RedisServerOptions): Promise<RedisServer> {
  const dir = savedIn ?? (await mkdtemp(join(tmpdir(), 'typed-sessions-redis-')));
  const serverArgs = ['--port', String(port), '--bind', REDIS_HOST, '--save', '', '--appendonly', 'no', '--dir', dir, ...args];
  const [program, ...programArgs] = [...launcher, 'redis-server', ...serverArgs];
  const child = spawn(program!, programArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const stop = async () => {
    await stopProcess(child);
    await rm(dir, { recursive: true, force: true });
  };
  const crash = () => stopProcess(child, 'SIGKILL');
  try {
    await waitForPing(port, child);
  } catch (error) {
    await stop();
    throw new Error(`redis-server on port ${port} did not start: ${(error as Error).message}\n${output}`);
  }
  return { port, url: `redis://${REDIS_HOST}:${port}`, dir, stop, crash };
}

async function waitForPing(port: number, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`it exited (${child.exitCode ?? child.signalCode})`);
    const answer = await redisCli(port, 'PING').catch(() => '');
    if (answer.trim() === 'PONG') return;
    await sleep(20);
  }
  throw new Error(`no PONG within ${START_TIMEOUT_MS} ms`);
}

async function stopProcess(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  child.kill(signal);
  const killer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
  await exited;
  clearTimeout(killer);
  running.delete(child);
}

function onPath(program: string, path: string): boolean {
  return path
    .split(delimiter)
    .filter((dir) => dir !== '')
    .some((dir) => {
      try {
        accessSync(join(dir, program), constants.X_OK);
        return true;
      } catch {
        return false;
      }
    });
}
