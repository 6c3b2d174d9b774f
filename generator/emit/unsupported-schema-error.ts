/**
 * A payload schema reached an emitter with a construct outside the payload schema subset (docs/spec.md).
 * The spec validator reports these with a position first, so seeing this one means a model was built by
 * hand or the validator and the emitters disagree.
 */
export class UnsupportedSchemaError extends Error {
  override readonly name = 'UnsupportedSchemaError';
  readonly code = 'TYPED_SESSIONS_UNSUPPORTED_SCHEMA';
  constructor(
    /** What the emitter could not map, e.g. `$ref "#/definitions/X"`. */
    readonly construct: string,
  ) {
    super(
      `cannot generate a TypeScript type for ${construct}: it is outside the payload schema subset; run \`typed-sessions validate\` to see where`,
    );
  }
}
