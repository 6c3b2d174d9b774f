/**
 * `@typed-sessions/cli`: the spec -> TypeScript pipeline as a library, for build tools that want it
 * without the CLI. Anything not listed here is internal.
 */

// Load and validate a spec: YAML text or file -> the model and its warnings, or every error with its position.
export { loadSpecFile, loadSpecText, type LoadResult } from './spec.js';
export { formatSpecErrors, formatSpecWarnings } from './format-errors.js';

// The model the emitters consume.
export type {
  CookieNode,
  ExpiryNode,
  JsonSchema,
  KeyRingNode,
  MigrationNode,
  SerializerNode,
  SessionNode,
  SpecError,
  SpecModel,
  SpecWarning,
  StorageNode,
  TransformNode,
  TypeNode,
} from './model.js';

// Generate: the model -> formatted file texts, by output file name.
export { ENTRY_FILE, generate, type GeneratedFiles, type GenerateOptions } from './generate.js';
export { schemaToType } from './emit/schema-to-type.js';

// Compare with and write the output folder, as `gen` and `gen --check` do.
export { applyOutput, compareOutput, type FileComparison, type FileStatus, type OutputComparison } from './output.js';

// The command line, runnable in-process.
export { CliUsageError, runCli, type CliIo } from './cli.js';
