/**
 * The parent's handle on one benchmark server (bench/server.ts) running in a child process: its URL, its
 * CPU time, and stopping it.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ParentMessage, ServerMessage } from './server-protocol.js';
import type { Variant } from './variants.js';

const SERVER_ENTRY = fileURLToPath(new URL('./server.ts', import.meta.url));
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;

export interface ServerEnvironment {
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
    // One folder per variant: the tsx loader's worker thread writes a profile of its own beside the main thread's.
    const profile = environment.cpuProfileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${join(environment.cpuProfileDir, variant.name)}`];
    const child = fork(SERVER_ENTRY, [variant.name], {
      execArgv: ['--conditions=source', '--import', 'tsx', ...profile],
      env: { ...process.env, BENCH_SESSION_KEYS: environment.key, BENCH_REDIS_URL: environment.redisUrl },
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
