import { timingSafeEqual } from 'node:crypto';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { generateKey } from '../../runtime/keygen.js';
import { parseKeyRing } from '../../runtime/keys/key-ring.js';
import { createEncryptTransformer } from '../../runtime/transform/encrypt.js';
import { createSignTransformer } from '../../runtime/transform/sign.js';
import { flipBit, frameOf, tokenOf } from './token-frames.js';

// A spy that calls through: the real comparison still decides, the test only watches it (security.md #15).
vi.mock('node:crypto', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:crypto')>();
  return { ...real, timingSafeEqual: vi.fn(real.timingSafeEqual) };
});

const compare = vi.mocked(timingSafeEqual);
const ring = parseKeyRing('main', [generateKey()], 'test');
const sign = createSignTransformer(ring, 'user');
// Sealed by another process (another transformer over the same ring): `sign` has never seen it, so it verifies it in full.
const token = createSignTransformer(ring, 'user').seal('{"userId":"u-42"}');
const lastBit = frameOf(token).length * 8 - 1;

function comparedBuffers(): [number, number][] {
  return compare.mock.calls.map(([a, b]) => [(a as Buffer).length, (b as Buffer).length]);
}

describe('#15 constant-time verification', () => {
  beforeEach(() => {
    compare.mockClear();
  });

  it.each([
    ['a valid token', token, true],
    ['a token with the first MAC bit flipped', flipBit(token, lastBit - 255), false],
    ['a token with the last MAC bit flipped', flipBit(token, lastBit), false],
    ['a token with a payload bit flipped', flipBit(token, 6 * 8), false],
  ])('#15 sign verifies %s with exactly one timingSafeEqual of two 32-byte digests', (_, given, ok) => {
    expect(sign.unseal(given).ok).toBe(ok);
    expect(comparedBuffers()).toEqual([[32, 32]]);
    expect(compare.mock.results[0]).toEqual({ type: 'return', value: ok });
  });

  it('#15 sign never compares a short or long MAC: malformed frames stop before the comparison', () => {
    const frame = frameOf(token);
    for (const given of [tokenOf(frame.subarray(0, 36)), '', 'x', `${token}.`]) {
      expect(sign.unseal(given)).toEqual({ ok: false, reason: 'malformed' });
    }
    expect(compare).not.toHaveBeenCalled();
  });

  it('#15 encrypt leaves the tag check to AES-GCM final(), with no comparison of its own', () => {
    const encrypt = createEncryptTransformer(ring, 'user');
    const sealed = encrypt.seal('{"userId":"u-42"}');
    expect(encrypt.unseal(sealed).ok).toBe(true);
    expect(encrypt.unseal(flipBit(sealed, frameOf(sealed).length * 8 - 1))).toEqual({ ok: false, reason: 'tampered' });
    expect(compare).not.toHaveBeenCalled();
  });

  it('a token verified once, or sealed here, opens again from memory: no comparison at all; a changed one is compared again', () => {
    const fresh = createSignTransformer(ring, 'user');
    const given = createSignTransformer(ring, 'user').seal('{"userId":"u-7"}');
    expect(fresh.unseal(given).ok).toBe(true);
    expect(comparedBuffers()).toEqual([[32, 32]]);
    expect(fresh.unseal(given)).toEqual({ ok: true, text: '{"userId":"u-7"}', stale: false });
    const sealedHere = fresh.seal('{"userId":"u-8"}');
    expect(fresh.unseal(sealedHere)).toEqual({ ok: true, text: '{"userId":"u-8"}', stale: false });
    expect(comparedBuffers()).toEqual([[32, 32]]);
    expect(fresh.unseal(flipBit(given, frameOf(given).length * 8 - 1)).ok).toBe(false);
    expect(comparedBuffers()).toEqual([[32, 32], [32, 32]]);
  });
});
