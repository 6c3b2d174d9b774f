/**
 * Payloads read from `ctx.sessions` are the session's state, not a copy to edit: a change made in place
 * would never be written (only `set` and `update` write). The generated payload types are read-only at
 * every depth, so TypeScript refuses such a change; outside production the values are frozen as well, so
 * plain JavaScript fails loudly instead of losing it. `update` hands its recipe a `Draft`: a copy to edit.
 */

/**
 * `T` with every property and element writable, at every depth: what an `update` recipe edits.
 *
 * @example
 * const draft: Draft<{ readonly items: readonly string[] }> = { items: [] };
 * draft.items.push('a');
 */
export type Draft<T> = T extends (...args: never[]) => unknown
  ? T
  : T extends readonly (infer E)[]
    ? Draft<E>[]
    : T extends object
      ? { -readonly [P in keyof T]: Draft<T[P]> }
      : T;

/**
 * Freezes `value` and every object and array inside it, in place, and returns it.
 *
 * @example
 * const cart = deepFreeze({ items: [{ sku: 'a' }] });
 * cart.items.push({ sku: 'b' }); // TypeError: Cannot add property 1, object is not extensible
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  Object.freeze(value);
  for (const key of Reflect.ownKeys(value)) deepFreeze((value as Record<PropertyKey, unknown>)[key]);
  return value;
}
