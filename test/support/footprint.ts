import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** What a production install puts in `node_modules`: packages (each folder with a package.json) and bytes. */
export interface Footprint {
  readonly packages: number;
  readonly bytes: number;
  /** Package names, as `node_modules` paths (`koa`, `@types/node`, `a/node_modules/b`), sorted. */
  readonly names: readonly string[];
}

/**
 * `npm install --omit=dev` of `specs` (registry specs or tarball paths) in a fresh app, measured the way a
 * user's deploy pays for it: every package folder under `node_modules`, nested ones included, and the
 * apparent size of every file in them. The app is removed afterwards.
 *
 * @example
 * const { bytes, packages } = await installFootprint(['koa@3.1.1', '/tmp/typed-sessions-0.3.0.tgz']);
 */
export async function installFootprint(specs: readonly string[]): Promise<Footprint> {
  const app = await mkdtemp(join(tmpdir(), 'typed-sessions-footprint-'));
  try {
    await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'footprint', private: true, type: 'module' }));
    await run('npm', ['install', '--omit=dev', '--prefer-offline', '--no-audit', '--no-fund', '--no-package-lock', ...specs], {
      cwd: app,
      maxBuffer: 16 << 20,
    });
    const names: string[] = [];
    const bytes = await measure(join(app, 'node_modules'), '', names);
    return { packages: names.length, bytes, names: names.sort() };
  } finally {
    await rm(app, { recursive: true, force: true });
  }
}

/** Bytes of the files under `folder`, recording each package folder met (relative to the top node_modules). */
async function measure(folder: string, relative: string, names: string[]): Promise<number> {
  let bytes = 0;
  for (const entry of await readdir(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    const inside = relative === '' ? entry.name : `${relative}/${entry.name}`;
    if (entry.isDirectory()) {
      if (isPackageFolder(inside) && (await isFile(join(path, 'package.json')))) names.push(inside);
      bytes += await measure(path, inside, names);
    } else if (entry.isFile()) bytes += (await stat(path)).size;
  }
  return bytes;
}

/** `pkg`, `@scope/pkg`, `pkg/node_modules/dep`, but not a package's own sub-folders, nor `.bin`. */
function isPackageFolder(inside: string): boolean {
  return /^(?:(?:@[^/]+\/)?[^/.@][^/]*\/node_modules\/)*(?:@[^/]+\/)?[^/.@][^/]*$/.test(inside);
}

async function isFile(path: string): Promise<boolean> {
  return stat(path).then(
    (info) => info.isFile(),
    () => false,
  );
}
