/**
 * `typed-sessions gen --watch`, driven as a child process the way a user runs it: one long-lived watch per
 * case (each start loads tsx, ts-morph and prettier, seconds on a shared machine), saves made the ways
 * editors make them, every wait on an output line rather than a clock.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, open, readFile, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cliArgs, VALID_SPEC as SPEC } from './cli-process.js';

// Long enough for a cold start of tsx, ts-morph and prettier on a busy 2-core machine; only a hang reaches it.
const WAIT_MS = 30_000;

/** A line each result starts with: the time, then the spec as given on the command line. */
const result = (text: string): RegExp => new RegExp(`^\\d\\d:\\d\\d:\\d\\d sessions\\.yaml: ${text}$`);
const WROTE = result('wrote generated/index\\.ts, wrote generated/index\\.js(?:, wrote generated/validators\\.ts, wrote generated/validators\\.js)?');

/** A running `gen --watch`: its stdout as lines, its stderr as text, waits on both, and its exit. */
class WatchProcess {
  readonly lines: string[] = [];
  stderr = '';
  private readonly child: ChildProcess;
  private partial = '';
  /** Exited, with stdout and stderr read to their end. */
  private closed = false;
  private readonly waiters = new Set<() => void>();

  constructor(cwd: string) {
    this.child = spawn(process.execPath, cliArgs('gen', '--watch'), {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      const parts = (this.partial + chunk).split('\n');
      this.partial = parts.pop() ?? '';
      this.lines.push(...parts);
      this.notify();
    });
    this.child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderr += chunk;
      this.notify();
    });
    this.child.on('close', () => {
      this.closed = true;
      this.notify();
    });
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The stdout line at `index` (0 is the first generation's), once it has been printed. */
  async line(index: number): Promise<string> {
    await this.until(() => this.lines.length > index, `stdout line ${index + 1}`);
    return this.lines[index] ?? '';
  }

  async stderrMatching(pattern: RegExp): Promise<void> {
    await this.until(() => pattern.test(this.stderr), `stderr matching ${pattern}`);
  }

  /** Sends `signal` and waits for the process to end: its exit code, or the signal that ended it. */
  async stop(signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    this.child.kill(signal);
    await this.until(() => this.closed, `exit after ${signal}`);
    return { code: this.child.exitCode, signal: this.child.signalCode };
  }

  /** Ends the process if a failed test left it running. */
  kill(): void {
    if (this.running && this.child.pid !== undefined) process.kill(this.child.pid, 'SIGKILL');
  }

  private until(ready: () => boolean, what: string): Promise<void> {
    return new Promise((done, fail) => {
      const check = (): void => {
        if (!ready()) return;
        this.waiters.delete(check);
        clearTimeout(timer);
        done();
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        fail(new Error(`no ${what} within ${WAIT_MS} ms; stdout: ${JSON.stringify(this.lines)}, stderr: ${this.stderr}`));
      }, WAIT_MS);
      this.waiters.add(check);
      check();
    });
  }

  private notify(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}

let root: string;
let watcher: WatchProcess | undefined;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'typed-sessions-watch-'));
});
afterEach(() => {
  watcher?.kill();
  watcher = undefined;
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** One save as a burst of events: the file truncated, then written a line at a time. */
async function writeLineByLine(path: string, text: string): Promise<void> {
  const file = await open(path, 'w');
  try {
    for (const line of text.split(/(?<=\n)/)) await file.write(line);
  } finally {
    await file.close();
  }
}

async function startWatch(files: Readonly<Record<string, string>>) {
  const dir = await mkdtemp(join(root, 'project-'));
  const path = (file: string): string => join(dir, file);
  for (const [file, text] of Object.entries(files)) {
    await mkdir(join(path(file), '..'), { recursive: true });
    await writeFile(path(file), text);
  }
  watcher = new WatchProcess(dir);
  return { watch: watcher, path, generated: () => readFile(path('generated/index.ts'), 'utf8') };
}

describe('typed-sessions gen --watch', () => {
  it('regenerates once per save of the spec or of its serializer module, waits out a bad spec, and stops on SIGINT', { timeout: 180_000 }, async () => {
    const { watch, path, generated } = await startWatch({ 'sessions.yaml': SPEC, 'src/codec.ts': 'export const visitCodec = {};\n' });
    expect(await watch.line(0)).toMatch(WROTE);

    // Saved as vim and JetBrains save: a new file renamed over the spec, which a watch on the file itself misses.
    await writeFile(path('.sessions.yaml.swp'), SPEC.replace('count: { type: integer, minimum: 1 }', '$&, label: { type: string }'));
    await rename(path('.sessions.yaml.swp'), path('sessions.yaml'));
    expect(await watch.line(1)).toMatch(WROTE);
    const withLabel = await generated();
    expect(withLabel).toContain('label?: string;');

    await writeFile(path('sessions.yaml'), SPEC.replace('sign: main', 'sign: mian'));
    expect(await watch.line(2)).toMatch(result('1 error'));
    await watch.stderrMatching(/^sessions\.yaml:6:\d+: .*"mian"/m);
    expect(watch.running).toBe(true);
    expect(await generated()).toBe(withLabel);

    // Read before the burst is over, the spec would be half written: one result, for the whole file.
    await writeLineByLine(path('sessions.yaml'), SPEC.replace('    transform:', '    serializer: { module: ./src/codec.js, export: visitCodec }\n$&'));
    expect(await watch.line(3)).toMatch(WROTE);
    expect(await generated()).toContain("import { visitCodec } from '../src/codec.js';");

    // The spec names codec.js; in a TypeScript project the file saved is codec.ts.
    await writeFile(path('src/codec.ts'), 'export const visitCodec = { version: 2 };\n');
    expect(await watch.line(4)).toMatch(result('generated/ is up to date \\(4 files\\)'));

    expect(await watch.stop('SIGINT')).toEqual({ code: 0, signal: null });
    expect(watch.lines).toHaveLength(5);
  });

  it('keeps watching a spec that is deleted and written again, and stops on SIGTERM', { timeout: 120_000 }, async () => {
    const { watch, path, generated } = await startWatch({ 'sessions.yaml': SPEC });
    expect(await watch.line(0)).toMatch(WROTE);

    await unlink(path('sessions.yaml'));
    expect(await watch.line(1)).toMatch(result('1 error'));
    await watch.stderrMatching(/^sessions\.yaml:1:1: cannot read the spec: no such file/m);

    await writeFile(path('sessions.yaml'), SPEC.replace('count: { type: integer, minimum: 1 }', '$&, note: { type: string }'));
    expect(await watch.line(2)).toMatch(WROTE);
    expect(await generated()).toContain('note?: string;');

    expect(await watch.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    expect(watch.lines).toHaveLength(3);
  });
});
