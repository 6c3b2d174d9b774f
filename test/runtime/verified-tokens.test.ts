/**
 * The tokens a transformer verified or sealed lately (runtime/transform/verified-tokens.ts): kept under their
 * exact text, bounded by the characters held, oldest out first; what opens from memory is what the full
 * check opens, and anything else is still checked in full.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateKey } from '../../runtime/keygen.js';
import { parseKeyRing } from '../../runtime/keys/key-ring.js';
import { createEncryptTransformer } from '../../runtime/transform/encrypt.js';
import { VerifiedTokens } from '../../runtime/transform/verified-tokens.js';
import { flipBit, frameOf } from './token-frames.js';

const opened = (text: string) => ({ ok: true as const, text, stale: false });

describe('VerifiedTokens', () => {
  it('keeps what it is given under the exact token, and nothing for any other text', () => {
    const verified = new VerifiedTokens(64 * 100);
    verified.remember('tok-a', opened('A'));
    expect(verified.get('tok-a')).toEqual(opened('A'));
    expect(verified.get('tok-A')).toBeUndefined();
    expect(verified.get('tok-a ')).toBeUndefined();
  });

  it('holds at most its budget of characters, in two generations: the old one is dropped whole, and what is found in it moves back', () => {
    const verified = new VerifiedTokens(64 * 10);
    const name = (index: number) => `t${String(index).padStart(3, '0')}`;
    // Each entry is 4 + 6 characters; a generation holds half the budget, 32 of them.
    for (let index = 0; index < 100; index += 1) verified.remember(name(index), opened('x'.repeat(6)));
    expect(verified.size).toBe(32 + 4);
    expect(verified.get(name(63))).toBeUndefined();
    expect(verified.get(name(64))).toEqual(opened('xxxxxx'));
    // t064 was found in the old generation, so it outlives the next turn; t065 does not.
    for (let index = 100; index < 128; index += 1) verified.remember(name(index), opened('x'.repeat(6)));
    expect(verified.get(name(64))).toEqual(opened('xxxxxx'));
    expect(verified.get(name(65))).toBeUndefined();
    expect(verified.size).toBeLessThanOrEqual(64);
  });

  it('never keeps an entry larger than a 64th of its budget', () => {
    const verified = new VerifiedTokens(64 * 10);
    verified.remember('big', opened('x'.repeat(8)));
    expect(verified.get('big')).toBeUndefined();
    verified.remember('ok', opened('x'.repeat(8)));
    expect(verified.get('ok')).toEqual(opened('xxxxxxxx'));
  });

  it('property: whatever is remembered, the characters held stay within the budget and every hit is what was remembered', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.string({ maxLength: 12 }), fc.string({ maxLength: 12 })), { maxLength: 300 }), (entries) => {
        const verified = new VerifiedTokens(64 * 40);
        const first = new Map<string, string>();
        for (const [token, text] of entries) {
          verified.remember(token, opened(text));
          if (!first.has(token)) first.set(token, text);
        }
        let held = 0;
        for (const [token, text] of first) {
          const hit = verified.get(token);
          if (hit === undefined) continue;
          expect(hit.text).toBe(text);
          held += token.length + text.length;
        }
        expect(held).toBeLessThanOrEqual(64 * 40);
      }),
    );
  });
});

describe('a transformer over its verified tokens', () => {
  const ring = parseKeyRing('main', [generateKey()], 'test');

  it('a sealed token opens as the full check opens it, in the transformer that sealed it and in one that never saw it', () => {
    const here = createEncryptTransformer(ring, 'user');
    const elsewhere = createEncryptTransformer(ring, 'user');
    for (let index = 0; index < 50; index += 1) {
      const text = `{"userId":"u-${index}"}`;
      const token = here.seal(text);
      expect(here.unseal(token)).toEqual(elsewhere.unseal(token));
      expect(elsewhere.unseal(token)).toEqual({ ok: true, text, stale: false });
    }
  });

  it('#13 every single flipped bit of a remembered token is refused, however often the token opened before', () => {
    const user = createEncryptTransformer(ring, 'user');
    const token = user.seal('{"userId":"u-42"}');
    expect(user.unseal(token).ok).toBe(true);
    for (let bit = 0; bit < frameOf(token).length * 8; bit += 1) expect(user.unseal(flipBit(token, bit)).ok, `bit ${bit}`).toBe(false);
    expect(user.unseal(token).ok).toBe(true);
  });

  it('#21 a token remembered by session "user" is refused by session "admin" over the same ring', () => {
    const user = createEncryptTransformer(ring, 'user');
    const admin = createEncryptTransformer(ring, 'admin');
    const token = user.seal('{"userId":"u-42"}');
    expect(user.unseal(token).ok).toBe(true);
    expect(admin.unseal(token)).toEqual({ ok: false, reason: 'tampered' });
  });
});
