/** `typed-sessions/directory`: sessions as files in a folder, one file per session. */
import type { DirectoryStorageDefinition } from './definition.js';
import { DirectoryStorage } from './storage/directory.js';
import type { StorageBuilder } from './storage/storage-builder.js';

// The storage.
export { DirectoryStorage, type DirectoryStorageOptions } from './storage/directory.js';

/**
 * `kind: directory` in sessions.yaml, its evictions reported to the middleware: what generated code passes as
 * `layers.directory`.
 *
 * @example
 * buildDirectoryStorage('files', { kind: 'directory', path: '.sessions', maxEntries: 10_000 }, setup);
 */
export const buildDirectoryStorage: StorageBuilder<DirectoryStorageDefinition> = (_name, { path, maxEntries }, { clock, onEvict }) =>
  new DirectoryStorage({ path, maxEntries, clock, onEvict });

