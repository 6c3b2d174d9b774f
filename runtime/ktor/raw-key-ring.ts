import { SessionConfigError } from '../errors.js';
import { deriveKeyId } from '../keys/key-derivation.js';
import type { KeyRing } from '../keys/key-ring.js';

const HEX_KEY = /^(?:[0-9A-Fa-f]{2})+$/;

/**
 * A key ring declared `encoding: hex`: the raw key bytes a Ktor service uses (`hex("0011...")` in its
 * `install(Sessions)`), comma-separated, newest first. Ktor keys are used as they are, with no derivation, so
 * this ring only serves `ktor-sign` and `ktor-encrypt`; the sizes are checked by the transform that uses it
 * (16, 24 or 32 bytes for AES). Throws `SessionConfigError` naming `source`; messages never repeat a key.
 *
 * @example
 * parseRawKeyRing('ktor_sign', '02030405060708090a0b0c', 'environment variable KTOR_SIGN_KEY');
 */
export function parseRawKeyRing(name: string, value: string | readonly string[], source: string): KeyRing {
  const where = `key ring "${name}" (${source})`;
  if (typeof value !== 'string' && !(Array.isArray(value) && value.every((entry) => typeof entry === 'string'))) {
    throw new SessionConfigError(`${where} must be a string of comma-separated hex keys or an array of them`);
  }
  const entries = (typeof value === 'string' ? value.split(',') : value).map((entry) => entry.trim());
  const keys: { id: string; secret: Buffer }[] = [];
  entries.forEach((entry, index) => {
    const key = `key ${index + 1} of ${entries.length}`;
    if (!HEX_KEY.test(entry)) {
      throw new SessionConfigError(
        `${where}: ${key} is not hex (an even number of 0-9 and a-f); it holds the Ktor service's key bytes, as in hex("...") in its install(Sessions) block`,
      );
    }
    const secret = Buffer.from(entry, 'hex');
    if (keys.some((other) => other.secret.equals(secret))) {
      throw new SessionConfigError(`${where}: ${key} repeats an earlier key; each key must be different. Remove it.`);
    }
    keys.push({ id: deriveKeyId(secret), secret });
  });
  return { name, source, keys };
}
