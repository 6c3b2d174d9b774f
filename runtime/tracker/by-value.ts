import { SessionTooLargeError } from '../errors.js';
import type { Transformer } from '../transform/transformer.js';
import type { Transport } from '../transport/transport.js';
import { TransformChain } from './transform-chain.js';
import type { Resolved, Tracker } from './tracker.js';

/**
 * The session travels whole in its token: the envelope sealed by the session's transformers (Ktor's
 * `SessionTrackerByValue`).
 */
export class ByValueTracker implements Tracker {
  readonly byId = false;
  readonly #chain: TransformChain;

  /**
   * `transformers` may be empty only for a session written out as `insecure: true`; its envelope then
   * travels as plain base64url, readable and forgeable by the client.
   */
  constructor(
    readonly session: string,
    transformers: readonly Transformer[],
    readonly transport: Transport,
  ) {
    this.#chain = new TransformChain(transformers.length > 0 ? transformers : [base64urlEncoding]);
  }

  resolve(token: string): Resolved {
    const opened = this.#chain.unseal(token);
    return opened.ok ? opened : { ok: false, reason: opened.reason, source: 'token' };
  }

  pack(text: string): string {
    const token = this.#chain.seal(text);
    if (token.length > this.transport.maxTokenLength) {
      const overhead = this.transport.outgoingLimit - this.transport.maxTokenLength;
      throw new SessionTooLargeError(this.session, token.length + overhead, this.transport.outgoingLimit);
    }
    return token;
  }
}

/** Keeps an unsealed envelope within the token alphabet (cookies and headers need no quoting then). */
const base64urlEncoding: Transformer = {
  seal: (text) => Buffer.from(text, 'utf8').toString('base64url'),
  unseal(token) {
    const bytes = Buffer.from(token, 'base64url');
    // Buffer's decoder skips what it cannot read; only the canonical encoding of the bytes is accepted.
    return bytes.toString('base64url') === token
      ? { ok: true, text: bytes.toString('utf8'), stale: false }
      : { ok: false, reason: 'malformed' };
  },
};
