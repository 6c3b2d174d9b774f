/**
 * A transformer turns a string into a cookie-safe token and back (Ktor's `SessionTransportTransformer`).
 * Transformers are applied in spec order on write and undone in reverse order on read.
 */

/** Why a token was refused; becomes the reason code of the rejection event. */
export type RejectReason = 'malformed' | 'tampered' | 'unknown_key';

export type Unsealed =
  | { readonly ok: true; readonly text: string; /** Sealed under an older key: re-seal with the newest. */ readonly stale: boolean }
  | { readonly ok: false; readonly reason: RejectReason };

export interface Transformer {
  /**
   * Seals `text` under the newest key. This library's transforms return base64url (safe in cookies and
   * headers); Ktor's (runtime/ktor/) return Ktor's text, which the session's last step encodes as Ktor does.
   */
  seal(text: string): string;
  /** Verifies and opens a token; never throws on bad input. */
  unseal(token: string): Unsealed;
}
