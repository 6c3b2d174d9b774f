/**
 * Test-only: definitions written by hand get the validator `gen` would compile from their schema,
 * compiled here in-process by ajv with the generator's own settings. The runtime never compiles; an app's
 * definitions always come from `gen`.
 */
import type { SessionDefinition } from 'typed-sessions/core';
import { createPayloadAjv } from '../../generator/emit/payload-ajv.js';

const ajv = createPayloadAjv();

type PayloadVersion = NonNullable<SessionDefinition['history']>[number];

/** A definition as a test writes it: everything but the compiled validators (of its schema and of each older version's). */
export type DefinitionData<T = unknown> = Omit<SessionDefinition<T>, 'validate' | 'history'> & {
  readonly history?: readonly (Omit<PayloadVersion, 'validate'> & { readonly validate?: PayloadVersion['validate'] })[];
};

/**
 * `definition` with `validate` compiled from its `schema`. Any validator it had is replaced, so a copy
 * spread with another schema is checked against that schema.
 *
 * @example
 * const definition = withValidator({ ...NoteSessionProvider.definition, schema: { type: 'object', additionalProperties: false } });
 */
export function withValidator<T>(definition: DefinitionData<T>): SessionDefinition<T> {
  const { history, ...rest } = definition;
  const versions = history?.map((old) => ({ ...old, validate: compiled(old.schema) }));
  return { ...rest, ...(versions === undefined ? {} : { history: versions }), validate: compiled(definition.schema) };
}

/** Validators by the text of their schema: property tests build thousands of definitions from a few schemas. */
const bySchema = new Map<string, SessionDefinition<unknown>['validate']>();

function compiled(schema: unknown): SessionDefinition<unknown>['validate'] {
  const key = JSON.stringify(schema);
  let validate = bySchema.get(key);
  if (validate === undefined) bySchema.set(key, (validate = ajv.compile(schema as object)));
  return validate;
}
