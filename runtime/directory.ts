/** `typed-sessions/directory`: sessions as files in a folder, one file per session. */

// The storage.
export { DirectoryStorage, type DirectoryStorageOptions } from './storage/directory.js';

// What generated code passes as `layers.directory` for a spec with a `kind: directory` storage.
export { buildDirectoryStorage } from './storage/directory.js';
