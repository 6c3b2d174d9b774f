/**
 * The timestamped wrapper around a serialized payload: `<createdAt>.<lastSeenAt>.<payload>`, both
 * timestamps whole epoch seconds. By value it is what gets sealed, so the times are as tamper-proof as
 * the data; by id it is what the storage holds. Expiry is enforced from these times on the server, never
 * from cookie attributes (security.md #22, #39).
 *
 * The payload is the serializer's text as it stands (no escaping): it runs to the end of the string, so
 * only the two leading fields need delimiting, and they never contain a dot.
 */

export interface Envelope {
  /** When the session was first set; absolute expiry counts from here and is never extended. */
  readonly createdAt: number;
  /** When the session was last written or refreshed; idle expiry counts from here. */
  readonly lastSeenAt: number;
  /** The serializer's output. */
  readonly payload: string;
}

/**
 * Canonical whole seconds and nothing else: no sign, fraction, exponent, leading zero, whitespace or
 * NaN can pass, so a missing or mangled time can never mean "never expires" (security.md #22, the fastify
 * `__ts` NaN pitfall; iron checks with /^\d+$/). Twelve digits reach past the year 30000.
 */
const TIMESTAMP = /^(?:0|[1-9]\d{0,11})$/;

/**
 * @example
 * formatEnvelope({ createdAt: 1700000000, lastSeenAt: 1700000300, payload: '{"userId":"ada"}' });
 * // '1700000000.1700000300.{"userId":"ada"}'
 */
export function formatEnvelope(envelope: Envelope): string {
  return `${envelope.createdAt}.${envelope.lastSeenAt}.${envelope.payload}`;
}

/**
 * The envelope in `text`, or `undefined` when either timestamp is missing or not canonical, or the
 * session was seen before it was created.
 *
 * @example
 * parseEnvelope('1700000000.1700000300.{}'); // { createdAt: 1700000000, lastSeenAt: 1700000300, payload: '{}' }
 * parseEnvelope('1700000000.1.5e3.{}');       // undefined
 */
export function parseEnvelope(text: string): Envelope | undefined {
  const first = text.indexOf('.');
  if (first === -1) return undefined;
  const second = text.indexOf('.', first + 1);
  if (second === -1) return undefined;
  const created = text.slice(0, first);
  const lastSeen = text.slice(first + 1, second);
  if (!TIMESTAMP.test(created) || !TIMESTAMP.test(lastSeen)) return undefined;
  const createdAt = Number(created);
  const lastSeenAt = Number(lastSeen);
  if (lastSeenAt < createdAt) return undefined;
  return { createdAt, lastSeenAt, payload: text.slice(second + 1) };
}
