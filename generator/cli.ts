/**
 * The `typed-sessions` command (README, Commands): `gen`, `validate`, `check`, `keygen`, `help`,
 * `--version`. Exit codes: 0 done, 1 the spec or the output needs attention (for `check`: a breaking change),
 * 2 the command line was wrong (for `check` also: a spec that does not load, so nothing was compared).
 */
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { generateKey } from 'typed-sessions';
import { SchemaCompileError } from './emit/schema-compile-error.js';
import { processIo, type CliIo } from './cli-io.js';
import { foreignFileWarning, GEN_VERBS, outputPaths, plural, upToDate } from './cli-text.js';
import { formatSpecErrors, formatSpecWarnings } from './format-errors.js';
import type { SpecSource } from './load.js';
import type { SpecModel } from './model.js';
import { applyOutput, compareOutput, type FileStatus } from './output.js';
import { loadSpecFile } from './spec.js';

export type { CliIo } from './cli-io.js';

const USAGE = `Usage: typed-sessions <command> [options]

Commands:
  gen        validate the spec, generate typed TypeScript and write the files that changed
  validate   check the spec; print every error as FILE:LINE:COL: message
  check      compare the spec against an older one (--against); print every change as
             FILE:LINE:COL: breaking: ... or FILE:LINE:COL: compatible: ..., exit 1 if any is breaking
  keygen     print a fresh random key for a key ring (32 bytes, base64url)
  help       show this help

Options:
  --spec FILE     the spec (gen, validate, check; default sessions.yaml)
  --against REF|FILE
                  check: the older spec; a path that exists is a spec file, anything else a git
                  revision (origin/main, HEAD~1) at which the spec's own file is read
  --out DIR       the output folder (gen; default generated)
  --check         gen: write nothing; list drifted files and exit 1 if the output is out of date
  --watch         gen: keep running, regenerating on every save of the spec and of the serializer
                  modules it names, one line per result; Ctrl-C stops it
  -h, --help      show this help
  -v, --version   print the version

Exit codes: 0 ok, 1 the spec is invalid, the output is out of date, or check found a breaking change,
2 wrong usage, or check could not compare (a spec that does not load, an unknown revision).`;

/** The command line was wrong: exit 2 with the usage text. */
export class CliUsageError extends Error {
  override readonly name = 'CliUsageError';
  readonly code = 'TYPED_SESSIONS_USAGE';
}

type Options = NonNullable<ParseArgsConfig['options']>;
type Values = ReturnType<typeof parseArgs>['values'];

interface Command {
  readonly options: Options;
  readonly run: (values: Values, io: CliIo) => Promise<number>;
}

const SPEC_OPTION = { spec: { type: 'string', default: 'sessions.yaml' } } satisfies Options;

const COMMANDS: Readonly<Record<string, Command>> = {
  gen: {
    options: {
      ...SPEC_OPTION,
      out: { type: 'string', default: 'generated' },
      check: { type: 'boolean', default: false },
      watch: { type: 'boolean', default: false },
    },
    run: gen,
  },
  validate: { options: SPEC_OPTION, run: validate },
  check: { options: { ...SPEC_OPTION, against: { type: 'string' } }, run: check },
  keygen: { options: {}, run: keygen },
  help: { options: {}, run: help },
};

/**
 * Runs one command line and returns its exit code.
 *
 * @example
 * process.exitCode = await runCli(['gen', '--check']);
 */
export async function runCli(args: readonly string[], io: CliIo = processIo): Promise<number> {
  if (args.includes('-h') || args.includes('--help')) return help({}, io);
  if (args.includes('-v') || args.includes('--version')) {
    io.out(ownVersion());
    return 0;
  }
  try {
    const [name, ...rest] = args;
    if (name === undefined) throw new CliUsageError('no command given');
    const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
    if (command === undefined) throw new CliUsageError(`unknown command "${name}"`);
    return await command.run(parseOptions(command.options, rest), io);
  } catch (error) {
    if (error instanceof CliUsageError) {
      io.err(`typed-sessions: ${error.message}\n\n${USAGE}`);
      return 2;
    }
    // A file system failure (permissions, --out naming a file): Node's message names the path and the call.
    // A schema ajv will not compile names its session.
    if ((error instanceof Error && 'syscall' in error) || error instanceof SchemaCompileError) {
      io.err(`typed-sessions: ${error.message}`);
      return 1;
    }
    throw error;
  }
}

function parseOptions(options: Options, args: string[]): Values {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    // parseArgs reports unknown flags, missing values and stray arguments as ERR_PARSE_ARGS_* TypeErrors.
    if (String((error as NodeJS.ErrnoException).code).startsWith('ERR_PARSE_ARGS_')) {
      throw new CliUsageError((error as Error).message);
    }
    throw error;
  }
}

