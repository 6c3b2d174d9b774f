import { lstatSync, mkdirSync, readdirSync, statSync, type Stats } from 'node:fs';
import { join, resolve } from 'node:path';
import { SessionConfigError } from '../errors.js';

/** A file that passed the checks of `openTrustedFolder`. */
export interface TrustedFile {
  readonly name: string;
  /** Epoch milliseconds of its last write, or of a sliding read's rewrite of its expiry. */
  readonly modifiedAt: number;
}

/**
 * Opens a directory storage's folder at startup, creating it with mode 0700 when it does not exist, and
 * refuses with a `SessionConfigError` naming the path and the fix a folder another user could write to
 * (owned by someone else, or writable by its group or others), and any file in it under a name the
 * storage uses (`owns`) that it did not write itself: another user's, writable by group or others, or
 * not a regular file (a symbolic link). Either way someone else could have planted a session to be
 * served (security.md #62). Synchronous, because it runs once in the storage's constructor: the refusal
 * comes from `installSessions()`, not as 503s on the first requests.
 *
 * Owners and modes are POSIX: where `process.getuid` does not exist (Windows), they are not checked.
 *
 * @example
 * const files = openTrustedFolder('.sessions', (name) => /^[0-9a-f]{64}$/.test(name));
 */
export function openTrustedFolder(path: string, owns: (name: string) => boolean): TrustedFile[] {
  const folder = resolve(path);
  const uid = process.getuid?.();
  const stats = atStartup(folder, () => {
    // Refuses a file in the way (EEXIST), so what it leaves is a folder.
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    return statSync(folder);
  });
  const problem = untrusted(stats, uid);
  if (problem !== undefined) {
    const fix = stats.uid === uid ? `run chmod 700 ${folder}` : `use a folder of this user's, or run chown ${uid} ${folder} && chmod 700 ${folder}`;
    throw new SessionConfigError(`DirectoryStorage: folder ${folder} ${problem}, so another user could plant or replace sessions in it; ${fix}`);
  }
  const files: TrustedFile[] = [];
  for (const name of atStartup(folder, () => readdirSync(folder))) {
    if (!owns(name)) continue;
    const file = join(folder, name);
    // Gone since the listing: another process sharing the folder removed it.
    const fileStats = atStartup(folder, () => lstatSync(file, { throwIfNoEntry: false }));
    if (fileStats === undefined) continue;
    const fileProblem = fileStats.isFile() ? untrusted(fileStats, uid) : 'is not a regular file';
    if (fileProblem !== undefined) {
      throw new SessionConfigError(
        `DirectoryStorage: ${file} ${fileProblem}, so it may have been planted to be served as a session; check it, remove it (rm ${file}) and start again`,
      );
    }
    files.push({ name, modifiedAt: fileStats.mtimeMs });
  }
  return files;
}

/** What makes `stats` writable by someone other than `uid`, or `undefined` when nothing does (or no `uid` to compare). */
function untrusted(stats: Stats, uid: number | undefined): string | undefined {
  if (uid === undefined) return undefined;
  if (stats.uid !== uid) return `belongs to uid ${stats.uid}, not to uid ${uid} that this process runs as`;
  const group = (stats.mode & 0o020) !== 0;
  const others = (stats.mode & 0o002) !== 0;
  if (!group && !others) return undefined;
  const who = group && others ? 'its group and others' : group ? 'its group' : 'others';
  return `is writable by ${who} (mode ${(stats.mode & 0o777).toString(8).padStart(3, '0')})`;
}

/** Runs a file-system call on `folder`; a failure (no permission, a file in the way) is a startup error. */
function atStartup<T>(folder: string, run: () => T): T {
  try {
    return run();
  } catch (error) {
    throw new SessionConfigError(
      `DirectoryStorage: cannot open the folder ${folder}: ${(error as Error).message}; point path at a folder this process may create and write`,
      { cause: error },
    );
  }
}
