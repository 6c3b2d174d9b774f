import { createHash } from 'node:crypto';
import { chmod, chown, mkdir, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { SessionConfigError } from '../../runtime/errors.js';
import { DirectoryStorage, type DirectoryStorageOptions } from '../../runtime/storage/directory.js';
import { storageContract } from './contract.js';
import { indexContract } from './index-contract.js';

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

function storageOn(path: string, options: Partial<DirectoryStorageOptions> = {}): DirectoryStorage {
  return new DirectoryStorage({ path, maxEntries: 10_000, clock: () => now, ...options });
}

function makeStorage(): DirectoryStorage {
  return storageOn(freshFolder());
}

function fileName(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

storageContract('DirectoryStorage', () => makeStorage(), {
  advanceClock: (ms) => {
    now += ms;
  },
});

indexContract('DirectoryStorage', () => makeStorage(), {
  advanceClock: (ms) => {
    now += ms;
  },
  bounded: (maxEntries) => storageOn(freshFolder(), { maxEntries }),
});

describe('DirectoryStorage on disk', () => {
  let path: string;
  let storage: DirectoryStorage;
  beforeEach(() => {
    path = freshFolder();
    storage = storageOn(path);
  });

  it('#62 creates its folder (mode 0700) when it is built, and writes files with mode 0600', async () => {
    expect((await stat(path)).mode & 0o777).toBe(0o700);
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

  it('keeps the deadline and the version in the header, and rewrites only the expiry on a sliding read, in place', async () => {
    await storage.write('k', 'välue', 10, { maxSeconds: 3600 });
    const file = join(path, fileName('k'));
    const before = await stat(file);
    const { version } = (await storage.read('k'))!;
    const deadline = String(now + 3_600_000).padStart(16, '0');
    now += 5_000;
    await storage.read('k', 60);
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

  it('keeps an index in one file named by the SHA-256 of the index, and sweeps it once every member\'s deadline has passed', async () => {
    await storage.writeIndexed('s1', 'value', 10, { join: '../alice' }, { maxSeconds: 20 });
    const index = `${fileName('../alice')}.index`;
    expect((await readdir(path)).sort()).toEqual([fileName('s1'), index].sort());
    expect(JSON.parse(await readFile(join(path, index), 'utf8'))).toEqual({ expiresAt: now + 20_000, members: ['s1'] });
    now += 10_000;
    expect(await storage.sweep()).toBe(1);
    expect(await readdir(path)).toEqual([index]);
    now += 10_000;
    expect(await storage.sweep()).toBe(1);
    expect(await readdir(path)).toEqual([]);
  });

  it('sweeps in the background when a write comes sweepIntervalMs after the last sweep', async () => {
    storage = storageOn(path, { sweepIntervalMs: 60_000 });
    await storage.write('expired', 'value', 10);
    now += 60_000;
    await storage.write('new', 'value', 60);
    await vi.waitFor(async () => expect(await readdir(path)).toEqual([fileName('new')]));
  });

  it('sweeps a folder removed while the app runs without failing', async () => {
    await rm(path, { recursive: true });
    expect(await storage.sweep()).toBe(0);
  });

  it('makes its folder again when it is removed while the app runs', async () => {
    await storage.write('a', 'value a', 60);
    await rm(path, { recursive: true });
    await storage.write('b', 'value b', 60);
    expect((await storage.read('b'))?.value).toBe('value b');
  });

  it('shares sessions with another storage on the same folder, as another process would', async () => {
    const other = storageOn(path);
    await storage.write('k', 'value', 60);
    expect((await other.read('k'))?.value).toBe('value');
    await other.invalidate('k');
    expect(await storage.read('k')).toBeUndefined();
  });

  it('refuses a TTL that is not a positive number, and stores nothing', async () => {
    await expect(storage.write('k', 'value', 0)).rejects.toThrow(RangeError);
    await expect(storage.read('k', Number.NaN)).rejects.toThrow(RangeError);
    expect(await storage.read('k')).toBeUndefined();
  });

  it.each([
    [{ path: '', maxEntries: 10 }, 'DirectoryStorage: path must name a folder, for example ".sessions"'],
    [{ path: '.sessions', maxEntries: 10, sweepIntervalMs: 0 }, 'DirectoryStorage: sweepIntervalMs must be a positive number of milliseconds, not 0'],
    [{ path: '.sessions', maxEntries: 0 }, 'DirectoryStorage: maxEntries must be a whole number of at least 1, not 0'],
    [{ path: '.sessions', maxEntries: 1.5 }, 'DirectoryStorage: maxEntries must be a whole number of at least 1, not 1.5'],
  ])('refuses options %o', (options, message) => {
    expect(() => new DirectoryStorage(options)).toThrow(new SessionConfigError(message));
  });
});

describe('#62 DirectoryStorage: startup checks and the bound', () => {
  let path: string;
  beforeEach(() => {
    path = freshFolder();
  });

  async function sessionFiles(): Promise<string[]> {
    return (await readdir(path)).filter((name) => /^[0-9a-f]{64}$/.test(name)).sort();
  }

  function filesOf(...keys: string[]): string[] {
    return keys.map(fileName).sort();
  }

  it('#62 refuses, at startup, an index file others could have written: a planted index would list or revoke the sessions it names', async () => {
    await storageOn(path).writeIndexed('s1', 'value', 10, { join: 'alice' }, { maxSeconds: 20 });
    const index = join(path, `${fileName('alice')}.index`);
    await chmod(index, 0o666);
    expect(() => storageOn(path)).toThrow(SessionConfigError);
    expect(() => storageOn(path)).toThrow(`DirectoryStorage: ${index} is writable by its group and others (mode 666)`);
  });

  it('#62 refuses, at startup, a path with a file in the way, naming the folder', async () => {
    await mkdir(join(path, '..'), { recursive: true });
    await writeFile(path, 'not a folder');
    expect(() => storageOn(path)).toThrow(
      new SessionConfigError(
        `DirectoryStorage: cannot open the folder ${path}: EEXIST: file already exists, mkdir '${path}'; point path at a folder this process may create and write`,
      ),
    );
    expect(() => storageOn(join(path, 'sessions'))).toThrow(/^DirectoryStorage: cannot open the folder .*: ENOTDIR/);
  });

  it('#62 leaves files under names it does not use alone at startup, whoever owns them', async () => {
    await mkdir(path, { recursive: true, mode: 0o700 });
    await writeFile(join(path, 'README'), 'x', { mode: 0o666 });
    await chown(join(path, 'README'), 65534, 65534);
    expect(() => storageOn(path)).not.toThrow();
  });

  it('#62 keeps at most maxEntries files: a write past it removes the oldest file not used again since written, as memory does (#64)', async () => {
    const evictions: string[] = [];
    const storage = storageOn(path, { maxEntries: 3, onEvict: () => evictions.push('evicted') });
    for (const key of ['a', 'b', 'c']) await storage.write(key, key, 60);
    await storage.read('a');
    await storage.write('d', 'd', 60);
    expect(await sessionFiles()).toEqual(filesOf('a', 'c', 'd'));
    await storage.read('c', 60);
    await storage.write('e', 'e', 60);
    expect(await sessionFiles()).toEqual(filesOf('a', 'c', 'e'));
    await storage.write('e', 'e again', 60);
    expect(await sessionFiles()).toEqual(filesOf('a', 'c', 'e'));
    expect(evictions).toEqual(['evicted', 'evicted']);
  });

  it('#62 files found at startup go first, least recently modified first', async () => {
    const before = storageOn(path);
    for (const key of ['old1', 'old2', 'old3']) await before.write(key, key, 60);
    const ages = { old1: 2000, old2: 3000, old3: 1000 };
    for (const [key, age] of Object.entries(ages)) {
      const time = new Date(Date.now() - age);
      await utimes(join(path, fileName(key)), time, time);
    }
    const restarted = storageOn(path, { maxEntries: 3 });
    await restarted.write('new1', 'v', 60);
    expect(await sessionFiles()).toEqual(filesOf('old1', 'old3', 'new1'));
    await restarted.write('new2', 'v', 60);
    expect(await sessionFiles()).toEqual(filesOf('old3', 'new1', 'new2'));
  });

  it('#62 a file another process sharing the folder has slid since is in use there: it stays, and the next oldest goes', async () => {
    const mine = storageOn(path, { maxEntries: 2 });
    const other = storageOn(path);
    await mine.write('a', 'a', 60);
    await mine.write('b', 'b', 60);
    now += 1000;
    await other.read('a', 60);
    await mine.write('c', 'c', 60);
    expect(await sessionFiles()).toEqual(filesOf('a', 'c'));
  });

  it('#62 a folder found over the bound at startup shrinks by one file per write, down to the bound', async () => {
    const before = storageOn(path);
    for (const key of ['k1', 'k2', 'k3', 'k4', 'k5']) await before.write(key, key, 60);
    const restarted = storageOn(path, { maxEntries: 2 });
    const counts: number[] = [];
    for (const key of ['n1', 'n2', 'n3', 'n4']) {
      await restarted.write(key, key, 60);
      counts.push((await sessionFiles()).length);
    }
    expect(counts).toEqual([4, 3, 2, 2]);
  });
});
