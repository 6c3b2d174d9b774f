import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SESSION_ID_LENGTH, generateSessionId, isWellFormedSessionId, storageKeyForId } from '../../runtime/ids.js';
import { BASE64URL_ALPHABET } from './token-frames.js';

describe('session ids', () => {
  it('#40 10^5 generated ids are unique, 43 base64url characters, and well formed', () => {
    const ids = Array.from({ length: 100_000 }, generateSessionId);
    expect(SESSION_ID_LENGTH).toBe(43);
    expect(new Set(ids).size).toBe(100_000);
    expect(ids.filter((id) => id.length !== SESSION_ID_LENGTH || !isWellFormedSessionId(id))).toEqual([]);
    expect(ids.join('')).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('#40 ids decode to 32 bytes (256 random bits) and are the canonical encoding of them', () => {
    const id = generateSessionId();
    const bytes = Buffer.from(id, 'base64url');
    expect(bytes).toHaveLength(32);
    expect(bytes.toString('base64url')).toBe(id);
  });

  const valid = generateSessionId();
  it.each([
    ['empty', ''],
    ['one short', valid.slice(1)],
    ['one long', `${valid}A`],
    ['a path', '../../etc/passwd'],
    ['a path padded to length', `../../etc/passwd${'A'.repeat(SESSION_ID_LENGTH - 16)}`],
    ['a glob', '*'],
    ['a glob at length', '*'.repeat(SESSION_ID_LENGTH)],
    ['another prefix', 'sess:other'],
    ['a prefix at length', `sess:${valid.slice(5)}`],
    ['unicode', 'é'.repeat(SESSION_ID_LENGTH)],
    ['an astral character at length', `${valid.slice(2)}😀`],
    ['NUL', `${valid.slice(0, 20)}\u0000${valid.slice(21)}`],
    ['a trailing newline', `${valid.slice(1)}\n`],
    ['standard base64 characters', `+/${valid.slice(2)}`],
    ['padding', `${valid.slice(1)}=`],
    ['non-canonical last character', `${valid.slice(0, 42)}B`],
    ['10 KB', 'A'.repeat(10 * 1024)],
  ])('#41 rejects %s', (_, given) => {
    expect(isWellFormedSessionId(given)).toBe(false);
  });

  it('#41 rejects any single character of an id replaced by one outside the alphabet', () => {
    fc.assert(
      fc.property(fc.nat(SESSION_ID_LENGTH - 1), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }), (at, char) => {
        fc.pre(!BASE64URL_ALPHABET.includes(char));
        expect(isWellFormedSessionId(valid.slice(0, at) + char + valid.slice(at + 1))).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });

  it('#41 accepts exactly the canonical encodings: random 43-character strings over the alphabet', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...BASE64URL_ALPHABET), minLength: 43, maxLength: 43 }), (text) => {
        expect(isWellFormedSessionId(text)).toBe(Buffer.from(text, 'base64url').toString('base64url') === text);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('#42 storageKeyForId', () => {
  // Vectors from Python's hashlib: base64url(sha256(b"visit:" + b"A" * 43)), and with b"cart:".
  it('is SHA-256 of the session name, ":" and the id, as base64url (fixed vectors, so stored sessions survive upgrades)', () => {
    expect(storageKeyForId('visit', 'A'.repeat(43))).toBe('vHm6-Mesge7Jwr2cfj1IPpVcISU5KblMbu8SUeBt2bE');
    expect(storageKeyForId('cart', 'A'.repeat(43))).toBe('YWNOh6qbTF-6kyA_YyTp5oiypKeScGi8Yk5yMLPed-8');
  });

  it('is deterministic, distinct per id, and never contains the id or a part of it', () => {
    const keys = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const id = generateSessionId();
      const key = storageKeyForId('visit', id);
      expect(storageKeyForId('visit', id)).toBe(key);
      expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(key).not.toContain(id.slice(0, 12));
      keys.add(key);
    }
    expect(keys.size).toBe(1000);
  });
});
