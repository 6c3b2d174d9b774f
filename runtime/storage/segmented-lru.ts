import { RecencyList } from './recency-list.js';

/**
 * The share of `maxEntries` that keys used again may hold; the rest is the probation segment new keys
 * wait in. 80% is what segmented LRU is usually run with (Caffeine's main space, for one).
 */
const PROTECTED_SHARE = 0.8;

/**
 * The eviction order of the bounded storages (memory, directory): a segmented LRU (SLRU: Karedla, Love
 * and Wherry, 1994) over keys with a value each. A key starts on probation; used again (`promote`), it
 * moves to the protected segment, which holds at most 80% of `maxEntries` and sends its least recently
 * used key back to the most recent end of probation when full. The key evicted past `maxEntries` is
 * the one longest on probation, so keys added once and never used again, such as a flood of created
 * sessions, churn probation only and never push out the keys in use (security.md #64). Every method
 * is synchronous and O(1) amortised.
 *
 * @example
 * const order = new SegmentedLru<string>(10);
 * order.set('cart', 'v1');
 * order.promote('cart'); // read again: protected
 * order.takeOverflow();  // undefined until more than 10 keys are held
 */
export class SegmentedLru<V> {
  readonly #probation = new RecencyList<V>();
  readonly #protected = new RecencyList<V>();
  readonly #maxEntries: number;
  /** Rounded down, so past `maxEntries` probation holds at least the key just added and one before it. */
  readonly #protectedMax: number;

  constructor(maxEntries: number) {
    this.#maxEntries = maxEntries;
    this.#protectedMax = Math.floor(maxEntries * PROTECTED_SHARE);
  }

  get size(): number {
    return this.#probation.size + this.#protected.size;
  }

  get(key: string): V | undefined {
    // A key is in one segment at most, so a miss in protected is the answer of probation.
    const value = this.#protected.get(key);
    return value === undefined ? this.#probation.get(key) : value;
  }

  has(key: string): boolean {
    return this.#protected.has(key) || this.#probation.has(key);
  }

  /** Sets `key` to `value`: in its place when present, else as the newest key on probation. */
  set(key: string, value: V): void {
    (this.#protected.has(key) ? this.#protected : this.#probation).set(key, value);
  }

  /** Moves a present `key` to the most recent end of the protected segment; a missing key stays missing. */
  promote(key: string): void {
    if (this.#protected.has(key)) {
      this.#protected.use(key, this.#protected.get(key) as V);
      return;
    }
    if (!this.#probation.has(key)) return;
    this.#protected.use(key, this.#probation.get(key) as V);
    this.#probation.delete(key);
    if (this.#protected.size > this.#protectedMax) {
      const [demoted, value] = this.#protected.takeOldest()!;
      this.#probation.use(demoted, value);
    }
  }

  delete(key: string): boolean {
    return this.#protected.delete(key) || this.#probation.delete(key);
  }

  /** While more than `maxEntries` keys are held, removes and returns the one longest on probation. */
  takeOverflow(): [key: string, value: V] | undefined {
    return this.size > this.#maxEntries ? this.#probation.takeOldest() : undefined;
  }

  /** Every key, probation first; deleting while iterating is allowed. */
  *entries(): Generator<[key: string, value: V]> {
    yield* this.#probation.entries();
    yield* this.#protected.entries();
  }
}
