/**
 * The tokens a transformer verified or sealed lately (runtime/transform/verified-tokens.ts): kept under their
 * exact text, bounded by the characters held, oldest out first; what opens from memory is what the full
 * check opens, and anything else is still checked in full.
 */
import fc from 'fast-check';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
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

  it('property: whatever is remembered and looked up, no token is held twice, the count of characters is what is held, within the budget, and every hit is a text remembered for it', () => {
    // Entries of 4 to 8 characters against generations of 256: 150 to 300 of them turn the generations over.
    const token = fc.string({ minLength: 3, maxLength: 4 });
    const text = fc.string({ minLength: 1, maxLength: 4 });
    const step = fc.oneof(
      { arbitrary: fc.tuple(fc.constant('remember' as const), token, text), weight: 3 },
      { arbitrary: fc.tuple(fc.constant('get' as const), token, fc.constant('')), weight: 1 },
    );
    let turnedOver = 0;
    fc.assert(
      fc.property(fc.array(step, { minLength: 150, maxLength: 300 }), (steps) => {
        const verified = new VerifiedTokens(64 * 8);
        const remembered = new Map<string, Set<string>>();
        let dropped = false;
        for (const [kind, key, value] of steps) {
          const before = verified.size;
          if (kind === 'remember') {
            verified.remember(key, opened(value));
            remembered.set(key, (remembered.get(key) ?? new Set()).add(value));
          } else {
            const hit = verified.get(key);
            if (hit !== undefined) expect(remembered.get(key)?.has(hit.text)).toBe(true);
          }
          if (verified.size < before) dropped = true;
          const held = verified.entries();
          expect(new Set(held.map(([heldKey]) => heldKey)).size).toBe(held.length);
          expect(verified.characters).toBe(held.reduce((sum, [heldKey, heldValue]) => sum + heldKey.length + heldValue.text.length, 0));
          expect(verified.characters).toBeLessThanOrEqual(64 * 8);
          for (const [heldKey, heldValue] of held) expect(remembered.get(heldKey)?.has(heldValue.text)).toBe(true);
        }
        if (dropped) turnedOver += 1;
      }),
      { numRuns: 25 },
    );
    // The property ran where it matters: a generation was dropped in most runs.
    expect(turnedOver).toBeGreaterThan(12);
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

  it('#16 a token under an older key stays stale when it opens from memory', () => {
    const older = generateKey();
    const sealed = createEncryptTransformer(parseKeyRing('main', [older], 'test'), 'user').seal('{"userId":"u-42"}');
    const rotated = createEncryptTransformer(parseKeyRing('main', [generateKey(), older], 'test'), 'user');
    expect(rotated.unseal(sealed)).toEqual({ ok: true, text: '{"userId":"u-42"}', stale: true });
    expect(rotated.unseal(sealed)).toEqual({ ok: true, text: '{"userId":"u-42"}', stale: true });
  });

  it('a text with a lone surrogate is not remembered at seal: it opens as the full check opens it, U+FFFD', () => {
    const user = createEncryptTransformer(ring, 'user');
    const token = user.seal('a\ud800b');
    expect(user.unseal(token)).toEqual({ ok: true, text: 'a\ufffdb', stale: false });
    expect(createEncryptTransformer(ring, 'user').unseal(token)).toEqual(user.unseal(token));
  });

  it('tokens that arrived inside long Cookie headers are kept as copies of their own: the headers are not held', () => {
    // V8 keeps a sliced string's whole parent alive: 2,000 slices of 15 KB headers would hold 30 MB.
    v8.setFlagsFromString('--expose-gc');
    const collect = runInNewContext('gc') as () => void;
    const elsewhere = createEncryptTransformer(ring, 'user');
    const tokens = Array.from({ length: 2000 }, (_, index) => elsewhere.seal(`{"userId":"u-${index}"}`));
    const user = createEncryptTransformer(ring, 'user');
    collect();
    const before = process.memoryUsage().heapUsed;
    for (const [index, token] of tokens.entries()) {
      const header = `${'x'.repeat(15_000)}${index}; bench=${token}`;
      expect(user.unseal(header.slice(header.length - token.length)).ok).toBe(true);
    }
    collect();
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(8 * 1024 * 1024);
    // They were kept: each opens from memory now.
    expect(tokens.every((token) => user.unseal(token).ok)).toBe(true);
  });

  it('#21 a token of session "user" is refused by session "admin" over the same ring, however often "user" opened it', () => {
    const user = createEncryptTransformer(ring, 'user');
    const admin = createEncryptTransformer(ring, 'admin');
    const token = user.seal('{"userId":"u-42"}');
    expect(user.unseal(token).ok).toBe(true);
    expect(admin.unseal(token)).toEqual({ ok: false, reason: 'tampered' });
  });
});
