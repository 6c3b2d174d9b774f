/**
 * The generator's front half, as one entry: spec text or file -> the model, or every error at once, each
 * with `FILE:LINE:COL`. Stages: load (YAML with positions) -> validate (spec-schema.json and the
 * semantic rules) -> normalize.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { loadYaml, type SpecSource } from './load.js';
import type { SpecModel } from './model.js';
import { normalizeSpec } from './normalize.js';
import { orderSpecErrors, type SpecError, type SpecWarning } from './spec-error.js';
import { validateSpec } from './validate.js';

/**
 * `source` is the spec text, for code frames (`formatSpecErrors`, `formatSpecWarnings`); empty when the file
 * could not be read. A valid spec can still carry `warnings`: settings accepted as written, with their risk,
 * and `positions`: where it wrote each value, for what compares two specs (compat/compare-specs.ts).
 */
export type LoadResult =
  | { readonly ok: true; readonly model: SpecModel; readonly warnings: SpecWarning[]; readonly source: string; readonly positions: SpecSource }
  | { readonly ok: false; readonly errors: SpecError[]; readonly source: string };

/**
 * Validates and normalizes spec text. Errors come sorted by position, each once.
 *
 * @example
 * const result = loadSpecText('version: 1\nsessions: {}\n', 'sessions.yaml');
 * if (!result.ok) console.error(formatSpecErrors(result.errors, result.source));
 */
export function loadSpecText(text: string, file: string): LoadResult {
  const loaded = loadYaml(text, file);
  if (!loaded.ok) return { ok: false, errors: orderSpecErrors(loaded.errors), source: text };
  const validated = validateSpec(loaded.source);
  if (!validated.ok) return { ok: false, errors: validated.errors, source: text };
  return { ok: true, model: normalizeSpec(validated.document, basename(file)), warnings: validated.warnings, source: text, positions: loaded.source };
}

/**
 * Reads, validates and normalizes a spec file. `displayPath` (default `path`) names the file in messages.
 *
 * @example
 * const result = await loadSpecFile('/app/sessions.yaml', 'sessions.yaml');
 * if (result.ok) await generate(result.model, { specDir: '/app', outDir: '/app/generated' });
 */
export async function loadSpecFile(path: string, displayPath: string = path): Promise<LoadResult> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    return { ok: false, errors: [{ file: displayPath, line: 1, col: 1, message: readFailure(error as NodeJS.ErrnoException) }], source: '' };
  }
  return loadSpecText(text, displayPath);
}

function readFailure(error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case 'ENOENT':
      return 'cannot read the spec: no such file; create it, or pass its path with --spec';
    case 'EISDIR':
      return 'cannot read the spec: it is a directory; pass the YAML file itself with --spec';
    case 'EACCES':
    case 'EPERM':
      return 'cannot read the spec: permission denied; check the file permissions';
    default:
      return `cannot read the spec: ${error.message}`;
  }
}
