/**
 * Time as the runtime sees it. The clock is injectable (`installSessions({ clock })`) so tests move time
 * instead of sleeping; everything that expires (envelopes, cookies, memory storage) reads this one clock.
 */

/** Epoch milliseconds, like `Date.now`. */
export type Clock = () => number;

export const systemClock: Clock = Date.now;

/**
 * Whole seconds since the epoch: the unit of every timestamp inside an envelope and every TTL.
 *
 * @example
 * epochSeconds(() => 1_700_000_000_999); // 1700000000
 */
export function epochSeconds(clock: Clock): number {
  return Math.floor(clock() / 1000);
}
