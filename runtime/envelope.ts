/**
 * The timestamped wrapper around a serialized payload: `<createdAt>.<lastSeenAt>.<payload>`, both
 * timestamps whole epoch seconds. By value it is what gets sealed, so the times are as tamper-proof as
 * the data; by id it is what the storage holds. Expiry is enforced from these times on the server, never
 * from cookie attributes (security.md #22, #39).
 *
 * The payload is the serializer's text as it stands (no escaping): it runs to the end of the string, so
 * only the leading fields need delimiting, and they never contain a dot.
 *
 * Flash values (runtime/flash.ts) ride inside the same envelope, so the same seal or storage entry covers
 * them: `<createdAt>.<lastSeenAt>~<length>.<flash JSON>` then `.<payload>`, or nothing for a session that
 * holds flash values alone. The `~` can never follow the last-seen time in the first form, so an envelope
 * written before flash values existed reads as it always did, and one without them is still written that way.
 *
 * A session written with cookie options (`set(name, value, options)`) starts with one more field, its
 * choice: `p` (persistent) or `b` (browser-session), then the epoch second it ends at when the options
 * shortened its life: `b1700003600.<createdAt>.<lastSeenAt>.<payload>` (security.md #68). Every other
 * envelope starts with a digit, as before the field existed, and reads as it always did.
 *
 * A payload written under a version above the first (`version:` in the spec, runtime/payload-versions.ts)
 * starts with that version before anything else: `v2.` then the rest. An envelope without it is version 1,
 * as every envelope written before versions existed; `v1.` is never written, and not read (one spelling).
 *
 * A session with `revocation:` (runtime/revocation.ts) then carries when its user's stamp was last read:
 * `c1700000000.`, sealed like the times, so a client cannot postpone its next check.
 */

export interface Envelope {
  /** When the session was first set; absolute expiry counts from here and is never extended. */
  readonly createdAt: number;
  /** When the session was last written or refreshed; idle expiry counts from here. */
  readonly lastSeenAt: number;
  /** The serializer's output; absent for a session that holds only flash values. */
  readonly payload?: string;
  /** The flash values' JSON (runtime/flash.ts); absent when there are none. */
  readonly flash?: string;
  /** What a `set()` with cookie options chose; absent: what sessions.yaml says. */
  readonly choice?: CookieChoice;
  /** The payload version it was written under; absent: 1. */
  readonly version?: number;
  /** `revocation:` sessions: when the user's stamp was last read (epoch seconds); absent: never. */
  readonly checkedAt?: number;
}

/** A write's cookie options (runtime/cookie-options.ts) resolved against the spec: what the envelope keeps. */
export interface CookieChoice {
  readonly persistent: boolean;
  /** Epoch seconds: the session ends here when that is before its absolute deadline. */
  readonly expiresAt?: number;
}

/**
 * Canonical whole seconds and nothing else: no sign, fraction, exponent, leading zero, whitespace or
 * NaN can pass, so a missing or mangled time can never mean "never expires" (security.md #22, the fastify
 * `__ts` NaN pitfall; iron checks with /^\d+$/). Twelve digits reach past the year 30000. The flash
 * length is canonical the same way; nine digits are more than any token or stored entry holds.
 */
const HEAD = /^(0|[1-9]\d{0,11})\.(0|[1-9]\d{0,11})(?:\.|~(0|[1-9]\d{0,8})\.)/;

/** The choice field: `p` or `b`, then the end a `maxAge` option set, as canonical as a timestamp. */
const CHOICE = /^([pb])((?:0|[1-9]\d{0,11})?)\./;

/** The revocation check field: `c` and the epoch second of the last check, canonical like a timestamp. */
const CHECKED = /^c(0|[1-9]\d{0,11})\./;

/** The version field: 2 and up (spec-schema.json allows six digits), canonical. */
const VERSION = /^v([2-9]|[1-9]\d{1,5})\./;

