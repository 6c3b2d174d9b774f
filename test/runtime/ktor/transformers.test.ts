/**
 * Ktor's transformers beyond the vectors: the pre-3.0 format only when enabled (and then re-sealed), the 3.x
 * format's unauthenticated IV (documented, not inherited), refusals of every malformed part, key sizes and
 * rotation, and one constant-time comparison of equal-length buffers per key (security.md #14, #15).
 */
import * as crypto from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { SessionConfigError } from '../../../runtime/errors.js';
import { createKtorEncryptTransformer } from '../../../runtime/ktor/encrypt-transformer.js';
import { parseRawKeyRing } from '../../../runtime/ktor/raw-key-ring.js';
import { createKtorSignTransformer } from '../../../runtime/ktor/sign-transformer.js';
import vectors from './ktor-vectors.json' with { type: 'json' };

vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:crypto')>();
  return { ...actual, timingSafeEqual: vi.fn(actual.timingSafeEqual) };
});

const vector = vectors.encrypt_3x[0]!;
const ring = (hex: string) => parseRawKeyRing('ring', hex, 'test');
const encryptRing = ring(vector.encryptKeyHex);
const signRing = ring(vector.signKeyHex);
const modern = createKtorEncryptTransformer(encryptRing, signRing, { legacyMac: false });
const legacyReader = createKtorEncryptTransformer(encryptRing, signRing, { legacyMac: true });

