/** Checks of the numbers a storage's constructor takes, each failing as a `SessionConfigError` that names the storage and the option. */
import { SessionConfigError } from '../errors.js';

/**
 * `maxEntries` of the storage `owner`, checked: a whole number of at least 1.
 *
 * @example
 * this.#maxEntries = checkMaxEntries('MemoryStorage', options.maxEntries);
 */
export function checkMaxEntries(owner: string, maxEntries: number): number {
  if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) {
    throw new SessionConfigError(`${owner}: maxEntries must be a whole number of at least 1, not ${maxEntries}`);
  }
  return maxEntries;
}

/**
 * A duration option of the storage `owner` in milliseconds, checked: finite and positive.
 *
 * @example
 * checkMilliseconds('RedisStorage', 'commandTimeoutMs', options.commandTimeoutMs ?? 1000);
 */
export function checkMilliseconds(owner: string, option: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw new SessionConfigError(`${owner}: ${option} must be a positive number of milliseconds, not ${value}`);
  }
  return value;
}
