import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SessionConfigError, SessionTooLargeError } from '../../runtime/errors.js';
import { generateKey } from '../../runtime/keygen.js';
import { parseKeyRing, type KeyRing } from '../../runtime/keys/key-ring.js';
import { createEncryptTransformer } from '../../runtime/transform/encrypt.js';
import { createSignTransformer } from '../../runtime/transform/sign.js';
import { MAX_TOKEN_LENGTH } from '../../runtime/transform/token.js';
import type { Transformer } from '../../runtime/transform/transformer.js';
import { BASE64URL_ALPHABET, flipBit, frameOf, tokenOf } from './token-frames.js';

const NEW_KEY = generateKey();
const OLD_KEY = generateKey();
const ring = (...keys: string[]): KeyRing => parseKeyRing('main', keys, 'test');
const current = ring(NEW_KEY);
const rotated = ring(NEW_KEY, OLD_KEY);
const retired = ring(OLD_KEY);

const PAYLOAD = JSON.stringify({ userId: 'u-42', roles: ['admin'] });
/** A payload that is not a valid token of anything, bound to stay under the token length limit. */
const payloads = fc.string({ unit: 'grapheme', maxLength: 200 });

const algorithms = [
  { kind: 'sign', create: createSignTransformer, frameBytes: (payload: number) => 5 + payload + 32 },
  { kind: 'encrypt', create: createEncryptTransformer, frameBytes: (payload: number) => 5 + 12 + payload + 16 },
] as const;

