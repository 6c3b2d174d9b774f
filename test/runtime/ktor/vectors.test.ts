/**
 * Every vector of /work/shared/vectors/ktor.json (copied to ktor-vectors.json beside this file) against the
 * Ktor-format codecs: written byte for byte where the vector fixes everything (the IV included, through the
 * transformer's internal test seam), read always, negative vectors refused.
 */
import { describe, expect, it } from 'vitest';
import { ktorCookieValue } from '../../../runtime/ktor/cookie-value.js';
import { createKtorEncryptTransformer } from '../../../runtime/ktor/encrypt-transformer.js';
import { createKtorJsonSerializer } from '../../../runtime/ktor/json-serializer.js';
import { parseRawKeyRing } from '../../../runtime/ktor/raw-key-ring.js';
import { createKtorReflectionSerializer } from '../../../runtime/ktor/reflection-serializer.js';
import { createKtorSignTransformer } from '../../../runtime/ktor/sign-transformer.js';
import { TransformChain } from '../../../runtime/transform/transform-chain.js';
import vectors from './ktor-vectors.json' with { type: 'json' };

const ring = (hex: string) => parseRawKeyRing('ring', hex, 'test');

/** `TestUserSession(userId: String, cart: List<String>)` of Ktor's tests. */
const testUserSession = {
  type: 'object',
  properties: { userId: { type: 'string' }, cart: { type: 'array', items: { type: 'string' } } },
  required: ['userId', 'cart'],
  additionalProperties: false,
};

describe('encrypt_3x vectors (Ktor 3.x SessionTransportTransformerEncrypt)', () => {
  for (const vector of vectors.encrypt_3x) {
    const chain = (iv: Buffer) =>
      new TransformChain([
        createKtorEncryptTransformer(ring(vector.encryptKeyHex), ring(vector.signKeyHex), { legacyMac: false }, () => iv),
        ktorCookieValue,
      ]);
    const fixedIv = chain(Buffer.from(vector.ivHex, 'hex'));
    const serializer = createKtorJsonSerializer('s', testUserSession);

    it('serializes the payload to the vector plaintext', () => {
      expect(serializer.encode(vector.payload)).toBe(vector.plaintext);
    });
    it('writes the token and the cookie value byte for byte with the vector IV', () => {
      expect(fixedIv.transformers[0]!.seal(vector.plaintext)).toBe(vector.token);
      expect(fixedIv.seal(vector.plaintext)).toBe(vector.cookieValue);
    });
    it('reads the cookie value back to the payload', () => {
      const opened = fixedIv.unseal(vector.cookieValue);
      expect(opened).toEqual({ ok: true, text: vector.plaintext, stale: false });
      expect(serializer.decode(vector.plaintext)).toEqual(vector.payload);
    });
    for (const rejected of vector.rejected) {
      it(`refuses ${JSON.stringify(rejected)}`, () => {
        expect(fixedIv.unseal(rejected).ok).toBe(false);
      });
    }
  }
});

describe('hmac vectors (SessionTransportTransformerMessageAuthentication)', () => {
  for (const vector of vectors.hmac) {
    const chain = new TransformChain([createKtorSignTransformer(ring(vector.keyHex), 'sha256'), ktorCookieValue]);
    it('writes the token and the cookie value byte for byte', () => {
      expect(vector.algorithm).toBe('HmacSHA256');
      expect(chain.transformers[0]!.seal(vector.value)).toBe(vector.token);
      expect(chain.seal(vector.value)).toBe(vector.cookieValue);
    });
    it('reads the cookie value back', () => {
      expect(chain.unseal(vector.cookieValue)).toEqual({ ok: true, text: vector.value, stale: false });
    });
  }
});

