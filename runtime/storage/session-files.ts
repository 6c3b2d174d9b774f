import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, opendir, readFile, rename, rm, stat, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock } from '../clock.js';
import type { FileLocks } from './file-lock.js';

/**
 * The files of `DirectoryStorage`'s folder (runtime/storage/directory.ts): their names, the header each
 * session file starts with, and what looks at the header alone: expiry checks, the in-place slide, the sweep;
 * and the folder itself, made again when missing.
 */

/**
 * Every file starts with a fixed-width header line: its expiry and its deadline (epoch milliseconds, 16
 * zero-padded digits each; a deadline of all nines means none) and its version (16 hex digits). The
 * fixed width lets a sliding read rewrite the expiry in place without touching the rest.
 */
const STAMP_DIGITS = 16;
const NO_DEADLINE = '9'.repeat(STAMP_DIGITS);
export const HEADER_LENGTH = 3 * (STAMP_DIGITS + 1);
const HEADER = /^(\d{16}) (\d{16}) ([0-9a-f]{16})\n/;

export interface Header {
  readonly expiresAt: number;
  /** `Infinity` for none. */
  readonly notAfter: number;
  readonly version: string;
}

/** Names this storage creates; `sweep` never removes anything else, even in a folder shared by mistake. */
export const SESSION_FILE = /^[0-9a-f]{64}$/;
export const INDEX_FILE = /^[0-9a-f]{64}\.index$/;
export const TEMP_FILE = /^[0-9a-f]{64}(?:\.index)?\.(?:[0-9a-f]{16}\.tmp|lock)$/;

/**
 * A temporary or lock file older than this was left by a crashed write: a live write renames its file
 * and drops its lock within milliseconds.
 */
const STALE_TEMP_MS = 60_000;

/** The file name for `key`: its SHA-256 in hex, so no key reaches outside the folder. */
export function nameFor(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** The file name for index `index`: its SHA-256 in hex, with an extension no session file has. */
export function indexNameFor(index: string): string {
  return `${nameFor(index)}.index`;
}

/** An index file's content: its member keys, and when it expires (the latest deadline a member joined with). */
export interface IndexFile {
  readonly expiresAt: number;
  readonly members: Set<string>;
}

/**
 * The index in `file` as of `now`: empty when there is no file, or it expired (every member's deadline
 * has passed), or it is not one this storage wrote whole.
 */
export async function readIndexFile(file: string, now: number): Promise<IndexFile> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    if (error instanceof SyntaxError || isMissing(error)) return { expiresAt: 0, members: new Set() };
    throw error;
  }
  const { expiresAt, members } = (parsed ?? {}) as { expiresAt?: unknown; members?: unknown };
  if (typeof expiresAt !== 'number' || expiresAt <= now || !Array.isArray(members)) return { expiresAt: 0, members: new Set() };
  return { expiresAt, members: new Set(members.filter((member): member is string => typeof member === 'string')) };
}

/** Replaces `file` with `index`, or removes it when no member is left. */
export async function writeIndexFile(file: string, index: IndexFile): Promise<void> {
  if (index.members.size === 0) await rm(file, { force: true });
  else await replaceFile(file, JSON.stringify({ expiresAt: index.expiresAt, members: [...index.members] }));
}

function formatStamp(epochMs: number): string {
  const digits = String(epochMs);
  if (!Number.isSafeInteger(epochMs) || digits.length > STAMP_DIGITS) {
    throw new RangeError(`DirectoryStorage: time ${epochMs} does not fit a ${STAMP_DIGITS}-digit stamp; use a shorter TTL`);
  }
  return digits.padStart(STAMP_DIGITS, '0');
}

/** A session file holding `value`, expiring at `expiresAt` and never living past `notAfter` (none when `undefined`), with a fresh version. */
export function sessionFileContent(expiresAt: number, notAfter: number | undefined, value: string): string {
  const deadline = notAfter === undefined ? NO_DEADLINE : formatStamp(notAfter);
  return `${formatStamp(expiresAt)} ${deadline} ${randomBytes(8).toString('hex')}\n${value}`;
}

/**
 * Writes `content` to a temporary file beside `file`, then renames it over `file`: a reader sees the old
 * content or the new, never a torn file (rename is atomic within one file system, POSIX).
 */
