/**
 * Notices saves of a set of files, one notice per burst of events. Each file's folder is watched rather
 * than the file: editors save by writing a new file and renaming it over the old one, which leaves a watch
 * on the file itself attached to the replaced inode and deaf to every later save, while the folder reports
 * the rename under the file's name. For the same reason a file that is briefly gone is seen when it is back.
 */
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';

export interface SaveWatcher {
  /** Watches exactly these files (absolute paths) from now on; folders no longer needed are let go. */
  watch(files: Iterable<string>): void;
  /**
   * Resolves once a burst of events on the watched files has been quiet for `quietMs`, at once if one
   * settled since the last call, or when `signal` aborts.
   */
  settled(signal: AbortSignal): Promise<void>;
  /** Closes every folder watch, so nothing keeps the process alive. */
  close(): void;
}

export interface SaveWatcherOptions {
  /**
   * How long the events of one save may be spread (default 200 ms): a write is a truncate and one or more
   * writes, and a read in between would see half a file.
   */
  readonly quietMs?: number;
  /**
   * A folder that cannot be watched (it does not exist, no permission): saves in it go unnoticed. Told once
   * while the folder stays wanted and unwatchable; each `watch()` tries it again.
   */
  readonly onUnwatchable: (folder: string, error: Error) => void;
}

/**
 * @example
 * const saves = watchSaves({ onUnwatchable: (folder, error) => console.error(folder, error.message) });
 * saves.watch(['/app/sessions.yaml']);
 * await saves.settled(signal); // the spec was saved, or signal aborted
 * saves.close();
 */
export function watchSaves({ quietMs = 200, onUnwatchable }: SaveWatcherOptions): SaveWatcher {
  const folders = new Map<string, { watcher: FSWatcher; names: Set<string> }>();
  const unwatchable = new Set<string>();
  let quiet: NodeJS.Timeout | undefined;
  let due = false;
  let wake: (() => void) | undefined;

  const noticeSave = (): void => {
    clearTimeout(quiet);
    quiet = setTimeout(() => {
      due = true;
      wake?.();
    }, quietMs);
  };

  const watchFolder = (folder: string, names: Set<string>): void => {
    let watcher: FSWatcher;
    try {
      // A null file name (platforms that do not report it) could be any file, so it counts as a save.
      watcher = watch(folder, (_event, name) => {
        if (name === null || folders.get(folder)?.names.has(name) === true) noticeSave();
      });
    } catch (error) {
      if (!unwatchable.has(folder)) onUnwatchable(folder, error as Error);
      unwatchable.add(folder);
      return;
    }
    unwatchable.delete(folder);
    // The folder went away or its watch broke: drop it, and let the next watch() try again.
    watcher.on('error', () => {
      watcher.close();
      folders.delete(folder);
      noticeSave();
    });
    folders.set(folder, { watcher, names });
  };

  return {
    watch(files) {
      const wanted = new Map<string, Set<string>>();
      for (const file of files) {
        const names = wanted.get(dirname(file)) ?? new Set();
        wanted.set(dirname(file), names.add(basename(file)));
      }
      for (const [folder, { watcher }] of folders) {
        if (wanted.has(folder)) continue;
        watcher.close();
        folders.delete(folder);
      }
      for (const folder of unwatchable) if (!wanted.has(folder)) unwatchable.delete(folder);
      for (const [folder, names] of wanted) {
        const current = folders.get(folder);
        if (current === undefined) watchFolder(folder, names);
        else current.names = names;
      }
    },
    settled(signal) {
      return new Promise((resolve) => {
        const done = (): void => {
          due = false;
          wake = undefined;
          signal.removeEventListener('abort', done);
          resolve();
        };
        if (due || signal.aborted) return done();
        wake = done;
        signal.addEventListener('abort', done);
      });
    },
    close() {
      clearTimeout(quiet);
      for (const { watcher } of folders.values()) watcher.close();
      folders.clear();
    },
  };
}