/**
 * An envelope holds a payload, flash values or both; one with neither is never written (the session is cleared).
 *
 * @example
 * formatEnvelope({ createdAt: 1700000000, lastSeenAt: 1700000300, payload: '{"userId":"ada"}' });
 * // '1700000000.1700000300.{"userId":"ada"}'
 */
export function formatEnvelope(envelope: Envelope): string {
  const { createdAt, lastSeenAt, payload, flash, choice, version, checkedAt } = envelope;
  const versioned = version === undefined || version === 1 ? '' : `v${version}.`;
  const checked = checkedAt === undefined ? '' : `c${checkedAt}.`;
  const chosen = `${versioned}${checked}${choice === undefined ? '' : `${choice.persistent ? 'p' : 'b'}${choice.expiresAt ?? ''}.`}`;
  if (flash === undefined) return `${chosen}${createdAt}.${lastSeenAt}.${payload}`;
  return `${chosen}${createdAt}.${lastSeenAt}~${flash.length}.${flash}${payload === undefined ? '' : `.${payload}`}`;
}

/**
 * The envelope in `text`, or `undefined` when a timestamp is missing or not canonical, or the session was
 * seen before it was created.
 *
 * @example
 * parseEnvelope('1700000000.1700000300.{}'); // { createdAt: 1700000000, lastSeenAt: 1700000300, payload: '{}' }
 * parseEnvelope('1700000000.1.5e3.{}');       // undefined
 * parseEnvelope('1700000000.1700000300~23.{"notice":"Signed out"}'); // { ..., flash: '{"notice":"Signed out"}' }
 * parseEnvelope('b1700003600.1700000000.1700000300.{}'); // { ..., choice: { persistent: false, expiresAt: 1700003600 } }
 * parseEnvelope('v2.1700000000.1700000300.{}'); // { ..., version: 2 }
 */
export function parseEnvelope(text: string): Envelope | undefined {
  // Every optional field starts with a letter; most envelopes have none and start with the creation time.
  const first = text.charCodeAt(0);
  if (first >= 0x30 && first <= 0x39) return parseTimes(text);
  const versioned = VERSION.exec(text);
  if (versioned === null) return parseChecked(text);
  const envelope = parseChecked(text.slice(versioned[0].length));
  return envelope === undefined ? undefined : { ...envelope, version: Number(versioned[1]) };
}

/** An envelope without its version field. */
function parseChecked(text: string): Envelope | undefined {
  const checked = CHECKED.exec(text);
  if (checked === null) return parseChoice(text);
  const envelope = parseChoice(text.slice(checked[0].length));
  return envelope === undefined ? undefined : { ...envelope, checkedAt: Number(checked[1]) };
}

/** An envelope without its version and check fields. */
function parseChoice(text: string): Envelope | undefined {
  const chosen = CHOICE.exec(text);
  if (chosen === null) return parseTimes(text);
  const envelope = parseTimes(text.slice(chosen[0].length));
  if (envelope === undefined) return undefined;
  const choice: CookieChoice = { persistent: chosen[1] === 'p', ...(chosen[2] === '' ? {} : { expiresAt: Number(chosen[2]) }) };
  return { ...envelope, choice };
}

/** The timestamps, flash values and payload of an envelope without its choice field. */
function parseTimes(text: string): Envelope | undefined {
  const head = HEAD.exec(text);
  if (head === null) return undefined;
  const createdAt = Number(head[1]);
  const lastSeenAt = Number(head[2]);
  if (lastSeenAt < createdAt) return undefined;
  const rest = head[0].length;
  if (head[3] === undefined) return { createdAt, lastSeenAt, payload: text.slice(rest) };
  const flashEnd = rest + Number(head[3]);
  const flash = text.slice(rest, flashEnd);
  if (flashEnd === text.length) return { createdAt, lastSeenAt, flash };
  // Past the end (a length the text does not hold), or anything but the dot before a payload.
  if (text.charCodeAt(flashEnd) !== 0x2e) return undefined;
  return { createdAt, lastSeenAt, flash, payload: text.slice(flashEnd + 1) };
}