export async function replaceFile(file: string, content: string): Promise<void> {
  const temp = `${file}.${randomBytes(8).toString('hex')}.tmp`;
  try {
    await writeFile(temp, content, { mode: 0o600, flag: 'wx' });
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** The header at the start of `content`, or `undefined` when the file is not one this storage wrote whole. */
export function parseHeader(content: string): Header | undefined {
  const match = HEADER.exec(content);
  if (match === null) return undefined;
  return { expiresAt: Number(match[1]), notAfter: match[2] === NO_DEADLINE ? Infinity : Number(match[2]), version: match[3]! };
}

async function readHeader(handle: FileHandle): Promise<Header | undefined> {
  const { buffer, bytesRead } = await handle.read(Buffer.alloc(HEADER_LENGTH), 0, HEADER_LENGTH, 0);
  return parseHeader(buffer.toString('latin1', 0, bytesRead));
}

/** The header of `file`: `undefined` when the file has none this storage wrote whole, `'missing'` when there is no file. */
export function readFileHeader(file: string): Promise<Header | undefined | 'missing'> {
  return withFile(file, 'r', readHeader);
}

/** `use`'s result on `file` opened with `flags`, closed afterwards; `'missing'` when there is no file. */
async function withFile<T>(file: string, flags: 'r' | 'r+', use: (handle: FileHandle) => Promise<T>): Promise<T | 'missing'> {
  let handle: FileHandle;
  try {
    handle = await open(file, flags);
  } catch (error) {
    if (isMissing(error)) return 'missing';
    throw error;
  }
  try {
    return await use(handle);
  } finally {
    await handle.close();
  }
}

/** A file without a valid header counts as expired: it cannot be served, so it is only clutter. */
async function isExpired(file: string, now: number): Promise<boolean> {
  const header = await readFileHeader(file);
  return header !== 'missing' && (header === undefined || header.expiresAt <= now);
}

async function isStaleTemp(file: string, now: number): Promise<boolean> {
  try {
    return (await stat(file)).mtimeMs < now - STALE_TEMP_MS;
  } catch (error) {
    if (isMissing(error)) return false;
    throw error;
  }
}

/**
 * Removes from `folder` the session files that are expired or broken and the temporary files crashed writes
 * left, calling `removed` with each name, and the index files `removeIndex` (which takes the index's lock)
 * resolves to have removed; resolves to how many it removed. Files of other names are left alone. Removals
 * are idempotent, so sweeps may overlap.
 */
export async function removeDeadFiles(
  folder: string,
  now: number,
  removed: (name: string) => void,
  removeIndex: (name: string) => Promise<boolean>,
): Promise<number> {
  let count = 0;
  try {
    for await (const entry of await opendir(folder)) {
      if (!entry.isFile()) continue;
      if (INDEX_FILE.test(entry.name)) {
        if (await removeIndex(entry.name)) count++;
        continue;
      }
      const file = join(folder, entry.name);
      const remove = SESSION_FILE.test(entry.name)
        ? await isExpired(file, now)
        : TEMP_FILE.test(entry.name) && (await isStaleTemp(file, now));
      if (remove) {
        await rm(file, { force: true });
        removed(entry.name);
        count++;
      }
    }
  } catch (error) {
    if (!isMissing(error)) throw error;
  }
  return count;
}

export function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

/** What the parts of `DirectoryStorage` share: its folder, its clock and the locks every step on a file holds. */
export interface DirectoryFolder {
  readonly path: string;
  readonly clock: Clock;
  readonly locks: FileLocks;
}

/** Every time, not once: a folder removed under a running app (a cleanup job) comes back. It costs one syscall. */
export async function makeFolder(path: string): Promise<void> {
  await mkdir(path, { recursive: true, mode: 0o700 });
}

/** `run`'s result, or `noFolder` when the folder is missing: nothing to delete, list or revoke, and no version to match. */
export async function inFolder<T>(noFolder: T, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (isMissing(error)) return noFolder;
    throw error;
  }
}

/**
 * Moves the expiry of `file` to `ttlMs` from `now`, never past its deadline, rewriting only the stamp in
 * place through an open handle, and only when that moves it later by `touchAfterMs` or more. Unlike reading
 * the value and writing it back, this cannot bring back a session that was removed meanwhile: the handle
 * then points at the unlinked file (security.md #50). Resolves to the expiry the file now has (at or before
 * `now` when the deadline has passed: the file is to be removed, and is left unchanged), `undefined` when
 * the file holds no live session (an expired session stays dead: sliding it must not revive it), or
 * `'missing'` when there is no file.
 */
export function slideExpiry(file: string, ttlMs: number, touchAfterMs: number, now: number): Promise<number | undefined | 'missing'> {
  return withFile(file, 'r+', async (handle) => {
    const header = await readHeader(handle);
    if (header === undefined || header.expiresAt <= now) return undefined;
    const expiresAt = Math.min(now + ttlMs, header.notAfter);
    if (expiresAt <= now) return expiresAt;
    if (expiresAt - header.expiresAt < touchAfterMs) return header.expiresAt;
    await handle.write(formatStamp(expiresAt), 0, 'latin1');
    return expiresAt;
  });
}
