/**
 * Where the CLI reads paths from and writes its messages, for `runCli` and `gen --watch` alike: the
 * process's own unless a test says otherwise.
 */

export interface CliIo {
  readonly cwd: string;
  /** One line of normal output (no trailing newline). */
  readonly out: (line: string) => void;
  /** One line of diagnostics (no trailing newline). */
  readonly err: (line: string) => void;
}

export const processIo: CliIo = {
  cwd: process.cwd(),
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};
