/**
 * `@typed-sessions/cli`: the spec -> TypeScript pipeline as a library, for build tools that want it
 * without the CLI. Anything not listed here is internal.
 */

// Load and validate a spec: YAML text or file -> the model and its warnings, or every error with its position.
export { loadSpecFile, loadSpecText, type LoadResult } from './spec.js';
export { formatSpecErrors, formatSpecWarnings } from './format-errors.js';

// A spec problem with its position.
export type { SpecError, SpecWarning } from './spec-error.js';

// The model the emitters consume: the runtime's definition data (typed-sessions/rules), and what only the generator reads.
export { SessionNode, type SerializerModule, type SpecModel } from './model.js';
export type { JsonSchema, TypeNode } from './payload-schema.js';

// Generate: the model -> formatted file texts, by output file name.
export { ENTRY_FILE, generate, type GeneratedFiles, type GenerateOptions } from './generate.js';
export { schemaToType } from './emit/schema-to-type.js';

// Compare with and write the output folder, as `gen` and `gen --check` do.
export { applyOutput, compareOutput, type FileComparison, type FileStatus, type OutputComparison } from './output.js';

// The command line, runnable in-process.
export { CliUsageError, runCli } from './cli.js';
export type { CliIo } from './cli-io.js';
