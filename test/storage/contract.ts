import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Storage } from '../../runtime/storage/storage.js';

/**
 * The one contract every storage passes (docs/storage.md): memory, directory and Redis (one server
 * and a cluster) run these same cases, so the runtime can treat them alike. Besides reading and writing,
 * it holds every storage to the promises the runtime's safety rests on: creation never overwrites
 * (security.md #44), an update only lands over the version it read and a cleared entry stays cleared
 * (#49, #50), a slide never rewrites the value (#51), writes nothing inside `touchAfter` of the last one,
 * and never passes the deadline (#52).
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

    async function valueOf(key: string): Promise<string | undefined> {
      return (await storage.read(key))?.value;
    }

    async function versionOf(key: string): Promise<string> {
      const entry = await storage.read(key);
      expect(entry, `${key} is there`).toBeDefined();
      return entry!.version;
    }

    describe('read and write', () => {
      it('reads a key never written as undefined', async () => {
        expect(await storage.read('never-written')).toBeUndefined();
      });

      it('reads back what was written, with a version', async () => {
        expect(await storage.write('k', 'value', TTL_SECONDS)).toBe(true);
        expect(await storage.read('k')).toEqual({ value: 'value', version: expect.any(String) });
      });

      it('replaces the value on a second unconditional write', async () => {
        await storage.write('k', 'first', TTL_SECONDS);
        await storage.write('k', 'second', TTL_SECONDS);
        expect(await valueOf('k')).toBe('second');
      });

      it('gives every write a new version, even of the same value, and a recreated key a version never seen', async () => {
        const versions = new Set<string>();
        for (let i = 0; i < 5; i++) {
          await storage.write('k', 'same', TTL_SECONDS);
          versions.add(await versionOf('k'));
        }
        await storage.invalidate('k');
        await storage.write('k', 'same', TTL_SECONDS, { ifAbsent: true });
        versions.add(await versionOf('k'));
        expect(versions.size).toBe(6);
      });

      it('keeps a 100 KB value whole', async () => {
        await storage.write('large', LARGE_VALUE, TTL_SECONDS);
        expect(await valueOf('large')).toBe(LARGE_VALUE);
      });

      it.each(ODD_VALUES)('keeps a value exactly: %s', async (_, value) => {
        await storage.write('k', value, TTL_SECONDS);
        expect(await valueOf('k')).toBe(value);
      });

      it('keeps 1000 keys apart', async () => {
        const keys = Array.from({ length: 1000 }, (_, i) => `key-${i}`);
        for (const key of keys) await storage.write(key, `value of ${key}`, TTL_SECONDS);
        const values = await Promise.all(keys.map(valueOf));
        expect(values).toEqual(keys.map((key) => `value of ${key}`));
      });

      it('refuses ifAbsent and ifVersion together, writing nothing', async () => {
        await expect(storage.write('k', 'value', TTL_SECONDS, { ifAbsent: true, ifVersion: 'v' })).rejects.toThrow(RangeError);
        expect(await storage.read('k')).toBeUndefined();
      });
    });

    describe('any key string is just a key', () => {
      it('keeps keys with paths, wildcards, prefixes, control characters and unicode apart', async () => {
        for (const [label, key] of ODD_KEYS) await storage.write(key, `value for ${label}`, TTL_SECONDS);
        for (const [label, key] of ODD_KEYS) expect(await valueOf(key), label).toBe(`value for ${label}`);
      });

      it('clears only the key itself when it is a wildcard or a path', async () => {
        for (const [label, key] of ODD_KEYS) await storage.write(key, `value for ${label}`, TTL_SECONDS);
        await storage.invalidate('*');
        await storage.invalidate('..');
        for (const [label, key] of ODD_KEYS) {
          expect(await valueOf(key), label).toBe(key === '*' || key === '..' ? undefined : `value for ${label}`);
        }
      });
    });

    describe('#44 creation never overwrites', () => {
      it('creates a missing key, and refuses a live one, leaving it as it was', async () => {
        expect(await storage.write('k', 'first owner', TTL_SECONDS, { ifAbsent: true })).toBe(true);
        const version = await versionOf('k');
        expect(await storage.write('k', 'second owner', TTL_SECONDS, { ifAbsent: true })).toBe(false);
        expect(await storage.read('k')).toEqual({ value: 'first owner', version });
      });

      it('creates over a key that was cleared or has expired', async () => {
        await storage.write('cleared', 'old', TTL_SECONDS);
        await storage.invalidate('cleared');
        await storage.write('expired', 'old', TTL_SECONDS);
        await advanceClock(TTL_MS + MARGIN_MS);
        expect(await storage.write('cleared', 'new', TTL_SECONDS, { ifAbsent: true })).toBe(true);
        expect(await storage.write('expired', 'new', TTL_SECONDS, { ifAbsent: true })).toBe(true);
        expect([await valueOf('cleared'), await valueOf('expired')]).toEqual(['new', 'new']);
      });

      it('lets exactly one of 50 concurrent creations of one key through', async () => {
        const results = await Promise.all(Array.from({ length: 50 }, (_, i) => storage.write('k', `creator ${i}`, TTL_SECONDS, { ifAbsent: true })));
        expect(results.filter(Boolean)).toHaveLength(1);
        expect(await valueOf('k')).toBe(`creator ${results.indexOf(true)}`);
      });
    });

    describe('#49 #50 updates land only over the version read', () => {
      it('replaces the entry of the version read, and then refuses that version again', async () => {
        await storage.write('k', 'v1', TTL_SECONDS, { ifAbsent: true });
        const read = await versionOf('k');
        expect(await storage.write('k', 'v2', TTL_SECONDS, { ifVersion: read })).toBe(true);
        expect(await storage.write('k', 'v3 from a stale read', TTL_SECONDS, { ifVersion: read })).toBe(false);
        expect(await valueOf('k')).toBe('v2');
      });

      it('never brings back a cleared or expired entry', async () => {
        for (const end of [() => storage.invalidate('k'), () => advanceClock(TTL_MS + MARGIN_MS)]) {
          await storage.write('k', 'live', TTL_SECONDS);
          const read = await versionOf('k');
          await end();
          expect(await storage.write('k', 'resurrected', TTL_SECONDS, { ifVersion: read })).toBe(false);
          expect(await storage.read('k')).toBeUndefined();
        }
      });

      it('lets exactly one of 50 concurrent updates from the same read through', async () => {
        await storage.write('k', 'read by all', TTL_SECONDS);
        const read = await versionOf('k');
        const results = await Promise.all(Array.from({ length: 50 }, (_, i) => storage.write('k', `writer ${i}`, TTL_SECONDS, { ifVersion: read })));
        expect(results.filter(Boolean)).toHaveLength(1);
        expect(await valueOf('k')).toBe(`writer ${results.indexOf(true)}`);
      });

      it('deletes by version only the entry of that version', async () => {
        await storage.write('k', 'v1', TTL_SECONDS);
        const stale = await versionOf('k');
        await storage.write('k', 'v2', TTL_SECONDS, { ifVersion: stale });
        expect(await storage.invalidate('k', stale)).toBe(false);
        expect(await valueOf('k')).toBe('v2');
        expect(await storage.invalidate('k', await versionOf('k'))).toBe(true);
        expect(await storage.read('k')).toBeUndefined();
        expect(await storage.invalidate('k', stale)).toBe(false);
      });

      it('keeps to its promises under every ordering of two requests that read, then write or clear (fast-check scheduler)', async () => {
        await fc.assert(
          fc.asyncProperty(fc.scheduler(), fc.boolean(), async (s, secondClears) => {
            await storage.write('race', 'initial', TTL_SECONDS);
            // Each step waits for the scheduler's go, so the property explores how the two requests interleave.
            const step = <T>(label: string, run: () => Promise<T>) => s.schedule(Promise.resolve(label)).then(run);
            const request = async (value: string, clears: boolean) => {
              const read = await step(`${value} reads`, () => storage.read('race'));
              if (read === undefined) return { read, done: false };
              const done = await step(`${value} commits`, () =>
                clears ? storage.invalidate('race') : storage.write('race', value, TTL_SECONDS, { ifVersion: read.version }),
              );
              return { read, done };
            };
            const [first, second] = await s.waitFor(Promise.all([request('first', false), request('second', secondClears)]));
            const final = await valueOf('race');
            if (secondClears) {
              // The clear always lands; a write that read before it cannot land after it (no resurrection).
              expect(second.done).toBe(true);
              expect(final).toBeUndefined();
            } else {
              // Both landing means one wrote over the other's value, never both over what they read.
              if (first.done && second.done) expect(first.read?.value === 'second' || second.read?.value === 'first').toBe(true);
              const last = first.done && second.done ? (second.read?.value === 'first' ? 'second' : 'first') : first.done ? 'first' : second.done ? 'second' : 'initial';
              expect(final).toBe(last);
            }
          }),
          { numRuns: 40 },
        );
      });
    });

    describe('expiry', () => {
      it('serves an entry for its TTL, then never again', async () => {
        await storage.write('k', 'value', TTL_SECONDS);
        await advanceClock(TTL_MS - MARGIN_MS);
        expect(await valueOf('k')).toBe('value');
        await advanceClock(2 * MARGIN_MS);
        expect(await storage.read('k')).toBeUndefined();
      });

      it('restarts the TTL on a second write', async () => {
        await storage.write('k', 'first', TTL_SECONDS);
        await advanceClock(TTL_MS - MARGIN_MS);
        await storage.write('k', 'second', TTL_SECONDS);
        await advanceClock(TTL_MS - MARGIN_MS);
        expect(await valueOf('k')).toBe('second');
      });

      it('#51 a sliding read extends the TTL, keeping the value and its version', async () => {
        await storage.write('k', 'value', TTL_SECONDS);
        const version = await versionOf('k');
        await advanceClock(TTL_MS - 2 * MARGIN_MS);
        await storage.read('k', TTL_SECONDS);
        await advanceClock(TTL_MS - 2 * MARGIN_MS);
        expect(await storage.read('k')).toEqual({ value: 'value', version });
        await advanceClock(3 * MARGIN_MS);
        expect(await storage.read('k')).toBeUndefined();
      });

      it('#51 with touchAfter, a sliding read that would move the expiry by less slides nothing; one that moves it by more slides', async () => {
        await storage.write('short', 'value', TTL_SECONDS);
        await advanceClock(3000);
        // 3 s after the write: the slide would gain 3 s, under touchAfter, so the write's expiry stands.
        await storage.read('short', TTL_SECONDS, 5);
        await advanceClock(TTL_MS - 3000 + MARGIN_MS);
        expect(await storage.read('short')).toBeUndefined();

        await storage.write('long', 'value', TTL_SECONDS);
        const version = await versionOf('long');
        await advanceClock(6000);
        // 6 s after the write: a gain of 6 s, so the entry now lives TTL_SECONDS from here, value and version kept.
        expect(await storage.read('long', TTL_SECONDS, 5)).toEqual({ value: 'value', version });
        await advanceClock(TTL_MS - 2 * MARGIN_MS);
        expect(await valueOf('long')).toBe('value');
        await advanceClock(3 * MARGIN_MS);
        expect(await storage.read('long')).toBeUndefined();
      });

      it('#51 a sliding read returns the entry as it is', async () => {
        await storage.write('k', 'value', TTL_SECONDS);
        expect(await storage.read('k', TTL_SECONDS)).toEqual(await storage.read('k'));
      });

      it('#52 a sliding read never pushes the expiry past the deadline', async () => {
        await storage.write('k', 'value', TTL_SECONDS, { maxSeconds: 15 });
        await storage.read('k', 60);
        await advanceClock(15_000 - MARGIN_MS);
        expect(await valueOf('k')).toBe('value');
        await advanceClock(2 * MARGIN_MS);
        expect(await storage.read('k')).toBeUndefined();
      });

      it('#52 a TTL longer than the deadline is cut to it', async () => {
        await storage.write('k', 'value', 60, { maxSeconds: 5 });
        await advanceClock(5000 + MARGIN_MS);
        expect(await storage.read('k')).toBeUndefined();
      });

      it('a sliding read creates no missing key and revives no expired one', async () => {
        expect(await storage.read('missing', TTL_SECONDS)).toBeUndefined();
        expect(await storage.read('missing')).toBeUndefined();
        await storage.write('k', 'value', TTL_SECONDS);
        await advanceClock(TTL_MS + MARGIN_MS);
        expect(await storage.read('k', TTL_SECONDS)).toBeUndefined();
        expect(await storage.read('k')).toBeUndefined();
      });
    });

    describe('invalidate', () => {
      it('removes the entry', async () => {
        await storage.write('k', 'value', TTL_SECONDS);
        expect(await storage.invalidate('k')).toBe(true);
        expect(await storage.read('k')).toBeUndefined();
      });

      it('succeeds again on a removed key, and on a key never written', async () => {
        await storage.write('k', 'value', TTL_SECONDS);
        await storage.invalidate('k');
        expect(await storage.invalidate('k')).toBe(true);
        expect(await storage.invalidate('never-written')).toBe(true);
      });

      it('leaves other keys alone', async () => {
        await storage.write('a', 'value a', TTL_SECONDS);
        await storage.write('b', 'value b', TTL_SECONDS);
        await storage.invalidate('a');
        expect(await valueOf('b')).toBe('value b');
      });

      it('#50 is not undone by a later sliding read', async () => {
        await storage.write('k', 'value', TTL_SECONDS);
        await storage.invalidate('k');
        expect(await storage.read('k', TTL_SECONDS)).toBeUndefined();
        expect(await storage.read('k')).toBeUndefined();
      });
    });

    describe('concurrency', () => {
      it('serves old or new values, never anything else, while 200 reads and writes run at once', async () => {
        const keys = Array.from({ length: 100 }, (_, i) => `concurrent-${i}`);
        for (const key of keys) await storage.write(key, `old ${key}`, TTL_SECONDS);
        const [, during] = await Promise.all([
          Promise.all(keys.map((key) => storage.write(key, `new ${key}`, TTL_SECONDS))),
          Promise.all(keys.map(valueOf)),
        ]);
        during.forEach((value, i) => expect([`old ${keys[i]}`, `new ${keys[i]}`]).toContain(value));
        expect(await Promise.all(keys.map(valueOf))).toEqual(keys.map((key) => `new ${key}`));
      });

      it('keeps exactly one of 200 concurrent unconditional writes to one key', async () => {
        const values = Array.from({ length: 200 }, (_, i) => `value ${i} `.repeat(50));
        await Promise.all(values.map((value) => storage.write('k', value, TTL_SECONDS)));
        expect(values).toContain(await valueOf('k'));
      });
    });
  });
}
