/**
 * bench/profile-top.ts run as docs/benchmarks.md shows it: a profile folder's glob (the server's main
 * thread and tsx's loader thread each write one) and a frame count.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const SCRIPT = fileURLToPath(new URL('../../bench/profile-top.ts', import.meta.url));

/** A V8 CPU profile whose samples hit each named function the given number of times. */
function profile(hits: Readonly<Record<string, number>>): string {
  const names = Object.keys(hits);
  const nodes = names.map((functionName, index) => ({ id: index + 1, callFrame: { functionName, url: '', lineNumber: 0 } }));
  const samples = names.flatMap((name, index) => Array.from({ length: hits[name] ?? 0 }, () => index + 1));
  return JSON.stringify({ nodes, samples });
}

describe('bench/profile-top.ts', () => {
  let folder: string;
  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'profile-top-'));
    await writeFile(join(folder, 'CPU.1.0.001.cpuprofile'), profile({ seal: 3, open: 1 }));
    await writeFile(join(folder, 'CPU.1.1.002.cpuprofile'), profile({ loader: 1 }));
  });
  afterAll(() => rm(folder, { recursive: true, force: true }));

  it('given every profile of a folder and a count, prints that many top frames of the busiest profile', async () => {
    const files = [join(folder, 'CPU.1.0.001.cpuprofile'), join(folder, 'CPU.1.1.002.cpuprofile')];
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', SCRIPT, ...files, '1']);
    expect(stdout.trim().split('\n')).toEqual(['CPU.1.0.001.cpuprofile:', '   75.0%  seal']);
  });
});
