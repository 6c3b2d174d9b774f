import type { WriteOptions } from './storage.js';

/** A storage write's precondition, one of three, as each storage implementation checks it. */
export type WriteCondition =
  | { readonly kind: 'always' }
  /** Creation: no live entry may hold the key. */
  | { readonly kind: 'absent' }
  /** Update: the live entry must still have `version`. */
  | { readonly kind: 'version'; readonly version: string };

const ALWAYS: WriteCondition = { kind: 'always' };
const ABSENT: WriteCondition = { kind: 'absent' };

/**
 * The one condition `options` asks for. Both `ifAbsent` and `ifVersion` contradict each other (no entry,
 * and an entry of that version): a caller bug, refused rather than resolved by a silent precedence.
 *
 * @example
 * writeCondition({ ifVersion: entry.version }); // { kind: 'version', version: entry.version }
 */
export function writeCondition(options: WriteOptions | undefined): WriteCondition {
  if (options?.ifAbsent === true && options.ifVersion !== undefined) {
    throw new RangeError('storage write: ifAbsent and ifVersion exclude each other; pass one');
  }
  if (options?.ifAbsent === true) return ABSENT;
  return options?.ifVersion === undefined ? ALWAYS : { kind: 'version', version: options.ifVersion };
}

/**
 * Whether a key whose live entry has `current` version (`undefined`: none) may be written.
 *
 * @example
 * conditionHolds({ kind: 'absent' }, undefined); // true
 */
export function conditionHolds(condition: WriteCondition, current: string | undefined): boolean {
  switch (condition.kind) {
    case 'always':
      return true;
    case 'absent':
      return current === undefined;
    case 'version':
      return current === condition.version;
  }
}
