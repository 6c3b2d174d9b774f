/**
 * `typed-sessions check --against REF|FILE` (issue #13): the spec as it is now against an older one, a spec
 * file or the same spec at a git revision, printing every finding of `compareSpecs` with its code frame.
 * Each finding is `breaking`, `acknowledged` (the change writes the session's `acknowledgeLogout`) or `compatible`.
 * Exit codes: 0 nothing breaking (or nothing to compare), 1 a breaking change, 2 nothing was compared (a spec
 * that does not load, an `--against` that is neither a file nor a revision).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { CliIo } from '../cli-io.js';
import { plural } from '../cli-text.js';
import { formatDiagnostic, formatSpecErrors } from '../format-errors.js';
import { loadSpecFile, loadSpecText, type LoadResult } from '../spec.js';
import { compareSpecs, type ComparedSpec } from './compare-specs.js';
import type { FindingStatus } from './finding.js';

const execFileAsync = promisify(execFile);

/** The current spec, loaded and valid, with its text for code frames. */
export interface CurrentSpec extends ComparedSpec {
  readonly path: string;
  readonly display: string;
  readonly source: string;
}

/** The older spec: loaded (valid or not), or a reason there is nothing to compare. */
type OlderSpec = { readonly loaded: LoadResult } | { readonly nothing: string; readonly code: number };

/**
 * Compares `current` against `against` and prints the findings, then `N breaking, M compatible changes`
 * (with `K acknowledged, ` between them when there are any).
 *
 * @example
 * process.exitCode = await checkAgainst(current, 'origin/main', processIo);
 */
export async function checkAgainst(current: CurrentSpec, against: string, io: CliIo): Promise<number> {
  const older = await loadOlder(current, against, io.cwd);
  if ('nothing' in older) {
    (older.code === 0 ? io.out : io.err)(older.nothing);
    return older.code;
  }
  if (!older.loaded.ok) {
    io.err(formatSpecErrors(older.loaded.errors, older.loaded.source));
    return 2;
  }
  const sources = { before: older.loaded.source, after: current.source };
  const findings = compareSpecs(older.loaded, current);
  for (const finding of findings) io.out(`${formatDiagnostic(finding, sources[finding.side], finding.status)}\n`);
  const count = (status: FindingStatus): number => findings.filter((finding) => finding.status === status).length;
  const acknowledged = count('acknowledged');
  io.out(`${count('breaking')} breaking, ${acknowledged > 0 ? `${acknowledged} acknowledged, ` : ''}${plural(count('compatible'), 'compatible change')}`);
  return count('breaking') > 0 ? 1 : 0;
}

/** A path that exists is a spec file; anything else is a git revision to read the current spec's file at. */
async function loadOlder(current: CurrentSpec, against: string, cwd: string): Promise<OlderSpec> {
  const file = resolve(cwd, against);
  if (existsSync(file)) return { loaded: await loadSpecFile(file, against) };

  const git = (...args: string[]) => execFileAsync('git', args, { cwd: dirname(current.path), maxBuffer: 16 * 1024 * 1024 });
  const neither = (error: unknown): OlderSpec => ({
    nothing: `typed-sessions: --against ${against} is neither a file nor a git revision (${gitMessage(error)})`,
    code: 2,
  });
  let prefix: string;
  try {
    // The spec folder's path inside the work tree (`config/`, or empty at its root), as `REF:path` wants it.
    prefix = (await git('rev-parse', '--show-prefix')).stdout.trim();
    await git('rev-parse', '--verify', '--quiet', `${against}^{commit}`);
  } catch (error) {
    return neither(error);
  }
  const inRepo = `${prefix}${basename(current.path)}`;
  try {
    const { stdout } = await git('show', `${against}:${inRepo}`);
    return { loaded: loadSpecText(stdout, `${current.display}@${against}`) };
  } catch {
    // The revision exists (checked above), so what is missing is the file: a spec new since then.
    return { nothing: `${current.display}: nothing to compare, ${inRepo} does not exist at ${against}`, code: 0 };
  }
}

/** git's own first line (`fatal: not a git repository ...`); `rev-parse --quiet` says nothing for an unknown revision. */
function gitMessage(error: unknown): string {
  const stderr = String((error as { stderr?: unknown }).stderr ?? '').trim();
  return stderr.split('\n')[0] || 'git knows no such commit';
}
