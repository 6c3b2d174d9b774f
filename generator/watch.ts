/**
 * `typed-sessions gen --watch`: generate, then again after every save of the spec or of a serializer module
 * it names, one timestamped line per result, until SIGINT (Ctrl-C) or SIGTERM. A bad spec or an output
 * folder that cannot be written is reported and waited out; the spec is read afresh each time, so the
 * watched modules follow it.
 */
import { dirname, resolve } from 'node:path';
import type { CliIo } from './cli-io.js';
import { foreignFileWarning, GEN_VERBS, outputPaths, plural, upToDate } from './cli-text.js';
import { isPackageName, sourceFilesOf } from './emit/imports.js';
import { formatSpecErrors, formatSpecWarnings } from './format-errors.js';
import { generate } from './generate.js';
import type { SpecModel } from './model.js';
import { applyOutput, compareOutput } from './output.js';
import { loadSpecFile } from './spec.js';
import { watchSaves, type SaveWatcher } from './watch-files.js';

export interface WatchTarget {
  /** `--spec` as written, relative to `io.cwd`. */
  readonly specArg: string;
  /** `--out` as written, relative to `io.cwd`. */
  readonly outArg: string;
}

/**
 * Runs until the process is asked to stop, then closes its watches and returns 0.
 *
 * @example
 * process.exitCode = await watchGen({ specArg: 'sessions.yaml', outArg: 'generated' }, io);
 * // 12:01:02 sessions.yaml: wrote generated/index.ts
 */
export async function watchGen(target: WatchTarget, io: CliIo): Promise<number> {
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  // `once`: a second Ctrl-C during a slow last generation gets Node's default, an immediate exit.
  process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
  const saves = watchSaves({
    onUnwatchable: (folder, error) => io.err(`warning: cannot watch ${folder}, saves there go unnoticed: ${error.message}`),
  });
  try {
    // Armed before the first read, so a save during the first generation is not missed.
    saves.watch([resolve(io.cwd, target.specArg)]);
    while (!stop.signal.aborted) {
      await regenerate(target, io, saves);
      await saves.settled(stop.signal);
    }
  } finally {
    saves.close();
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
  }
  return 0;
}

/** One generation, reported in one line; the files to watch are set before the line is printed. */
async function regenerate({ specArg, outArg }: WatchTarget, io: CliIo, saves: SaveWatcher): Promise<void> {
  const report = (result: string): void => io.out(`${new Date().toTimeString().slice(0, 8)} ${specArg}: ${result}`);
  const specPath = resolve(io.cwd, specArg);
  const loaded = await loadSpecFile(specPath, specArg);
  if (!loaded.ok) {
    saves.watch([specPath]);
    report(plural(loaded.errors.length, 'error'));
    io.err(formatSpecErrors(loaded.errors, loaded.source));
    return;
  }
  const specDir = dirname(specPath);
  saves.watch([specPath, ...serializerFiles(loaded.model, specDir)]);
  const outDir = resolve(io.cwd, outArg);
  const out = outputPaths(outArg);
  try {
    const files = await generate(loaded.model, { specDir, outDir });
    const comparison = await compareOutput(outDir, files);
    await applyOutput(outDir, files, comparison);
    const drift = comparison.files.filter((entry) => entry.status !== 'unchanged');
    report(
      drift.length === 0
        ? upToDate(out, files.size)
        : drift.map(({ file, status }) => `${GEN_VERBS[status]} ${out.file(file)}`).join(', '),
    );
    for (const file of comparison.foreign) io.err(foreignFileWarning(out, file));
  } catch (error) {
    // A file system failure (permissions, --out naming a file): Node's message names the path and the call.
    if (!(error instanceof Error && 'syscall' in error)) throw error;
    report(error.message);
  }
  if (loaded.warnings.length > 0) io.err(formatSpecWarnings(loaded.warnings, loaded.source));
}

/** The app's serializer modules, with the TypeScript sources of compiled names; packages are not the app's to save. */
function serializerFiles(model: SpecModel, specDir: string): string[] {
  return model.sessions.flatMap(({ serializer }) =>
    serializer !== undefined && !isPackageName(serializer.module)
      ? sourceFilesOf(resolve(specDir, serializer.module))
      : [],
  );
}
