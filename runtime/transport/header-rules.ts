/**
 * The rules of a session header's name, written once for `typed-sessions validate` and `installSessions()`
 * (security.md #65).
 */

/**
 * Headers the HTTP stack owns: the cookie headers, routing and framing, and the hop-by-hop headers of
 * RFC 9110 section 7.6.1, which proxies strip. A session token in one of them is lost or breaks the message.
 * Refused by `validate` and at startup alike (security.md #65).
 */
export const FORBIDDEN_HEADER_NAMES: ReadonlySet<string> = new Set([
  'cookie',
  'set-cookie',
  'host',
  'content-length',
  'connection',
  'transfer-encoding',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'upgrade',
]);

/** RFC 9110 section 5.1: a field name is a `token`. */
export const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** A session header named like one the HTTP stack owns would be lost or break the message. */
export function headerNameProblem(name: string): string | undefined {
  if (!FORBIDDEN_HEADER_NAMES.has(name.toLowerCase())) return undefined;
  return `header "${name}" is owned by the HTTP stack (cookies, routing, framing or hop-by-hop), so the token would be lost or break the message; choose a name like X-Session`;
}