describe.each(algorithms)('$kind transformer', ({ kind, create, frameBytes }) => {
  const user = create(rotated, 'user');

  it('round-trips any text, as base64url of the documented frame size', () => {
    fc.assert(
      fc.property(payloads, (text) => {
        const token = user.seal(text);
        expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
        expect(frameOf(token)).toHaveLength(frameBytes(Buffer.byteLength(text)));
        expect(user.unseal(token)).toEqual({ ok: true, text, stale: false });
      }),
      { numRuns: 1000 },
    );
  });

  it(`#13 any single flipped bit is rejected (${kind}): every bit of one token`, () => {
    const token = user.seal(PAYLOAD);
    for (let bit = 0; bit < frameOf(token).length * 8; bit++) {
      expect(user.unseal(flipBit(token, bit)), `bit ${bit}`).toMatchObject({ ok: false });
    }
  });

  it(`#13 any single flipped bit is rejected (${kind}): random payloads and positions`, () => {
    fc.assert(
      fc.property(payloads, fc.nat(), (text, position) => {
        const token = user.seal(text);
        const bit = position % (frameOf(token).length * 8);
        expect(user.unseal(flipBit(token, bit)).ok).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it(`#13 any single changed character of the token is rejected (${kind}): every position, every character`, () => {
    const token = user.seal(PAYLOAD);
    for (let at = 0; at < token.length; at++) {
      for (const char of [...BASE64URL_ALPHABET, '+', '/', '=', '.', ' ', '%', '\u0000', 'é']) {
        if (token[at] === char) continue;
        expect(user.unseal(token.slice(0, at) + char + token.slice(at + 1)).ok, `${char} at ${at}`).toBe(false);
      }
    }
  });

  it(`#14 truncated, extended and split tokens are rejected (${kind})`, () => {
    const token = user.seal(PAYLOAD);
    const frame = frameOf(token);
    const edits: string[] = [
      '',
      token + 'x',
      token + '=',
      `${token}.${token}`,
      `${token}.`,
      `.${token}`,
      `${token.slice(0, 20)}.${token.slice(20)}`,
      ` ${token}`,
      `${token}\n`,
    ];
    for (let cut = 1; cut <= frame.length; cut++) {
      edits.push(tokenOf(frame.subarray(0, frame.length - cut)), token.slice(0, token.length - cut));
    }
    for (const extra of [1, 2, 16, 32, 100]) {
      edits.push(tokenOf(Buffer.concat([frame, Buffer.alloc(extra, 0x41)])));
    }
    for (const edited of edits) {
      expect(user.unseal(edited), JSON.stringify(edited)).toMatchObject({ ok: false });
    }
  });

  it(`#14 a frame with the MAC or tag moved or duplicated is rejected (${kind})`, () => {
    const frame = frameOf(user.seal(PAYLOAD));
    const tail = frame.subarray(frame.length - 16);
    expect(user.unseal(tokenOf(Buffer.concat([frame, tail]))).ok).toBe(false);
    expect(user.unseal(tokenOf(Buffer.concat([frame.subarray(0, frame.length - 16), tail, tail]))).ok).toBe(false);
  });

  it(`#2 random and hostile strings are rejected without throwing (${kind})`, () => {
    const strings = fc.oneof(
      fc.string(),
      fc.string({ unit: 'binary' }),
      fc.string({ unit: fc.constantFrom(...BASE64URL_ALPHABET), maxLength: 400 }),
      fc.uint8Array({ maxLength: 300 }).map(tokenOf),
    );
    fc.assert(
      fc.property(strings, (text) => {
        expect(user.unseal(text).ok).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it(`#2 forged frames with a valid header are rejected as tampered (${kind})`, () => {
    const header = frameOf(user.seal(PAYLOAD)).subarray(0, 5);
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 200 }), (body) => {
        const result = user.unseal(tokenOf(Buffer.concat([header, body])));
        expect(result).toEqual(body.length < frameBytes(0) - 5 ? { ok: false, reason: 'malformed' } : { ok: false, reason: 'tampered' });
      }),
      { numRuns: 1000 },
    );
  });

  it(`#3 tokens over ${MAX_TOKEN_LENGTH} characters are refused as malformed (${kind})`, () => {
    for (const length of [MAX_TOKEN_LENGTH + 1, 64 * 1024, 1024 * 1024]) {
      expect(user.unseal('A'.repeat(length))).toEqual({ ok: false, reason: 'malformed' });
    }
  });

  it(`#27 sealing text whose token would pass ${MAX_TOKEN_LENGTH} characters throws SessionTooLargeError (${kind})`, () => {
    const limit = Math.floor((MAX_TOKEN_LENGTH * 3) / 4) - frameBytes(0);
    expect(user.unseal(user.seal('a'.repeat(limit))).ok).toBe(true);
    expect(() => user.seal('a'.repeat(limit + 1))).toThrow(SessionTooLargeError);
  });

  it(`#16 a token under an older key of the ring is accepted and marked stale (${kind})`, () => {
    const token = create(retired, 'user').seal(PAYLOAD);
    expect(user.unseal(token)).toEqual({ ok: true, text: PAYLOAD, stale: true });
  });

  it(`#17 a token under a key removed from the ring is unknown_key (${kind})`, () => {
    const token = create(retired, 'user').seal(PAYLOAD);
    expect(create(current, 'user').unseal(token)).toEqual({ ok: false, reason: 'unknown_key' });
  });

  it(`#18 tokens sealed with [current, old] open with only the current key (${kind})`, () => {
    const token = user.seal(PAYLOAD);
    expect(frameOf(token).subarray(1, 5).toString('hex')).toBe(rotated.keys[0]!.id);
    expect(create(current, 'user').unseal(token)).toEqual({ ok: true, text: PAYLOAD, stale: false });
    expect(create(retired, 'user').unseal(token)).toEqual({ ok: false, reason: 'unknown_key' });
  });

  it(`#19 key ids shaped like prototype members, numbers or 10 KB are rejected (${kind})`, () => {
    const body = frameOf(user.seal(PAYLOAD)).subarray(5);
    for (const id of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', '-1', '1e3']) {
      expect(user.unseal(id), id).toEqual({ ok: false, reason: 'malformed' });
      const forged = tokenOf(Buffer.concat([Buffer.of(1), Buffer.from(id), body]));
      expect(user.unseal(forged), id).toMatchObject({ ok: false });
      const inIdField = tokenOf(Buffer.concat([Buffer.of(1), Buffer.from(id).subarray(0, 4), body]));
      expect(user.unseal(inIdField), id).toEqual({ ok: false, reason: 'unknown_key' });
    }
    const huge = tokenOf(Buffer.concat([Buffer.of(1), Buffer.alloc(10 * 1024, 0x5f), body]));
    expect(user.unseal(huge)).toEqual({ ok: false, reason: 'unknown_key' });
  });

  it(`#19 key lookup never reads Object.prototype (${kind})`, () => {
    const body = frameOf(user.seal(PAYLOAD)).subarray(5);
    const forgedId = Buffer.from('evil');
    const prototype = Object.prototype as Record<string, unknown>;
    prototype[forgedId.toString('hex')] = { subkey: Buffer.alloc(32), stale: false };
    try {
      expect(user.unseal(tokenOf(Buffer.concat([Buffer.of(1), forgedId, body])))).toEqual({ ok: false, reason: 'unknown_key' });
    } finally {
      delete prototype[forgedId.toString('hex')];
    }
  });

  it(`#20 any version byte other than 1 is malformed (${kind})`, () => {
    const frame = frameOf(user.seal(PAYLOAD));
    for (let version = 0; version < 256; version++) {
      if (version === 1) continue;
      frame[0] = version;
      expect(user.unseal(tokenOf(frame)), `version ${version}`).toEqual({ ok: false, reason: 'malformed' });
    }
  });

  it(`#21 a token of session "user" is rejected as session "admin" or "use", same ring (${kind})`, () => {
    const token = user.seal(PAYLOAD);
    for (const other of ['admin', 'use', 'user ', 'User', '']) {
      expect(create(rotated, other).unseal(token), other).toEqual({ ok: false, reason: 'tampered' });
    }
  });
});

describe('across transformers', () => {
  const sign = createSignTransformer(current, 'user');
  const encrypt = createEncryptTransformer(current, 'user');

  it('#21 a sign token is rejected by encrypt and the reverse, same ring and session', () => {
    fc.assert(
      fc.property(payloads, (text) => {
        expect(encrypt.unseal(sign.seal(text)).ok).toBe(false);
        expect(sign.unseal(encrypt.seal(text)).ok).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });

  it('chains as the spec orders them: encrypt(sign(text)) opens in reverse', () => {
    const chain: readonly Transformer[] = [sign, encrypt];
    const sealed = chain.reduce((text, step) => step.seal(text), PAYLOAD);
    const opened = chain.reduceRight((text, step) => {
      const result = step.unseal(text);
      return result.ok ? result.text : '';
    }, sealed);
    expect(opened).toBe(PAYLOAD);
  });

  it('#25 10^4 seals of one payload give distinct nonces and ciphertexts', () => {
    const nonces = new Set<string>();
    const ciphertexts = new Set<string>();
    for (let i = 0; i < 10_000; i++) {
      const frame = frameOf(encrypt.seal(PAYLOAD));
      nonces.add(frame.subarray(5, 17).toString('hex'));
      ciphertexts.add(frame.subarray(17).toString('hex'));
    }
    expect(nonces.size).toBe(10_000);
    expect(ciphertexts.size).toBe(10_000);
  });

  it('#25 there is no way to pass a nonce: the factories take a ring and a session name only', () => {
    expect(createEncryptTransformer.length).toBe(2);
    expect(Object.keys(encrypt).sort()).toEqual(['seal', 'unseal']);
    expect(encrypt.seal.length).toBe(1);
  });
});

describe('rings not made by parseKeyRing', () => {
  const secret = Buffer.from(NEW_KEY, 'base64url');
  const id = current.keys[0]!.id;

  it.each([
    ['no keys', [], 'key ring "main" (test) has no keys'],
    ['an id that is not 4 bytes of hex', [{ id: 'abc', secret }], 'key ring "main" (test): key 1 has a malformed or repeated id'],
    ['an upper-case id', [{ id: 'ABCDEF01', secret }], 'key 1 has a malformed or repeated id'],
    ['a repeated id', [{ id, secret }, { id, secret }], 'key 2 has a malformed or repeated id'],
  ])('refuses a ring with %s at creation', (_, keys, message) => {
    for (const create of [createSignTransformer, createEncryptTransformer]) {
      expect(() => create({ name: 'main', source: 'test', keys }, 'user')).toThrow(SessionConfigError);
      expect(() => create({ name: 'main', source: 'test', keys }, 'user')).toThrow(message);
    }
  });
});
