/**
 * Generated files vs. the output folder: what `gen --check` reports and what `gen` writes. Only files
 * whose bytes differ are written, so timestamps (and watchers, and incremental builds) stay still.
 */
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { isGeneratedText } from './generated-header.js';
import type { GeneratedFiles } from './generate.js';

export type FileStatus =
  /** On disk with the same bytes. */
  | 'unchanged'
  /** On disk with different bytes. */
  | 'changed'
  /** Not on disk yet. */
  | 'missing'
  /** On disk with our header but no longer generated: a leftover of an earlier spec. */
  | 'extra';

export interface FileComparison {
  /** Relative to the output folder, `/`-separated. */
  readonly file: string;
  readonly status: FileStatus;
}

export interface OutputComparison {
  /** Every generated file and every stale generated file, generated ones first. */
  readonly files: readonly FileComparison[];
  /** Files in the output folder that typed-sessions did not write; never touched. */
  readonly foreign: readonly string[];
}

/**
 * @example
 * const { files } = await compareOutput('generated', await generate(model, options));
 * files.filter((entry) => entry.status !== 'unchanged'); // the drift `gen --check` reports
 */
export async function compareOutput(outDir: string, generated: GeneratedFiles): Promise<OutputComparison> {
  const onDisk = await listFiles(outDir);
  const files: FileComparison[] = [];
  for (const [file, text] of generated) {
    const current = onDisk.has(file) ? await readFile(join(outDir, file), 'utf8') : undefined;
    const status = current === undefined ? 'missing' : current === text ? 'unchanged' : 'changed';
    files.push({ file, status });
  }
  const foreign: string[] = [];
  for (const file of [...onDisk].filter((name) => !generated.has(name)).sort()) {
    if (isGeneratedText(await readFile(join(outDir, file), 'utf8'))) files.push({ file, status: 'extra' });
    else foreign.push(file);
  }
  return { files, foreign };
}

/**
 * Brings the output folder in line with a comparison: writes changed and missing files, deletes extra ones.
 *
 * @example
 * await applyOutput('generated', generated, await compareOutput('generated', generated));
 */
export async function applyOutput(
  outDir: string,
  generated: GeneratedFiles,
  comparison: OutputComparison,
): Promise<void> {
  for (const { file, status } of comparison.files) {
    const path = join(outDir, file);
    const text = generated.get(file);
    if (status === 'extra') await rm(path);
    else if (status !== 'unchanged' && text !== undefined) {
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, text);
    }
  }
}

/** Every file under `dir`, relative and `/`-separated; empty when `dir` does not exist yet. */
async function listFiles(dir: string): Promise<Set<string>> {
  try {
    const entries = await readdir(dir, { recursive: true, withFileTypes: true });
    return new Set(
      entries
        .filter((entry) => entry.isFile())
        .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/')),
    );
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Set();
    throw error;
  }
}
