/**
 * The shapes a cookie's name, path and domain may take, written once for both sides: generator/spec-schema.json
 * holds the same patterns (a test compares them), so a cookie `validate` accepts is one `installSessions()`
 * accepts, and the reverse (security.md #65).
 */

/** RFC 9110 `token`: what a cookie name may be (RFC 6265bis section 4.1.1). */
export const COOKIE_NAME_PATTERN = "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$";

/**
 * A path starting with `/`, with no whitespace, CTL, `;`, `,` or `=`, so an attribute can never end early
 * or start another (CVE-2024-47764; security.md #7).
 */
export const COOKIE_PATH_PATTERN = '^/[^\\u0000-\\u0020\\u007F;,=]*$';

/** A plain host name: letters, digits and inner hyphens in dot-separated labels; no scheme, port, path, leading dot or wildcard. */
export const COOKIE_DOMAIN_PATTERN = '^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$';

/** The longest domain DNS allows (RFC 1035 section 2.3.4). */
export const COOKIE_DOMAIN_MAX_LENGTH = 253;

/** Compiled as ajv compiles the spec's patterns, with the `u` flag. */
export const COOKIE_NAME = new RegExp(COOKIE_NAME_PATTERN, 'u');
export const COOKIE_PATH = new RegExp(COOKIE_PATH_PATTERN, 'u');
export const COOKIE_DOMAIN = new RegExp(COOKIE_DOMAIN_PATTERN, 'u');

/** Cookie name prefixes a browser enforces (RFC 6265bis section 4.1.3), matched ignoring case as browsers now do. */
export const SECURE_PREFIX = /^__(?:secure|host)-/i;
export const HOST_PREFIX = /^__host-/i;
