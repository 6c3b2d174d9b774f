/**
 * ajv would not compile a session's schema that the spec validator accepted: its strict mode asks more
 * than the subset's rules check, e.g. `strictTypes` wants the `type` a keyword applies to (`type: string`
 * beside `minLength`). `gen` stops with this one-line error rather than write a module that could not load.
 */
export class SchemaCompileError extends Error {
  override readonly name = 'SchemaCompileError';
  readonly code = 'TYPED_SESSIONS_SCHEMA_COMPILE';
  constructor(
    /** Session accessor name. */
    readonly session: string,
    cause: Error,
  ) {
    super(`session "${session}": ajv cannot compile its schema: ${cause.message}; fix the schema in the spec`, { cause });
  }
}
