/**
 * Keys with their values, ordered from the least to the most recently used, for storages that evict by
 * recency (memory's segments, the directory's file index). Every method is synchronous and O(1)
 * amortised, `takeOldest` included, however many keys were deleted before it.
 *
 * @example
 * const list = new RecencyList<number>();
 * list.use('a', 1);
 * list.use('b', 2);
 * list.use('a', 1);
 * list.takeOldest(); // ['b', 2]
 */
export class RecencyList<V> {
  /** A `Map` keeps insertion order, so re-inserting a key on use moves it to the most recent end. */
  readonly #entries = new Map<string, V>();
  /** Walks the entries from the least recently used on; see `takeOldest`. */
  #cursor: MapIterator<[string, V]> | undefined = undefined;

  get size(): number {
    return this.#entries.size;
  }

  /** The value under `key`, leaving its place in the order as it is. */
  get(key: string): V | undefined {
    return this.#entries.get(key);
  }

  has(key: string): boolean {
    return this.#entries.has(key);
  }

  /** Sets `key` to `value` as the most recently used. */
  use(key: string, value: V): void {
    this.#entries.delete(key);
    this.#entries.set(key, value);
  }

  /** Sets `key` to `value`: in its place when present, else as the most recently used. */
  set(key: string, value: V): void {
    this.#entries.set(key, value);
  }

  delete(key: string): boolean {
    return this.#entries.delete(key);
  }

  /**
   * Removes and returns the least recently used entry. A `Map` leaves a hole where an entry was deleted
   * until it rehashes, and a fresh iterator skips every hole at the front: taking `keys().next()` each
   * time would cost more and more under a flood (security.md #53). One iterator kept across calls passes
   * each hole once; entries moved to the end on use, or added, are still ahead of it, in order.
   */
  takeOldest(): [key: string, value: V] | undefined {
    let oldest = this.#cursor?.next();
    if (oldest === undefined || oldest.done === true) {
      this.#cursor = this.#entries.entries();
      oldest = this.#cursor.next();
    }
    if (oldest.done === true) return undefined;
    this.#entries.delete(oldest.value[0]);
    return oldest.value;
  }

  /** Every entry, least recently used first; deleting while iterating is allowed. */
  entries(): MapIterator<[string, V]> {
    return this.#entries.entries();
  }
}
