/**
 * A spec problem with its position: what every stage before the model reports (YAML syntax, the spec schema,
 * the semantic rules), printed as `FILE:LINE:COL: message` (format-errors.ts).
 */

export interface SpecError {
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  /** 1-based. */
  readonly col: number;
  readonly message: string;
}

/** An accepted but risky setting, with its position, printed as `FILE:LINE:COL: warning: message`. */
export type SpecWarning = SpecError;

/**
 * Errors in reading order (line, then column), each position and message once.
 *
 * @example
 * orderSpecErrors([b, a, a]); // [a, b]
 */
export function orderSpecErrors(errors: readonly SpecError[]): SpecError[] {
  const seen = new Set<string>();
  return [...errors]
    .sort((a, b) => a.line - b.line || a.col - b.col)
    .filter((error) => {
      const id = `${error.file}:${error.line}:${error.col}:${error.message}`;
      if (seen.has(id)) return false;
      seen.add(id);
      return true;
    });
}
