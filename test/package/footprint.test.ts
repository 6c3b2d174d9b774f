/**
 * What typed-sessions costs a production install: `npm install --omit=dev` of a fresh app with koa and the
 * packed runtime, against koa alone, measured as test/support/footprint.ts measures (bench/footprint.ts
 * prints the same figures beside koa-session's and iron-session's for docs/benchmarks.md).
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installFootprint, type Footprint } from '../support/footprint.js';

const run = promisify(execFile);
const repo = resolve(import.meta.dirname, '../..');
const koa = `koa@${(JSON.parse(readFileSync(join(repo, 'node_modules/koa/package.json'), 'utf8')) as { version: string }).version}`;

/** The budget beyond koa's own tree: 3 MB and 10 packages. */
const MAX_EXTRA_BYTES = 3_000_000;
const MAX_EXTRA_PACKAGES = 10;
/** The generator's dependencies, which a production install must never carry. */
const BUILD_ONLY = ['typescript', 'ts-morph', 'prettier', 'yaml', 'ajv', '@ts-morph/common'];

let folder: string;
let alone: Footprint;
let withSessions: Footprint;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'typed-sessions-footprint-tarball-'));
  await run('npm', ['pack', '-w', 'typed-sessions', '--silent', '--pack-destination', folder], { cwd: repo });
  const [tarball] = (await readdir(folder)).filter((name) => name.endsWith('.tgz'));
  if (tarball === undefined) throw new Error('npm pack -w typed-sessions wrote no tarball');
  [alone, withSessions] = await Promise.all([installFootprint([koa]), installFootprint([koa, join(folder, tarball)])]);
}, 300_000);

afterAll(async () => {
  if (folder) await rm(folder, { recursive: true, force: true });
});

describe('a production install of koa and typed-sessions', () => {
  it(`adds at most ${MAX_EXTRA_PACKAGES} packages and ${MAX_EXTRA_BYTES / 1e6} MB beyond koa's own tree`, () => {
    const extra = withSessions.names.filter((name) => !alone.names.includes(name));
    expect(extra).toContain('typed-sessions');
    expect(extra.length).toBeLessThanOrEqual(MAX_EXTRA_PACKAGES);
    expect(withSessions.bytes - alone.bytes).toBeLessThanOrEqual(MAX_EXTRA_BYTES);
  });

  it('carries none of the generator: no TypeScript, ts-morph, prettier, yaml or ajv', () => {
    const installed = new Set(withSessions.names.map((name) => name.split('/node_modules/').at(-1)));
    expect(BUILD_ONLY.filter((name) => installed.has(name))).toEqual([]);
  });
});
