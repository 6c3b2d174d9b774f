/**
 * The parent's handle on one benchmark server running in a child process: `node server.js <variant>` in the
 * installed app (bench/app/server.ts, compiled), plain Node with NODE_ENV=production, pinned to the server
 * CPU. Its URL, its CPU time, and stopping it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { ParentMessage, ServerMessage } from './app/protocol.js';
import { command } from './pinning.js';
import type { Variant } from './variants.js';

const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;

export interface ServerEnvironment {
  /** The installed app's folder (bench/installed-app.ts). */
  readonly app: string;
  /** What to run the server behind (`taskset -c 0`), or nothing. */
  readonly pin: readonly string[];
  readonly key: string;
  readonly redisUrl: string;
  /** Write a V8 CPU profile of the server here when it stops (`node --cpu-prof`). */
  readonly cpuProfileDir?: string;
}

export class ServerProcess {
  readonly #child: ChildProcess;
  readonly #exited: Promise<void>;

  private constructor(
    readonly variant: Variant,
    readonly url: string,
    child: ChildProcess,
    exited: Promise<void>,
  ) {
    this.#child = child;
    this.#exited = exited;
  }

  /** Starts `variant`'s server and resolves once it listens. */
  static async start(variant: Variant, environment: ServerEnvironment): Promise<ServerProcess> {
    const profile = environment.cpuProfileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${join(environment.cpuProfileDir, variant.name)}`];
    // Only what the server needs in its environment: no NODE_OPTIONS or loader of this process's.
    const env = { PATH: process.env.PATH, NODE_ENV: 'production', BENCH_SESSION_KEYS: environment.key, BENCH_REDIS_URL: environment.redisUrl };
    const child = spawn(...command(environment.pin, process.execPath, [...profile, 'server.js', variant.name]), {
      cwd: environment.app,
      env,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`bench server ${variant.name} did not listen within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
      child.once('exit', (code, signal) => reject(new Error(`bench server ${variant.name} exited (${code ?? signal}) before listening`)));
      child.on('message', function onListening(message: ServerMessage) {
        if (message.type !== 'listening') return;
        clearTimeout(timer);
        child.off('message', onListening);
        resolve(message.port);
      });
    }).catch((error: unknown) => {
      child.kill('SIGKILL');
      throw error;
    });
    return new ServerProcess(variant, `http://127.0.0.1:${port}`, child, exited);
  }

  /** The server process's CPU time so far, user plus system, in microseconds. */
  cpuMicros(): Promise<number> {
    return new Promise((resolve) => {
      this.#child.on('message', function onCpu(this: ChildProcess, message: ServerMessage) {
        if (message.type !== 'cpu') return;
        this.off('message', onCpu);
        resolve(message.micros);
      });
      this.#send({ type: 'cpu' });
    });
  }

  /** Asks the server to close and exit; kills it if it has not within ten seconds. */
  async stop(): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    this.#send({ type: 'stop' });
    const killer = setTimeout(() => this.#child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await this.#exited;
    clearTimeout(killer);
  }

  #send(message: ParentMessage): void {
    this.#child.send(message);
  }
}
