/**
 * Checks one key of a ring, as the app wrote it, before anything is derived from it (security.md #26: a short,
 * empty, placeholder or low-entropy key is a start-up error, following iron's 32-character minimum and
 * gorilla's "hash key not set"). Messages never repeat the key: they end up in logs.
 */

/** A key must decode to at least this many bytes (256 bits, the AES-256 key size). */
export const MIN_KEY_BYTES = 32;

/**
 * 32 random bytes hold about 30 distinct values; fewer than 16 has a negligible chance for a random key and
 * catches `aaaa...`, repeated words and short repeating patterns.
 */
const MIN_DISTINCT_BYTES = 16;

const RUN_KEYGEN = 'Replace it with a key from `npx typed-sessions keygen`.';

/** Completes "key 2 of 3 ..." for an empty entry of any ring: an empty key is a stray comma, never a key. */
export const EMPTY_KEY = 'is empty (a stray comma?). Remove it: keys are comma-separated, newest first.';

/** Example values from READMEs and tutorials, compared lower-cased with everything but letters and digits removed. */
const PLACEHOLDERS = new Set([
  'keyboardcat',
  'secret',
  'secretkey',
  'mysecret',
  'supersecret',
  'sessionsecret',
  'yoursecretkey',
  'yourkeyhere',
  'changeme',
  'changethis',
  'changeit',
  'replaceme',
  'password',
  'default',
  'test',
  'development',
]);

/** One alphabet or the other, never mixed; optional `=` padding (Python's urlsafe_b64encode pads). */
const KEY_TEXT = /^(?:[A-Za-z0-9_-]+|[A-Za-z0-9+/]+)(={0,2})$/;

export type KeyCheck = { readonly ok: true; readonly secret: Buffer } | { readonly ok: false; readonly problem: string };

/**
 * Decodes one key (base64url, or standard base64 with or without padding) and refuses weak ones.
 * `problem` completes the sentence "key 2 of 3 ..." and says how to fix it.
 *
 * @example
 * checkKey('keyboard cat'); // { ok: false, problem: 'is a well-known placeholder, not a secret. Replace it ...' }
 */
export function checkKey(text: string): KeyCheck {
  if (text === '') {
    return { ok: false, problem: EMPTY_KEY };
  }
  if (PLACEHOLDERS.has(text.toLowerCase().replace(/[^a-z0-9]/g, ''))) {
    return { ok: false, problem: `is a well-known placeholder, not a secret. ${RUN_KEYGEN}` };
  }
  const secret = decodeKeyText(text);
  if (secret === undefined) {
    return { ok: false, problem: `is not valid base64url or base64. ${RUN_KEYGEN}` };
  }
  if (secret.length < MIN_KEY_BYTES) {
    return {
      ok: false,
      problem: `decodes to ${secret.length} bytes; a key needs at least ${MIN_KEY_BYTES} random bytes. ${RUN_KEYGEN}`,
    };
  }
  const distinct = new Set(secret).size;
  if (distinct < MIN_DISTINCT_BYTES) {
    return {
      ok: false,
      problem: `has only ${distinct} distinct byte value${distinct === 1 ? '' : 's'} in ${secret.length} bytes, so it is not random. ${RUN_KEYGEN}`,
    };
  }
  return { ok: true, secret };
}

/**
 * Strict decoding: `Buffer.from(text, 'base64')` (which reads both alphabets) skips characters outside the
 * alphabet and ignores stray trailing bits, so the text must also be the canonical encoding of its bytes,
 * with the right amount of padding if it has any.
 */
function decodeKeyText(text: string): Buffer | undefined {
  const match = KEY_TEXT.exec(text);
  if (match === null) {
    return undefined;
  }
  const padding = match[1] ?? '';
  const digits = text.slice(0, text.length - padding.length).replace(/\+/g, '-').replace(/\//g, '_');
  const bytes = Buffer.from(text, 'base64');
  const canonical = bytes.toString('base64url');
  const canonicalPadding = (4 - (canonical.length % 4)) % 4;
  return digits === canonical && (padding.length === 0 || padding.length === canonicalPadding) ? bytes : undefined;
}
