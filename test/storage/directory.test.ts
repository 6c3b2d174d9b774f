import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { SessionConfigError } from '../../runtime/errors.js';
import { DirectoryStorage, type DirectoryStorageOptions } from '../../runtime/storage/directory.js';
import { storageContract } from './contract.js';

let root: string;
let folders = 0;
let now = Date.now();

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'typed-sessions-directory-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A fresh folder path, not yet created, inside this run's temporary root. */
function freshFolder(): string {
  return join(root, `run-${++folders}`, 'sessions');
}

function makeStorage(options: Partial<DirectoryStorageOptions> = {}): DirectoryStorage {
  return new DirectoryStorage({ path: freshFolder(), clock: () => now, ...options });
}

function fileName(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

storageContract('DirectoryStorage', () => makeStorage(), {
  advanceClock: (ms) => {
    now += ms;
  },
});

describe('DirectoryStorage on disk', () => {
  let path: string;
  let storage: DirectoryStorage;
  beforeEach(() => {
    path = freshFolder();
    storage = new DirectoryStorage({ path, clock: () => now });
  });

  it('creates its folder (mode 0700) on the first write, not on reads, and writes files with mode 0600', async () => {
    expect(await storage.read('k')).toBeUndefined();
    await expect(stat(path)).rejects.toMatchObject({ code: 'ENOENT' });
    await storage.write('k', 'value', 60);
    expect((await stat(path)).mode & 0o777).toBe(0o700);
    expect((await stat(join(path, fileName('k')))).mode & 0o777).toBe(0o600);
  });

  it('names each file by the SHA-256 of its key, so no key reaches outside the folder', async () => {
    const keys = ['../../escaped', '/etc/passwd', 'a/b', '..', 'sess:x', 'plain'];
    for (const key of keys) await storage.write(key, 'value', 60);
    expect((await readdir(path)).sort()).toEqual(keys.map(fileName).sort());
    expect(await readdir(join(path, '..'))).toEqual(['sessions']);
  });

  it('leaves only the final file after many concurrent writes to one key', async () => {
    await Promise.all(Array.from({ length: 50 }, (_, i) => storage.write('k', `value ${i}`, 60)));
    expect(await readdir(path)).toEqual([fileName('k')]);
  });

  it('keeps the expiry in the file and removes the file when a read finds it expired', async () => {
    await storage.write('k', 'value', 10);
    const file = join(path, fileName('k'));
    expect(await readFile(file, 'utf8')).toMatch(new RegExp(`^${String(now + 10_000).padStart(16, '0')} 9{16} [0-9a-f]{16}\nvalue$`));
    now += 10_000;
    expect(await storage.read('k')).toBeUndefined();
    await expect(stat(file)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('keeps the deadline and the version in the header, and rewrites only the expiry on touch, in place', async () => {
    await storage.write('k', 'välue', 10, { maxSeconds: 3600 });
    const file = join(path, fileName('k'));
    const before = await stat(file);
    const { version } = (await storage.read('k'))!;
    const deadline = String(now + 3_600_000).padStart(16, '0');
    now += 5_000;
    await storage.touch('k', 60);
    expect(await readFile(file, 'utf8')).toBe(`${String(now + 60_000).padStart(16, '0')} ${deadline} ${version}\nvälue`);
    expect((await stat(file)).ino).toBe(before.ino);
  });

  it('leaves no lock file behind, and serializes 20 concurrent read-increment-write loops on one key', async () => {
    await storage.write('k', '0', 60);
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        for (;;) {
          const entry = (await storage.read('k'))!;
          if (await storage.write('k', String(Number(entry.value) + 1), 60, { ifVersion: entry.version })) return;
        }
      }),
    );
    expect((await storage.read('k'))?.value).toBe('20');
    expect(await readdir(path)).toEqual([fileName('k')]);
  });

  it.each([
    ['empty', ''],
    ['no stamp', 'value'],
    ['short stamp', '123\nvalue'],
    ['stamp without newline', '1234567890123456value'],
    ['a stamp but no deadline or version', '9999999999999999\nvalue'],
  ])('reads a file it did not write whole (%s) as missing, and removes it', async (_, content) => {
    await mkdir(path, { recursive: true });
    const file = join(path, fileName('k'));
    await writeFile(file, content);
    expect(await storage.read('k')).toBeUndefined();
    await expect(stat(file)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('sweeps expired files and stale temporary files, and leaves every other file alone', async () => {
    await storage.write('expired', 'value', 10);
    await storage.write('live', 'value', 60);
    const staleTemp = `${fileName('crashed')}.0123456789abcdef.tmp`;
    const freshTemp = `${fileName('in-flight')}.fedcba9876543210.tmp`;
    const foreign = ['README', 'notes.tmp', `${fileName('x')}.bak`];
    for (const name of [staleTemp, freshTemp, ...foreign]) await writeFile(join(path, name), 'x');
    // Temporary files are judged by modification time against the storage's clock.
    await utimes(join(path, staleTemp), new Date(now - 120_000), new Date(now - 120_000));
    await utimes(join(path, freshTemp), new Date(now), new Date(now));
    await mkdir(join(path, fileName('a folder')));
    now += 20_000;

    expect(await storage.sweep()).toBe(2);
    expect((await readdir(path)).sort()).toEqual([fileName('live'), freshTemp, fileName('a folder'), ...foreign].sort());
  });

  it('sweeps in the background when a write comes sweepIntervalMs after the last sweep', async () => {
    storage = new DirectoryStorage({ path, clock: () => now, sweepIntervalMs: 60_000 });
    await storage.write('expired', 'value', 10);
    now += 60_000;
    await storage.write('new', 'value', 60);
    await vi.waitFor(async () => expect(await readdir(path)).toEqual([fileName('new')]));
  });

  it('sweeps a folder that does not exist yet without failing', async () => {
    expect(await storage.sweep()).toBe(0);
  });

  it('makes its folder again when it is removed while the app runs', async () => {
    await storage.write('a', 'value a', 60);
    await rm(path, { recursive: true });
    await storage.write('b', 'value b', 60);
    expect((await storage.read('b'))?.value).toBe('value b');
  });

  it('shares sessions with another storage on the same folder, as another process would', async () => {
    const other = new DirectoryStorage({ path, clock: () => now });
    await storage.write('k', 'value', 60);
    expect((await other.read('k'))?.value).toBe('value');
    await other.invalidate('k');
    expect(await storage.read('k')).toBeUndefined();
  });

  it('refuses a TTL that is not a positive number, and stores nothing', async () => {
    await expect(storage.write('k', 'value', 0)).rejects.toThrow(RangeError);
    await expect(storage.touch('k', Number.NaN)).rejects.toThrow(RangeError);
    expect(await storage.read('k')).toBeUndefined();
  });

  it.each([
    [{ path: '' }, 'DirectoryStorage: path must name a folder, for example ".sessions"'],
    [{ path: '.sessions', sweepIntervalMs: 0 }, 'DirectoryStorage: sweepIntervalMs must be a positive number of milliseconds, not 0'],
  ])('refuses options %o', (options, message) => {
    expect(() => new DirectoryStorage(options)).toThrow(new SessionConfigError(message));
  });
});
