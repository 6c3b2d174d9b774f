import type { Transformer, Unsealed } from './transformer.js';

/**
 * A session's transformers as one: applied in spec order on write, undone in reverse on read (Ktor's
 * `transformWrite`/`transformRead`). The result is stale when any layer was opened with an older key.
 *
 * @example
 * const chain = new TransformChain([signer, encrypter]);
 * chain.unseal(chain.seal('text')); // { ok: true, text: 'text', stale: false }
 */
export class TransformChain {
  constructor(readonly transformers: readonly Transformer[]) {}

  seal(text: string): string {
    let token = text;
    for (const transformer of this.transformers) token = transformer.seal(token);
    return token;
  }

  unseal(token: string): Unsealed {
    let text = token;
    let stale = false;
    for (let index = this.transformers.length - 1; index >= 0; index -= 1) {
      const opened = this.transformers[index]!.unseal(text);
      if (!opened.ok) return opened;
      text = opened.text;
      stale ||= opened.stale;
    }
    return { ok: true, text, stale };
  }
}
