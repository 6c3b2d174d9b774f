import type { ExpiryDefinition } from '../definition.js';
import { SessionTooLargeError, SessionUsageError } from '../errors.js';
import { Lifetime } from '../lifetime.js';
import { TransformChain } from '../transform/transform-chain.js';
import type { Transformer } from '../transform/transformer.js';
import type { Transport } from '../transport/transport.js';
import type { IncomingSession, OpenText } from './incoming.js';
import { SessionSlot } from './slot.js';
import type { SlotSession } from './slot-session.js';
import type { Tracker } from './tracker.js';

/**
 * The session travels whole in its token: the envelope sealed by the session's transformers (Ktor's
 * `SessionTrackerByValue`). Its idle clock is the sealed last-seen time, slid by re-sending the session.
 */
export class ByValueTracker implements Tracker {
  readonly lifetime: Lifetime;
  readonly opensOnAccess = true;
  readonly #chain: TransformChain;

  /**
   * `transformers` may be empty only for a session written out as `insecure: true`; its envelope then
   * travels as plain base64url, readable and forgeable by the client.
   */
  constructor(
    readonly session: string,
    transformers: readonly Transformer[],
    readonly transport: Transport,
    expiry: ExpiryDefinition,
  ) {
    this.lifetime = new Lifetime(expiry, 'sealed');
    this.#chain = new TransformChain(transformers.length > 0 ? transformers : [base64urlEncoding]);
  }

  load<T>(token: string, open: OpenText<T>): IncomingSession<T> {
    const opened = this.#chain.unseal(token);
    return opened.ok ? open(opened, 'token') : { ok: false, reason: opened.reason, source: 'token' };
  }

  /** Seals the envelope into the token. */
  stage(text: string): string {
    const token = this.#chain.seal(text);
    if (token.length > this.transport.maxTokenLength) {
      const overhead = this.transport.outgoingLimit - this.transport.maxTokenLength;
      throw new SessionTooLargeError(this.session, token.length + overhead, this.transport.outgoingLimit);
    }
    return token;
  }

  createSlot(session: SlotSession): SessionSlot {
    return new ByValueSlot(session);
  }
}

/** A by-value session during one request: nothing is stored, the token is all there is. */
class ByValueSlot extends SessionSlot {
  /** Refused whether or not the response is committed: by value there is never an id to regenerate. */
  regenerate(): never {
    throw new SessionUsageError(`session "${this.session.name}" travels by value; regenerate() is for sessions tracked by id (storage: in sessions.yaml)`);
  }

  /** A refresh re-seals the envelope with its last-seen time moved to now: that slides the sealed idle clock. */
  protected store(now: number): undefined {
    if (this.refresh !== undefined && this.loaded !== undefined) this.staged = this.session.repack(this.loaded.envelope, now);
    return undefined;
  }

  protected token(): string {
    return this.staged;
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
