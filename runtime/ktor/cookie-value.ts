import type { Transformer } from '../transform/transformer.js';
import { decodeQueryComponent, encodeUrlParameter } from './url-encoding.js';

/**
 * Ktor's default session cookie value encoding, `CookieEncoding.URI_ENCODING` (wire doc section 2.7), as the
 * outermost step of a Ktor-format cookie session: written with `encodeURLParameter(spaceToPlus = true)` (Ktor
 * >= 2.2.0), read with `decodeURLQueryComponent(plusIsSpace = true)`, which also reads what Ktor 1.x to 2.1.x
 * wrote. A malformed escape is a malformed token. Header transport carries the value raw, as Ktor does.
 *
 * @example
 * ktorCookieValue.seal('abc/d:e');   // 'abc%2Fd%3Ae'
 * ktorCookieValue.unseal('1+2');     // { ok: true, text: '1 2', stale: false }
 */
export const ktorCookieValue: Transformer = {
  seal: encodeUrlParameter,
  unseal(token) {
    try {
      return { ok: true, text: decodeQueryComponent(token, true), stale: false };
    } catch {
      return { ok: false, reason: 'malformed' };
    }
  },
};
