/**
 * Spec errors and warnings for people: `FILE:LINE:COL: message`, each with a short code frame, like compilers print.
 */
import { orderSpecErrors, type SpecError, type SpecWarning } from './spec-error.js';

/**
 * Every error with the line before it, its line and a caret under its column, then a count. No trailing
 * newline: print it as one line would be printed.
 *
 * @example
 * formatSpecErrors(result.errors, result.source);
 * // sessions.yaml:12:16: sessions.user.transport must be "cookie" or "header" (got "cokie")
 * //   11 |   user:
 * // > 12 |     transport: cokie
 * //      |                ^
 * //
 * // 1 error in sessions.yaml
 */
export function formatSpecErrors(errors: readonly SpecError[], source: string): string {
  return formatDiagnostics(errors, source, 'error');
}

/**
 * The warnings of a valid spec, as `formatSpecErrors` prints errors, each marked `warning:`.
 *
 * @example
 * formatSpecWarnings(result.warnings, result.source);
 * // sessions.yaml:9:40: warning: sessions.user.migrateFrom.trustUnauthenticatedIv promotes session "ktor_user", ...
 * //   8 |     transform: [{ encrypt: main }]
 * // > 9 |     migrateFrom: { session: ktor_user, trustUnauthenticatedIv: true }
 * //     |                                        ^
 * //
 * // 1 warning in sessions.yaml
 */
export function formatSpecWarnings(warnings: readonly SpecWarning[], source: string): string {
  return formatDiagnostics(warnings, source, 'warning');
}

function formatDiagnostics(diagnostics: readonly SpecError[], source: string, kind: 'error' | 'warning'): string {
  const ordered = orderSpecErrors(diagnostics);
  const first = ordered[0];
  if (first === undefined) return '';
  const label = kind === 'warning' ? 'warning' : undefined;
  const blocks = ordered.map((entry) => formatDiagnostic(entry, source, label));
  const count = `${ordered.length} ${kind}${ordered.length === 1 ? '' : 's'} in ${first.file}`;
  return [...blocks, count].join('\n\n');
}

/**
 * One diagnostic as `FILE:LINE:COL: LABEL: message` (no label: `FILE:LINE:COL: message`) with its code frame
 * from `source`, the text of the file it points into.
 *
 * @example
 * formatDiagnostic(finding, after.source, 'breaking');
 * // sessions.yaml:8:17: breaking: session "user": expiry.maxAge shortened from 7d to 1d; ...
 * //   7 |     transform: [{ encrypt: main }]
 * // > 8 |     expiry: { maxAge: 1d }
 * //     |                       ^
 */
export function formatDiagnostic(entry: SpecError, source: string, label?: string): string {
  const head = `${entry.file}:${entry.line}:${entry.col}: ${label === undefined ? '' : `${label}: `}${entry.message}`;
  return [head, ...codeFrame(entry, source.split(/\r?\n/))].join('\n');
}

function codeFrame(error: SpecError, lines: readonly string[]): string[] {
  const line = lines[error.line - 1];
  if (line === undefined || (line === '' && lines.length === 1)) return [];
  const previous = error.line > 1 ? lines[error.line - 2] : undefined;
  const width = String(error.line).length;
  const gutter = (mark: string, number: number | undefined): string => `${mark} ${String(number ?? '').padStart(width)} |`;
  const withText = (prefix: string, text: string): string => (text === '' ? prefix : `${prefix} ${text}`);
  // Tabs before the column are kept so the caret lines up however the terminal renders them.
  const indent = line.slice(0, error.col - 1).replace(/[^\t]/g, ' ');
  return [
    ...(previous === undefined ? [] : [withText(gutter(' ', error.line - 1), previous)]),
    withText(gutter('>', error.line), line),
    `${gutter(' ', undefined)} ${indent}^`,
  ];
}
