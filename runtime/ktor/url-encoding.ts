/**
 * The percent-encodings Ktor applies to session data, ported from `ktor-http/common/src/io/ktor/http/Codecs.kt`
 * and `Query.kt` (identical semantics since Ktor 1.x; docs/ktor.md). Every function works on UTF-8 bytes and
 * writes upper-case hex, as Ktor does.
 */

/** Bytes `encodeURLParameter` keeps: letters, digits and `-._~`. */
const PARAMETER_SAFE = byteSet('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~');
/** Bytes `encodeURLQueryComponent(encodeFull = false)` keeps: letters, digits and ``:/?#[]@!$&'()*,;=-._~+``. */
const QUERY_SAFE = byteSet("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789:/?#[]@!$&'()*,;=-._~+");

const SPACE = 0x20;
const HEX = '0123456789ABCDEF';

function byteSet(characters: string): ReadonlySet<number> {
  return new Set([...characters].map((character) => character.charCodeAt(0)));
}

function percentEncode(text: string, safe: ReadonlySet<number>, space: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    if (safe.has(byte)) out += String.fromCharCode(byte);
    else if (byte === SPACE) out += space;
    else out += `%${HEX[byte >> 4]}${HEX[byte & 15]}`;
  }
  return out;
}

/**
 * Ktor's `encodeURLParameter(spaceToPlus = true)`: the session cookie value encoding (`CookieEncoding.URI_ENCODING`,
 * Ktor >= 2.2.0) and the outer encoding of the reflection format.
 *
 * @example
 * encodeUrlParameter('first, cookie'); // 'first%2C+cookie'
 */
export function encodeUrlParameter(text: string): string {
  return percentEncode(text, PARAMETER_SAFE, '+');
}

/**
 * Ktor's `encodeURLQueryComponent()` with its defaults: nearly a no-op on ASCII (`&`, `=`, `#` and `+` are kept),
 * which is why the reflection format cannot hold some values (see reflection-serializer.ts).
 *
 * @example
 * encodeQueryComponent('#sa b'); // '#sa%20b'
 */
export function encodeQueryComponent(text: string): string {
  return percentEncode(text, QUERY_SAFE, '%20');
}

/** A `%` not followed by two hex digits, or bytes that are not UTF-8. */
export class UrlDecodeError extends Error {
  override readonly name = 'UrlDecodeError';
}

/**
 * Ktor's `decodeURLQueryComponent(plusIsSpace)`: `%XX` in either case, and `+` as a space when asked. Throws
 * `UrlDecodeError` on a malformed escape or on bytes that are not UTF-8 (Ktor would put U+FFFD there; nothing
 * Ktor writes has them).
 *
 * It runs on every incoming Ktor cookie before its MAC can be checked, so it is one native pass:
 * `decodeURIComponent` decodes exactly these escapes, refuses exactly these errors, and leaves every other
 * character as it is, as Ktor does (security.md #56).
 *
 * @example
 * decodeQueryComponent('1+2', true); // '1 2'
 */
export function decodeQueryComponent(text: string, plusIsSpace: boolean): string {
  // `%2B` stays a `+`: only literal plus signs are spaces.
  const spaced = plusIsSpace ? text.replaceAll('+', ' ') : text;
  try {
    return decodeURIComponent(spaced);
  } catch {
    throw new UrlDecodeError('a "%" not followed by two hex digits, or escaped bytes that are not UTF-8');
  }
}

/** Ktor's `parseQueryString` reads at most this many pairs. */
const MAX_PAIRS = 1000;

/**
 * Ktor's `parseQueryString` for one `name=value&...` text, as the reflection deserializer calls it: names
 * decoded with `%XX` only, values with `%XX` and `+` as space, whitespace around both trimmed. Unlike Ktor, a
 * repeated name, a name without `=` or more than 1000 pairs throws `UrlDecodeError`: none of them is anything
 * Ktor writes, and a repeated name would leave which value counts to chance.
 *
 * @example
 * parseQueryString('userId=%23sid+2&cart=%23cl'); // [['userId', '#sid 2'], ['cart', '#cl']]
 */
export function parseQueryString(text: string): [string, string][] {
  if (text === '') return [];
  const parts = text.split('&');
  if (parts.length > MAX_PAIRS) throw new UrlDecodeError(`more than ${MAX_PAIRS} pairs`);
  const seen = new Set<string>();
  return parts.map((part) => {
    const equals = part.indexOf('=');
    if (equals === -1) throw new UrlDecodeError('a pair without "="');
    const name = decodeQueryComponent(part.slice(0, equals).trim(), false);
    if (seen.has(name)) throw new UrlDecodeError('a repeated name');
    seen.add(name);
    return [name, decodeQueryComponent(part.slice(equals + 1).trim(), true)];
  });
}
