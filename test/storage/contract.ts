import { beforeEach, describe, expect, it } from 'vitest';
import type { Storage } from '../../runtime/storage/storage.js';

/**
 * The one contract every storage passes (design.md section 4): memory, directory and Redis run these
 * same cases, so the runtime can treat them alike.
 */

export interface StorageContractOptions {
  /**
   * Moves the storage's time forward by `ms`: a fake clock for the in-process storages, shortened TTLs
   * for Redis. The expiry cases run on it instead of sleeping.
   */
  readonly advanceClock: (ms: number) => void | Promise<void>;
}

const TTL_SECONDS = 10;
const TTL_MS = TTL_SECONDS * 1000;
/** Redis's clock keeps running while a test moves it: every expiry check keeps a second clear of the edge. */
const MARGIN_MS = 1000;

const ODD_KEYS: readonly (readonly [string, string])[] = [
  ['empty', ''],
  ['space', ' '],
  ['dot', '.'],
  ['dot-dot', '..'],
  ['relative path out', '../../etc/passwd'],
  ['absolute path', '/etc/passwd'],
  ['Windows path', 'C:\\Windows\\win.ini'],
  ['percent-encoded path', '%2e%2e%2f'],
  ['Windows device name', 'CON'],
  ['NUL byte', 'a\u0000b'],
  ['CR LF', 'line\r\nbreak'],
  ['glob star', '*'],
  ['glob pattern', 'sess:[a-z]?'],
  ['Redis hash tag', '{tag}'],
  ['another prefix', 'sess:other'],
  ['quotes', `"'\``],
  ['accents', 'ünïcödé'],
  ['emoji', '🔑'],
  ['10 KB', 'k'.repeat(10_000)],
];

const ODD_VALUES: readonly (readonly [string, string])[] = [
  ['empty', ''],
  ['accents', 'ünïcödé ñ'],
  ['CJK', '日本語のセッション'],
  ['emoji with joiners', '👩‍👩‍👧 🔑'],
  ['astral plane', '𝄞𝕏'],
  ['right-to-left', 'שלום עולם'],
  ['control characters', 'a\u0000b\r\n\tc\u007f'],
  ['JSON with escapes', JSON.stringify({ quoted: '"q" \\ /', n: 1 })],
];

/** 100 KB of printable text whose every position matters: a cut, shift or re-encoding shows. */
const LARGE_VALUE = Array.from({ length: 100 * 1024 }, (_, i) => String.fromCharCode(33 + ((i * 7) % 90))).join('');

/**
 * @example
 * storageContract('memory', () => new MemoryStorage({ maxEntries: 10_000, clock }), { advanceClock: (ms) => { now += ms; } });
 */