async function validate(values: Values, io: CliIo): Promise<number> {
  const loaded = await loadSpec(String(values['spec']), io);
  if (loaded === undefined) return 1;
  io.out(`${loaded.display} is valid: ${summary(loaded.model)}`);
  return 0;
}

async function check(values: Values, io: CliIo): Promise<number> {
  const against = values['against'];
  if (typeof against !== 'string') throw new CliUsageError('check needs --against REF|FILE: the git revision or spec file to compare with');
  const loaded = await loadSpec(String(values['spec']), io);
  if (loaded === undefined) return 2;
  const { checkAgainst } = await import('./compat/check-command.js');
  return checkAgainst(loaded, against, io);
}

async function gen(values: Values, io: CliIo): Promise<number> {
  if (values['watch'] === true) {
    if (values['check'] === true)
      throw new CliUsageError('--watch cannot be combined with --check: use --check alone to compare once (in CI), --watch alone to regenerate on every save');
    const { watchGen } = await import('./watch.js');
    return watchGen({ specArg: String(values['spec']), outArg: String(values['out']) }, io);
  }
  const loaded = await loadSpec(String(values['spec']), io);
  if (loaded === undefined) return 1;
  const outArg = String(values['out']);
  const outDir = resolve(io.cwd, outArg);
  const out = outputPaths(outArg);

  // Loaded here, not at the top: ts-morph brings a whole TypeScript compiler, which only gen needs.
  const { generate } = await import('./generate.js');
  const files = await generate(loaded.model, { specDir: dirname(loaded.path), outDir });
  const comparison = await compareOutput(outDir, files);
  for (const file of comparison.foreign) io.err(foreignFileWarning(out, file));
  const drift = comparison.files.filter((entry) => entry.status !== 'unchanged');

  if (values['check'] === true) {
    if (drift.length > 0) {
      for (const { file, status } of drift) io.err(`${status}: ${out.file(file)}`);
      io.err(`${out.folder} is out of date: run typed-sessions gen`);
      return 1;
    }
  } else {
    await applyOutput(outDir, files, comparison);
    for (const { file, status } of comparison.files) io.out(`${GEN_VERBS[status]} ${out.file(file)}`);
    if (drift.length > 0) {
      const count = (status: FileStatus): number => comparison.files.filter((entry) => entry.status === status).length;
      const written = count('changed') + count('missing');
      io.out(
        `${out.folder} updated from ${loaded.display}: ${written} written, ${count('unchanged')} unchanged, ${count('extra')} removed`,
      );
      return 0;
    }
  }
  io.out(upToDate(out, files.size));
  return 0;
}

async function help(_values: Values, io: CliIo): Promise<number> {
  io.out(USAGE);
  return 0;
}

async function keygen(_values: Values, io: CliIo): Promise<number> {
  io.out(generateKey());
  io.err("Put the key in the key ring's environment variable, e.g. export SESSION_KEYS=<key>.");
  io.err('To rotate, put a new key first and keep the old ones after it: SESSION_KEYS=<new>,<old> (newest first).');
  return 0;
}

/** Loads and validates the spec, printing its errors, or its warnings; `undefined` when it is not usable. */
async function loadSpec(
  specArg: string,
  io: CliIo,
): Promise<{ model: SpecModel; positions: SpecSource; source: string; path: string; display: string } | undefined> {
  const path = resolve(io.cwd, specArg);
  // A missing or unreadable file comes back as a positioned error like any other spec problem.
  const result = await loadSpecFile(path, specArg);
  if (!result.ok) {
    io.err(formatSpecErrors(result.errors, result.source));
    return undefined;
  }
  if (result.warnings.length > 0) io.err(formatSpecWarnings(result.warnings, result.source));
  return { model: result.model, positions: result.positions, source: result.source, path, display: specArg };
}

function summary(model: SpecModel): string {
  return [
    plural(model.sessions.length, 'session'),
    plural(model.types.length, 'type'),
    plural(Object.keys(model.keys).length, 'key ring'),
    plural(Object.keys(model.storages).length, 'storage'),
  ].join(', ');
}

/** The version in this package's package.json, found from this file in both `generator/` and `generator/dist/`. */
function ownVersion(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); dir !== dirname(dir); dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (!existsSync(manifest)) continue;
    const { name, version } = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string; version?: string };
    if (name === '@typed-sessions/cli' && version !== undefined) return version;
  }
  return 'unknown';
}

const script = process.argv[1];
const invokedDirectly =
  script !== undefined && existsSync(script) && import.meta.url === pathToFileURL(realpathSync(script)).href;
if (invokedDirectly) process.exitCode = await runCli(process.argv.slice(2));
