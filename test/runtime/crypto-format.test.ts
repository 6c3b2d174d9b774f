import { describe, expect, it } from 'vitest';
import { parseKeyRing } from '../../runtime/keys/key-ring.js';
import { createEncryptTransformer } from '../../runtime/transform/encrypt.js';
import { createSignTransformer } from '../../runtime/transform/sign.js';

/**
 * Known-answer vectors for the formats in docs/security.md, computed outside this code base by a short
 * Python script (hmac, hashlib, and the `cryptography` package's AESGCM) that follows the document:
 * HKDF-SHA256 with an empty salt, the info strings, the length-prefixed bound context, the frame layout.
 * If one of these changes, every token in circulation stops opening: that is a format version bump.
 */
const KEY = Buffer.from(Array.from({ length: 32 }, (_, i) => i)).toString('base64url');
const ring = parseKeyRing('main', KEY, 'test');
const PAYLOAD = '{"userId":"u1"}';

describe('token formats (docs/security.md)', () => {
  it('derives the key id from the secret with HKDF info "typed-sessions key id"', () => {
    expect(KEY).toBe('AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8');
    expect(ring.keys[0]!.id).toBe('03484127');
  });

  it('sign: base64url(01 | key id | payload | HMAC-SHA256(sign subkey, context | header | payload))', () => {
    const token = 'AQNIQSd7InVzZXJJZCI6InUxIn3C2VmeVIwC4dj05ZZGlXqdlr7EYYwiBBh-z8-z_zzN_A';
    expect(createSignTransformer(ring, 'user').seal(PAYLOAD)).toBe(token);
    expect(createSignTransformer(ring, 'user').unseal(token)).toEqual({ ok: true, text: PAYLOAD, stale: false });
  });

  it('encrypt: base64url(01 | key id | nonce | AES-256-GCM ciphertext | tag), AAD = context | header', () => {
    // Sealed by the script with the nonce 0x64..0x6f: the transformer itself has no way to take a nonce.
    const token = 'AQNIQSdkZWZnaGlqa2xtbm8NskaneiwyJh2yt-NOjFClUtjCrYKoxtLpzfVUmO_5';
    expect(createEncryptTransformer(ring, 'user').unseal(token)).toEqual({ ok: true, text: PAYLOAD, stale: false });
  });
});