export function storageContract(name: string, makeStorage: () => Storage | Promise<Storage>, { advanceClock }: StorageContractOptions): void {
  describe(`${name}: storage contract`, () => {
    let storage: Storage;
    beforeEach(async () => {
      storage = await makeStorage();
    });

    /** `storage.touch`, which every built-in storage has: sliding a TTL must not rewrite the value. */
    function touch(key: string, ttlSeconds: number): Promise<void> {
      expect(storage.touch, `${name} implements touch`).toBeTypeOf('function');
      return storage.touch!(key, ttlSeconds);
    }

    describe('read and write', () => {
      it('reads a key never written as undefined', async () => {
        expect(await storage.read('never-written')).toBeUndefined();
      });

      it('reads back what was written', async () => {
        await storage.write('k', 'value', TTL_SECONDS);
        expect(await storage.read('k')).toBe('value');
      });

      it('replaces the value on a second write', async () => {
        await storage.write('k', 'first', TTL_SECONDS);
        await storage.write('k', 'second', TTL_SECONDS);
        expect(await storage.read('k')).toBe('second');
      });

      it('keeps a 100 KB value whole', async () => {
        await storage.write('large', LARGE_VALUE, TTL_SECONDS);
        expect(await storage.read('large')).toBe(LARGE_VALUE);
      });

      it.each(ODD_VALUES)('keeps a value exactly: %s', async (_, value) => {
        await storage.write('k', value, TTL_SECONDS);
        expect(await storage.read('k')).toBe(value);
      });

      it('keeps 1000 keys apart', async () => {
        const keys = Array.from({ length: 1000 }, (_, i) => `key-${i}`);
        for (const key of keys) await storage.write(key, `value of ${key}`, TTL_SECONDS);
        const values = await Promise.all(keys.map((key) => storage.read(key)));
        expect(values).toEqual(keys.map((key) => `value of ${key}`));
      });
    });

    describe('any key string is just a key', () => {
      it('keeps keys with paths, wildcards, prefixes, control characters and unicode apart', async () => {
        for (const [label, key] of ODD_KEYS) await storage.write(key, `value for ${label}`, TTL_SECONDS);
        for (const [label, key] of ODD_KEYS) expect(await storage.read(key), label).toBe(`value for ${label}`);
      });

      it('clears only the key itself when it is a wildcard or a path', async () => {
        for (const [label, key] of ODD_KEYS) await storage.write(key, `value for ${label}`, TTL_SECONDS);
        await storage.invalidate('*');
        await storage.invalidate('..');
        for (const [label, key] of ODD_KEYS) {
          expect(await storage.read(key), label).toBe(key === '*' || key === '..' ? undefined : `value for ${label}`);
        }
      });
    });

    describe('expiry', () => {
      it('serves an entry for its TTL, then never again', async () => {
        await storage.write('k', 'value', TTL_SECONDS);
        await advanceClock(TTL_MS - MARGIN_MS);
        expect(await storage.read('k')).toBe('value');
        await advanceClock(2 * MARGIN_MS);
        expect(await storage.read('k')).toBeUndefined();
      });

      it('restarts the TTL on a second write', async () => {
        await storage.write('k', 'first', TTL_SECONDS);
        await advanceClock(TTL_MS - MARGIN_MS);
        await storage.write('k', 'second', TTL_SECONDS);
        await advanceClock(TTL_MS - MARGIN_MS);
        expect(await storage.read('k')).toBe('second');
      });

      it('extends the TTL on touch, keeping the value', async () => {
        await storage.write('k', 'value', TTL_SECONDS);
        await advanceClock(TTL_MS - 2 * MARGIN_MS);
        await touch('k', TTL_SECONDS);
        await advanceClock(TTL_MS - 2 * MARGIN_MS);
        expect(await storage.read('k')).toBe('value');
        await advanceClock(3 * MARGIN_MS);
        expect(await storage.read('k')).toBeUndefined();
      });

      it('does not create a missing key on touch', async () => {
        await touch('missing', TTL_SECONDS);
        expect(await storage.read('missing')).toBeUndefined();
      });

      it('does not revive an expired entry on touch', async () => {
        await storage.write('k', 'value', TTL_SECONDS);
        await advanceClock(TTL_MS + MARGIN_MS);
        await touch('k', TTL_SECONDS);
        expect(await storage.read('k')).toBeUndefined();
      });
    });

    describe('invalidate', () => {
      it('removes the entry', async () => {
        await storage.write('k', 'value', TTL_SECONDS);
        await storage.invalidate('k');
        expect(await storage.read('k')).toBeUndefined();
      });

      it('succeeds again on a removed key, and on a key never written', async () => {
        await storage.write('k', 'value', TTL_SECONDS);
        await storage.invalidate('k');
        await expect(storage.invalidate('k')).resolves.toBeUndefined();
        await expect(storage.invalidate('never-written')).resolves.toBeUndefined();
      });

      it('leaves other keys alone', async () => {
        await storage.write('a', 'value a', TTL_SECONDS);
        await storage.write('b', 'value b', TTL_SECONDS);
        await storage.invalidate('a');
        expect(await storage.read('b')).toBe('value b');
      });

      it('is not undone by a later touch', async () => {
        await storage.write('k', 'value', TTL_SECONDS);
        await storage.invalidate('k');
        await touch('k', TTL_SECONDS);
        expect(await storage.read('k')).toBeUndefined();
      });
    });

    describe('concurrency', () => {
      it('serves old or new values, never anything else, while 200 reads and writes run at once', async () => {
        const keys = Array.from({ length: 100 }, (_, i) => `concurrent-${i}`);
        for (const key of keys) await storage.write(key, `old ${key}`, TTL_SECONDS);
        const [, during] = await Promise.all([
          Promise.all(keys.map((key) => storage.write(key, `new ${key}`, TTL_SECONDS))),
          Promise.all(keys.map((key) => storage.read(key))),
        ]);
        during.forEach((value, i) => expect([`old ${keys[i]}`, `new ${keys[i]}`]).toContain(value));
        expect(await Promise.all(keys.map((key) => storage.read(key)))).toEqual(keys.map((key) => `new ${key}`));
      });

      it('keeps exactly one of 200 concurrent writes to one key', async () => {
        const values = Array.from({ length: 200 }, (_, i) => `value ${i} `.repeat(50));
        await Promise.all(values.map((value) => storage.write('k', value, TTL_SECONDS)));
        expect(values).toContain(await storage.read('k'));
      });
    });
  });
}
