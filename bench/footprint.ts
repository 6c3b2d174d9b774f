/**
 * `npx tsx --conditions=source bench/footprint.ts`: what each session library adds to a production install
 * (`npm install --omit=dev` in a fresh app) beyond koa's own tree, measured as the footprint test measures
 * it. typed-sessions is installed from the tarball `npm pack -w typed-sessions` writes; koa-session and
 * iron-session from the registry at the versions named below. Prints a Markdown table.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { installFootprint } from '../test/support/footprint.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const KOA = 'koa@3';
const PEERS = ['koa-session@7', 'iron-session@8'];

const folder = await mkdtemp(join(tmpdir(), 'typed-sessions-footprint-bench-'));
try {
  await run('npm', ['pack', '-w', 'typed-sessions', '--silent', '--pack-destination', folder], { cwd: ROOT });
  const [tarball] = (await readdir(folder)).filter((name) => name.endsWith('.tgz'));
  if (tarball === undefined) throw new Error('npm pack -w typed-sessions wrote no tarball');
  const koa = await installFootprint([KOA]);
  const rows = [['typed-sessions (this tree)', join(folder, tarball)], ...PEERS.map((peer) => [peer, peer])] as const;
  const lines = ['| beside koa 3 | packages added | size added |', '|---|---:|---:|'];
  for (const [label, spec] of rows) {
    const measured = await installFootprint([KOA, spec]);
    const added = measured.names.filter((name) => !koa.names.includes(name)).length;
    lines.push(`| ${label} | ${added} | ${((measured.bytes - koa.bytes) / 1e6).toFixed(2)} MB |`);
  }
  lines.push(`| (koa 3 alone) | ${koa.packages} | ${(koa.bytes / 1e6).toFixed(2)} MB |`);
  process.stdout.write(`${lines.join('\n')}\n`);
} finally {
  await rm(folder, { recursive: true, force: true });
}