/** A Ktor 1.x/2.x token: the MAC covers the plaintext. */
function preThreeToken(plaintext: string): string {
  const iv = crypto.randomBytes(16);
  const cipher = crypto.createCipheriv('aes-128-cbc', Buffer.from(vector.encryptKeyHex, 'hex'), iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const tag = crypto.createHmac('sha256', Buffer.from(vector.signKeyHex, 'hex')).update(plaintext, 'utf8').digest('hex');
  return `${iv.toString('hex')}/${ciphertext.toString('hex')}:${tag}`;
}

describe('ktor-encrypt', () => {
  it('reads the pre-3.0 format only with legacyMac, and marks it stale so it is re-sealed in the 3.x format', () => {
    const token = preThreeToken(vector.plaintext);
    expect(modern.unseal(token)).toEqual({ ok: false, reason: 'tampered' });
    expect(legacyReader.unseal(token)).toEqual({ ok: true, text: vector.plaintext, stale: true });
    const resealed = legacyReader.seal(vector.plaintext);
    expect(modern.unseal(resealed)).toEqual({ ok: true, text: vector.plaintext, stale: false });
  });

  it("accepts the 3.x format's IV bit flips, as Ktor does (wire doc security note): documented, read-only interop", () => {
    const forged = vector.token.replace(/^00112233445566778899aabbccddeeff/, '00112233445566778899aab3cc82eeff');
    expect(modern.unseal(forged)).toEqual({ ok: true, text: '{"userId":"adm","cart":[]}', stale: false });
  });

  const [iv, rest] = vector.token.split('/') as [string, string];
  const [ciphertext, tag] = rest.split(':') as [string, string];
  it.each([
    ['upper-case tag', `${iv}/${ciphertext}:${tag.toUpperCase()}`],
    ['truncated tag', `${iv}/${ciphertext}:${tag.slice(0, -2)}`],
    ['tag with trailing garbage', `${vector.token}00`],
    ['empty tag', `${iv}/${ciphertext}:`],
    ['no tag', `${iv}/${ciphertext}`],
    ['no IV', rest],
    ['odd-length ciphertext hex', `${iv}/${ciphertext}0:${tag}`],
    ['ciphertext not whole blocks', `${iv}/${ciphertext}00:${tag}`],
    ['8-byte IV', `${iv.slice(0, 16)}/${rest}`],
    ['non-hex IV', `${iv.slice(0, -1)}g/${rest}`],
    ['flipped ciphertext bit', `${iv}/${(ciphertext[0] === '9' ? '8' : '9') + ciphertext.slice(1)}:${tag}`],
  ])('refuses %s', (_, token) => {
    expect(modern.unseal(token).ok).toBe(false);
    expect(legacyReader.unseal(token).ok).toBe(false);
  });

  it('works with 24- and 32-byte AES keys, always with a 16-byte IV', () => {
    for (const bytes of [24, 32]) {
      const sealer = createKtorEncryptTransformer(ring(crypto.randomBytes(bytes).toString('hex')), signRing, { legacyMac: false });
      const token = sealer.seal('{"a":1}');
      expect(token).toMatch(/^[0-9a-f]{32}\//);
      expect(sealer.unseal(token)).toEqual({ ok: true, text: '{"a":1}', stale: false });
    }
  });

  it('refuses AES keys of other sizes and rings that do not pair up, at start-up', () => {
    expect(() => createKtorEncryptTransformer(ring(vector.encryptKeyHex.slice(0, 30)), signRing, { legacyMac: false })).toThrow(
      /key 1 is 15 bytes; AES needs 16, 24 or 32/,
    );
    expect(() => createKtorEncryptTransformer(encryptRing, ring(`${vector.signKeyHex},0a0b`), { legacyMac: false })).toThrow(SessionConfigError);
  });

  it('opens tokens of an older key pair, as stale', () => {
    const newer = createKtorEncryptTransformer(ring(`ffeeddccbbaa99887766554433221100,${vector.encryptKeyHex}`), ring(`0c0d,${vector.signKeyHex}`), {
      legacyMac: false,
    });
    expect(newer.unseal(vector.token)).toEqual({ ok: true, text: vector.plaintext, stale: true });
  });

  it('writes a fresh IV every time', () => {
    const ivs = new Set(Array.from({ length: 1000 }, () => modern.seal('x').split('/')[0]));
    expect(ivs.size).toBe(1000);
  });
});

describe('ktor-sign', () => {
  const key = vectors.hmac[0]!.keyHex;
  const sha256 = createKtorSignTransformer(ring(key), 'sha256');
  const sha1 = createKtorSignTransformer(ring(key), 'sha1');

  it('signs with HmacSHA1 for old services, and the two algorithms do not read each other', () => {
    const token = sha1.seal('a/b');
    expect(token).toMatch(/^a\/b\/[0-9a-f]{40}$/);
    expect(sha1.unseal(token)).toEqual({ ok: true, text: 'a/b', stale: false });
    expect(sha256.unseal(token).ok).toBe(false);
  });

  it.each([
    ['upper-case MAC', (token: string) => token.replace(/[0-9a-f]{64}$/, (mac) => mac.toUpperCase())],
    ['no MAC', (token: string) => token.slice(0, token.lastIndexOf('/'))],
    ['MAC one character short', (token: string) => token.slice(0, -1)],
    ['value changed', (token: string) => `x${token}`],
  ])('refuses a token with %s', (_, change) => {
    expect(sha256.unseal(change(sha256.seal('{"userId":"u"}'))).ok).toBe(false);
  });

  it('compares every key once, in constant time over equal-length buffers (security.md #15)', () => {
    const spy = vi.mocked(crypto.timingSafeEqual);
    const rotated = createKtorSignTransformer(ring(`0a0b0c,${key}`), 'sha256');
    spy.mockClear();
    expect(rotated.unseal(sha256.seal('v'))).toEqual({ ok: true, text: 'v', stale: true });
    expect(spy).toHaveBeenCalledTimes(2);
    for (const [a, b] of spy.mock.calls) expect((a as Buffer).length).toBe((b as Buffer).length);
    spy.mockClear();
    modern.unseal(vector.token);
    expect(spy).toHaveBeenCalledTimes(1);
  });
});

describe('hex key rings', () => {
  it.each([
    ['', /is empty; set it to the Ktor service's key bytes as hex/],
    ['abc', /key 1 of 1 is not hex/],
    ['zz', /key 1 of 1 is not hex/],
    ['0a0b,0A0B', /key 2 of 2 repeats key 1; each key must be different/],
  ])('refuses %j', (value, message) => {
    expect(() => parseRawKeyRing('k', value, 'environment variable K')).toThrow(message);
  });

  it('never repeats a key in its messages', () => {
    expect(() => parseRawKeyRing('k', 'deadbeef,deadbeefx', 'env')).toThrow(/^(?!.*deadbeef)/s);
  });
});
