/**
 * bench/wrk.ts with bench/wrk-sessions.lua against a plain HTTP server: every cookie of the file is sent,
 * and what is not a 2xx answer, or not an answer at all, comes back as a failure of the window (the
 * benchmark fails the run on it). Needs Debian's wrk, which CI installs; elsewhere without it the file is skipped.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runWrk } from '../../bench/wrk.js';

function wrkInstalled(): boolean {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
    return true;
  } catch (error) {
    // wrk --version prints its usage and exits 1; only a missing binary is ENOENT.
    return (error as NodeJS.ErrnoException).code !== 'ENOENT';
  }
}

const required = process.env.CI === 'true';
describe.skipIf(!wrkInstalled() && !required)('bench/wrk.ts (wrk -t1 and the session script)', () => {
  let folder: string;
  let server: Server;
  let url: string;
  const seen = new Map<string, number>();

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'bench-wrk-'));
    server = createServer((request, response) => {
      const cookie = request.headers.cookie ?? '';
      seen.set(cookie, (seen.get(cookie) ?? 0) + 1);
      if (request.url !== '/counter') response.statusCode = 404;
      else if (cookie === 's=drop') return void request.socket.destroy();
      else if (cookie === 's=conflict') response.statusCode = 409;
      response.end('{"count":1}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await rm(folder, { recursive: true, force: true });
  });

  async function load(cookies: readonly string[]) {
    seen.clear();
    const file = join(folder, 'cookies.txt');
    await writeFile(file, cookies.map((cookie) => `${cookie}\n`).join(''));
    return runWrk(url, { connections: 2, duration: 1, cookies: file, pin: [] });
  }

  it('given only 2xx answers, reports no failure and sends every cookie of the file round-robin', async () => {
    const figures = await load(['s=1', 's=2', 's=3']);
    expect(figures.failures).toEqual([]);
    expect(figures.requests).toBeGreaterThan(30);
    expect([...seen.keys()].sort()).toEqual(['s=1', 's=2', 's=3']);
    const counts = [...seen.values()];
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(2);
  });

  it('given a 409 for one session, reports the 409s by status', async () => {
    const figures = await load(['s=1', 's=conflict']);
    expect(figures.failures).toHaveLength(1);
    const conflicts = Number(/^409 × (\d+)$/.exec(figures.failures[0]!)?.[1]);
    expect(conflicts).toBeGreaterThan(0);
    expect(conflicts).toBeLessThanOrEqual(seen.get('s=conflict')!);
  });

  it('given a connection closed without an answer, reports socket read errors', async () => {
    const figures = await load(['s=1', 's=drop']);
    expect(figures.failures.some((failure) => /^\d+ socket read errors?$/.test(failure))).toBe(true);
  });

  it('given no cookie file lines, sends requests without a cookie', async () => {
    const figures = await load([]);
    expect(figures.failures).toEqual([]);
    expect([...seen.keys()]).toEqual(['']);
  });
});
