import { SessionConfigError } from '../errors.js';
import { deriveKeyId } from './key-derivation.js';
import { checkKey, type KeyCheck } from './key-strength.js';

const HOW_TO_SET =
  'Set it to one or more keys, comma-separated, newest first; make a key with `npx typed-sessions keygen`.';

/**
 * A named key ring: the secrets a `sign` or `encrypt` transform uses, newest first. Tokens are sealed
 * with the newest key; older keys still open tokens (which are then re-sealed), so a key is rotated by
 * putting a new one in front and removing the old one once its tokens have expired.
 */
export interface KeyRing {
  /** Ring name in the spec (e.g. "main"). */
  readonly name: string;
  /** Where it came from, for messages: "environment variable SESSION_KEYS" or "installSessions({ keys: { main } })". */
  readonly source: string;
  /** Newest first; `id` is a short stable key id derived from the secret (not its position). */
  readonly keys: readonly { readonly id: string; readonly secret: Buffer }[];
}

/** How the keys of a ring are written: what one key must be, and what to say of a ring that is not a list of them. */
export interface KeyEncoding {
  /** Completes "key ring "main" (...) must be " for a value that is neither a string nor an array of strings. */
  readonly notAList: string;
  /** Completes "key ring "main" (...) is empty", punctuation included. */
  readonly empty: string;
  /** One key as written: its secret, or a problem that completes "key 2 of 3 ...". */
  check(entry: string): KeyCheck;
  /**
   * For keys that tokens name by id (this library's), what to do when two keys of a ring share one: ids are
   * 32 bits, so that happens about once in 10^9 rings, and a token would then name an ambiguous key.
   * `undefined` when tokens name no key (Ktor's).
   */
  readonly sameIdFix?: string;
}

/** This library's keys: base64url (standard base64 also accepted) of at least 32 random bytes. */
const NATIVE_KEYS: KeyEncoding = {
  notAList: `a string of comma-separated keys or an array of key strings. ${HOW_TO_SET}`,
  empty: `. ${HOW_TO_SET}`,
  check: checkKey,
  sameIdFix: 'Replace it with a key from `npx typed-sessions keygen`.',
};

/**
 * Parses a ring: comma-separated (or an array), newest first; each key base64url (standard base64 also
 * accepted) of at least 32 random bytes. Throws `SessionConfigError` naming `source` and the fix.
 *
 * @example
 * const ring = parseKeyRing('main', process.env.SESSION_KEYS ?? '', 'environment variable SESSION_KEYS');
 */
export function parseKeyRing(name: string, value: string | readonly string[], source: string): KeyRing {
  return parseKeys(name, value, source, NATIVE_KEYS);
}

/**
 * A ring of keys written in `encoding`: comma-separated (or an array), newest first, each key checked by
 * the encoding, none repeated. Throws `SessionConfigError` naming `source` and the fix; messages never
 * repeat a key.
 *
 * @example
 * // Ktor's raw keys (runtime/ktor/raw-key-ring.ts):
 * parseKeys('ktor_sign', '02030405060708090a0b0c', 'environment variable KTOR_SIGN_KEY', { notAList: 'hex keys', empty: '', check: checkRawKey });
 */
export function parseKeys(name: string, value: string | readonly string[], source: string, encoding: KeyEncoding): KeyRing {
  const where = `key ring "${name}" (${source})`;
  // Typed callers cannot get here with anything else, but installSessions() options come from app code.
  if (typeof value !== 'string' && !(Array.isArray(value) && value.every((entry) => typeof entry === 'string'))) {
    throw new SessionConfigError(`${where} must be ${encoding.notAList}`);
  }
  const entries = (typeof value === 'string' ? value.split(',') : value).map((entry) => entry.trim());
  if (entries.every((entry) => entry === '')) throw new SessionConfigError(`${where} is empty${encoding.empty}`);
  const keys: { id: string; secret: Buffer }[] = [];
  entries.forEach((entry, index) => {
    const key = `key ${index + 1} of ${entries.length}`;
    const check = encoding.check(entry);
    if (!check.ok) throw new SessionConfigError(`${where}: ${key} ${check.problem}`);
    const earlier = keys.findIndex((other) => other.secret.equals(check.secret));
    if (earlier !== -1) throw new SessionConfigError(`${where}: ${key} repeats key ${earlier + 1}; each key must be different. Remove it.`);
    const id = deriveKeyId(check.secret);
    const sameId = encoding.sameIdFix === undefined ? -1 : keys.findIndex((other) => other.id === id);
    if (sameId !== -1) throw new SessionConfigError(`${where}: ${key} has the same key id as key ${sameId + 1}. ${encoding.sameIdFix}`);
    keys.push({ id, secret: check.secret });
  });
  return { name, source, keys };
}

/**
 * Reads ring `name` from `override` (`installSessions({ keys })`) if given, else from `env[envVar]`.
 * A missing or empty ring throws `SessionConfigError` naming where it was looked for.
 *
 * @example
 * const ring = resolveKeyRing('main', 'SESSION_KEYS', process.env, options.keys?.main);
 */
export function resolveKeyRing(
  name: string,
  envVar: string,
  env: Readonly<Record<string, string | undefined>>,
  override?: string | readonly string[],
  /** How the ring is written; rings declared `encoding: hex` pass Ktor's parser (runtime/ktor/raw-key-ring.ts). */
  parse: typeof parseKeyRing = parseKeyRing,
): KeyRing {
  if (override !== undefined) {
    return parse(name, override, `installSessions({ keys: { ${name} } })`);
  }
  const value = Object.hasOwn(env, envVar) ? env[envVar] : undefined;
  if (value === undefined) {
    throw new SessionConfigError(
      `key ring "${name}": environment variable ${envVar} is not set. ${HOW_TO_SET} Or pass installSessions({ keys: { ${name}: ... } }).`,
    );
  }
  return parse(name, value, `environment variable ${envVar}`);
}

/**
 * The resolved ring `ring` that session `session` names. Throws `SessionConfigError` when startup did not
 * resolve it (a definition naming a ring its spec does not declare).
 *
 * @example
 * const ring = ringOf('user', keyRings, 'main');
 */
export function ringOf(session: string, keyRings: ReadonlyMap<string, KeyRing>, ring: string): KeyRing {
  const found = keyRings.get(ring);
  if (found === undefined) {
    throw new SessionConfigError(`session "${session}" uses key ring "${ring}", which was not resolved; declare it under keys: in sessions.yaml`);
  }
  return found;
}
