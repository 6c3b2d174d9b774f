import type { Clock } from '../clock.js';
import type { StorageDefinition } from '../definition.js';
import type { Storage } from './storage.js';

/** What building a storage declared in sessions.yaml is given besides its name and declaration. */
export interface StorageSetup {
  readonly clock: Clock;
  /** Where a URL the spec names by environment variable is read from. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Called once per entry the storage evicts to stay within `maxEntries`. */
  readonly onEvict: () => void;
}

/** Builds the storage `name` declared in sessions.yaml; throws `SessionConfigError` if it cannot. */
export type StorageBuilder<D extends StorageDefinition> = (name: string, declared: D, setup: StorageSetup) => Storage;
