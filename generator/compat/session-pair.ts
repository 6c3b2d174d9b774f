/**
 * What every comparison of one session across two specs reads (compare-specs.ts, compare-per-user.ts): the
 * session in each spec with the spec around it, and how a finding names a duration or a storage.
 */
import type { StorageDefinition } from 'typed-sessions/rules';
import type { SessionNode, SpecModel } from '../model.js';
import type { SpecPath } from '../spec-path.js';
import type { FindingSink } from './finding.js';

/** One session as the old spec and the new one declare it. */
export interface SessionPair {
  readonly sink: FindingSink;
  readonly before: SpecModel;
  readonly after: SpecModel;
  readonly old: SessionNode;
  readonly now: SessionNode;
  /** `sessions.NAME`, the same in both specs. */
  readonly at: SpecPath;
}

/**
 * Where a storage keeps what it holds, without its name: two storages of the same place hold the same keys.
 * By value (no storage) is a place of its own.
 *
 * @example
 * storagePlace({ kind: 'redis', url: { env: 'REDIS_URL' }, prefix: 'sess:' }); // { kind: 'redis', url: {...}, prefix: 'sess:' }
 */
export function storagePlace(storage: StorageDefinition | undefined): { readonly prefix?: string } & Record<string, unknown> {
  if (storage === undefined) return { byValue: true };
  if (storage.kind === 'redis') return { kind: storage.kind, url: storage.url, prefix: storage.prefix };
  if (storage.kind === 'directory') return { kind: storage.kind, path: storage.path };
  return { kind: storage.kind };
}

/** `"redis" (redis)`, or `none (by value)`. */
export function describeStorage(name: string | undefined, storage: StorageDefinition | undefined): string {
  return name === undefined || storage === undefined ? 'none (by value)' : `"${name}" (${storage.kind})`;
}

/** Seconds in the largest unit that holds them whole, as a spec writes durations: `7d`, `90m`. */
export function duration(seconds: number): string {
  const [unit, size] = DURATION_UNITS.find(([, candidate]) => seconds % candidate === 0) ?? ['s', 1];
  return `${seconds / size}${unit}`;
}

const DURATION_UNITS: readonly (readonly [string, number])[] = [['d', 86_400], ['h', 3600], ['m', 60], ['s', 1]];