/** The Kotlin classes of SessionsBackwardCompatibleFormatTest, as schemas in declaration order. */
const primitives = {
  type: 'object',
  properties: {
    int: { type: 'integer' },
    string: { type: 'string' },
    boolean: { type: 'boolean' },
    double: { type: 'number' },
    float: { type: 'number', format: 'float' },
    long: { type: 'integer', format: 'int64' },
    nullable: { type: ['string', 'null'] },
    enum: { enum: ['A', 'B'] },
  },
  required: ['int', 'string', 'boolean', 'double', 'float', 'long', 'nullable', 'enum'],
  additionalProperties: false,
};
const primitivesValue = { int: 1, string: '2', boolean: true, double: 3, float: 4, long: 5, nullable: null, enum: 'A' };
const withCollections = {
  type: 'object',
  properties: {
    listS: { type: 'array', items: { type: 'string' } },
    listE: { type: 'array', items: { enum: ['A', 'B'] } },
    listI: { type: 'array', items: { type: 'integer' } },
    mapS: { type: 'object', additionalProperties: { type: 'string' } },
    mapI: { type: 'object', additionalProperties: { type: 'integer' } },
  },
  required: ['listS', 'listE', 'listI', 'mapS', 'mapI'],
  additionalProperties: false,
};
const withNestedClass = {
  type: 'object',
  properties: { primitives: { $ref: '#/$defs/Primitives' } },
  required: ['primitives'],
  additionalProperties: false,
  $defs: { Primitives: primitives },
};
const reflectionCases = [
  { schema: primitives, value: primitivesValue },
  {
    schema: withCollections,
    value: { listS: ['1', '2'], listE: ['A', 'B'], listI: [1, 2], mapS: { key1: '1', key2: '2' }, mapI: { key1: 1, key2: 2 } },
  },
  { schema: withNestedClass, value: { primitives: primitivesValue } },
];

/**
 * The reflection serializer sorts properties by name, at every level; the vectors come from the kotlinx-compat
 * encoder, which keeps declaration order. Both decoders match properties by name, so either reads the other.
 */
function sortedPairs(text: string, nested: boolean): string {
  const byName = (a: string, b: string) => (a.split(/=|%3D/)[0]! < b.split(/=|%3D/)[0]! ? -1 : 1);
  if (!nested) return text.split('&').sort(byName).join('&');
  const [name, inner] = text.split('=%23%23') as [string, string];
  return `${name}=%23%23${inner.split('%26').sort(byName).join('%26')}`;
}

describe('reflection_text vectors (Ktor 1.x/2.x text format)', () => {
  vectors.reflection_text.forEach((vector, index) => {
    const { schema, value } = reflectionCases[index]!;
    const serializer = createKtorReflectionSerializer('s', schema);
    it(`reads ${vector.kotlin}`, () => {
      expect(serializer.decode(vector.text)).toEqual(value);
    });
    it(`writes ${vector.kotlin} with the vector's pairs, sorted by name as the reflection serializer does`, () => {
      const written = serializer.encode(value);
      expect(written).toBe(sortedPairs(vector.text, index === 2));
      expect(serializer.decode(written)).toEqual(value);
    });
  });

  it('writes the wire doc worked examples', () => {
    expect(createKtorReflectionSerializer('s', primitives).encode(primitivesValue)).toBe(
      'boolean=%23bot&double=%23f3.0&enum=%23sA&float=%23f4.0&int=%23i1&long=%23l5&nullable=%23n&string=%23s2',
    );
    const session = createKtorReflectionSerializer('s', testUserSession);
    expect(session.encode({ userId: 'id2', cart: [] })).toBe('cart=%23cl&userId=%23sid2');
    expect(session.encode({ userId: 'id 2', cart: ['a b', '50%'] })).toBe('cart=%23cl%23sa%252520b%26%23s50%252525&userId=%23sid+2');
    expect(session.decode('cart=%23cl%23sa%252520b%26%23s50%252525&userId=%23sid+2')).toEqual({ userId: 'id 2', cart: ['a b', '50%'] });
  });
});

describe('cookie_encoding vectors (CookieEncoding.URI_ENCODING)', () => {
  for (const vector of vectors.cookie_encoding) {
    if ('encoded' in vector) {
      it(`encodes ${JSON.stringify(vector.value)}`, () => {
        expect(ktorCookieValue.seal(vector.value!)).toBe(vector.encoded);
        expect(ktorCookieValue.unseal(vector.encoded!)).toEqual({ ok: true, text: vector.value, stale: false });
      });
    } else {
      it(`decodes ${JSON.stringify(vector.requestCookieValue)}`, () => {
        expect(ktorCookieValue.unseal(vector.requestCookieValue!)).toEqual({ ok: true, text: vector.decoded, stale: false });
      });
    }
  }
});
