/**
 * Defaults for everything the spec may leave out (docs/spec.md): `normalize` fills them in, and the rules
 * judge a setting left out as the value it will get. spec-schema.json repeats them for editors.
 */
export const SPEC_DEFAULTS = {
  maxEntries: 100_000,
  // Each session a file of its own (a 4 KiB block and an inode) that every sweep and startup visits: see docs/storage.md.
  directoryMaxEntries: 10_000,
  redisPrefix: 'sess:',
  transport: 'cookie',
  insecure: false,
  maxAge: '7d',
  rolling: false,
  cookie: { path: '/', httpOnly: true, secure: 'auto', sameSite: 'lax', partitioned: false, persistent: false, chunked: false },
  ktorSignAlgorithm: 'sha256',
  ktorLegacyMac: false,
  keepSource: false,
  trustUnauthenticatedIv: false,
  /** `version:`: a session that never wrote one is at its first. */
  payloadVersion: 1,
  /** `revocation.onStoreDown`: a recheck the storage cannot answer fails closed, as every storage fault does. */
  revocationOnStoreDown: 'deny',
} as const;

/**
 * `cookie.persistent` when the spec leaves it out: `false`, a browser-session cookie (security.md, Decisions),
 * except for a by-value session in Ktor's format, whose only expiry is the cookie's `Max-Age` (docs/ktor.md).
 *
 * @example
 * cookiePersistentDefault({ ktorFormat: true, byId: false }); // true
 */
export function cookiePersistentDefault(session: { readonly ktorFormat: boolean; readonly byId: boolean }): boolean {
  return (session.ktorFormat && !session.byId) || SPEC_DEFAULTS.cookie.persistent;
}
