import type { Unsealed } from './transformer.js';

/** What a token that verified opens to. */
export type OpenedToken = Extract<Unsealed, { ok: true }>;

/**
 * Characters of token and text each transformer keeps (about 2 MiB of memory when full, with each entry's
 * own overhead): the last 6,000 or so tokens of a typical session (about 160 characters each), the ones its
 * clients are presenting now. A generation is half of it, and a client that keeps presenting one token
 * while each request seals a new one (it ignores `Set-Cookie`) costs two entries per turn: about 1,500
 * such clients at once still open from memory.
 */
export const VERIFIED_TOKENS_BUDGET = 1024 * 1024;

/**
 * The tokens one transformer verified or sealed lately, with what they open to. A token seen again (every
 * read of a cookie that did not change, and the request after a write, which presents the token that write
 * sealed) costs a Map lookup instead of its MAC or AES-GCM operation.
 *
 * Nothing is trusted that was not verified: only tokens that opened, or that this transformer sealed itself,
 * are kept, under their exact text, so a token with any character changed misses and is checked in full.
 * Keys never change once a transformer is made (a new key ring means a restart), so an entry stays true for
 * as long as it is kept. Expiry is not cached: it is read from the envelope inside the text on every request.
 *
 * Bounded by the characters it holds, in two generations of half the budget each: entries go into the
 * young one; when it is full it becomes the old one and the old one is dropped whole, and a token found in
 * the old generation moves back into the young one. Tokens in use stay; dropping costs nothing per entry
 * (deleting a Map's oldest entries one by one leaves holes every later walk from the start steps over).
 *
 * @example
 * const verified = new VerifiedTokens(VERIFIED_TOKENS_BUDGET);
 * verified.remember(token, { ok: true, text, stale: false });
 * verified.get(token); // { ok: true, text, stale: false }
 */
export class VerifiedTokens {
  #young = new Map<string, OpenedToken>();
  #old = new Map<string, OpenedToken>();
  /** Characters of token and text in each generation. */
  #youngCharacters = 0;
  #oldCharacters = 0;

  constructor(readonly budget: number) {}

  get(token: string): OpenedToken | undefined {
    const young = this.#young.get(token);
    if (young !== undefined) return young;
    const old = this.#old.get(token);
    if (old !== undefined) this.#promote(token, old);
    return old;
  }

  /**
   * Keeps `token` and what it opens to, unless it alone would take more than a 64th of the budget. `token`
   * is held as given: pass a string of its own, never a slice of a longer one (a `Cookie` header), which V8
   * would keep alive whole.
   */
  remember(token: string, opened: OpenedToken): void {
    if ((token.length + opened.text.length) * 64 > this.budget || this.#young.has(token)) return;
    const old = this.#old.get(token);
    if (old !== undefined) this.#promote(token, old);
    else this.#add(token, opened);
  }

  /** Entries held now. */
  get size(): number {
    return this.#young.size + this.#old.size;
  }

  /** Characters of tokens and texts held now: at most the budget. */
  get characters(): number {
    return this.#youngCharacters + this.#oldCharacters;
  }

  /** Every entry held, young generation first, without moving any: for tests and diagnostics. */
  entries(): [string, OpenedToken][] {
    return [...this.#young, ...this.#old];
  }

  #promote(token: string, opened: OpenedToken): void {
    this.#old.delete(token);
    this.#oldCharacters -= token.length + opened.text.length;
    this.#add(token, opened);
  }

  #add(token: string, opened: OpenedToken): void {
    const size = token.length + opened.text.length;
    if (this.#youngCharacters + size > this.budget / 2) {
      this.#old = this.#young;
      this.#oldCharacters = this.#youngCharacters;
      this.#young = new Map();
      this.#youngCharacters = 0;
    }
    this.#young.set(token, opened);
    this.#youngCharacters += size;
  }
}
