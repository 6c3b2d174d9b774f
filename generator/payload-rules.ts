/**
 * Semantic rules for payload schemas (`types:` entries, each session's `schema:` and its `flash:` values): what the spec's JSON
 * Schema cannot say about the subset, such as closed objects, resolvable `$ref`s and compilable patterns.
 */
import { POLLUTING_KEYS, findNestedQuantifier } from 'typed-sessions/rules';
import { didYouMean } from './did-you-mean.js';
import { formatSpecPath } from './spec-path.js';
import type { SpecPath } from './spec-path.js';
import { entriesOf, fieldsOf, unknownName } from './spec-view.js';
import type { Fields, SessionView, SpecRule, SpecView } from './spec-view.js';

/** A payload schema node and where it is written. */
interface SchemaAt {
  readonly schema: Fields;
  readonly path: SpecPath;
}

const TYPE_REF = /^#\/types\/([A-Z][A-Za-z0-9]*)$/;

const openObjectSchema: SpecRule = {
  refuses: 'an object schema that does not state additionalProperties',
  check: (spec) =>
    payloadSchemas(spec)
      .filter(({ schema }) => isObjectSchema(schema) && !Object.hasOwn(schema, 'additionalProperties'))
      .map(({ path }) =>
        spec.source.errorAt(
          path,
          `${formatSpecPath(path)} is an object schema without additionalProperties; add additionalProperties: false (payloads are closed, so an unexpected field fails validation instead of reaching the app unchecked), or a schema for the values of a map`,
        ),
      ),
};

const undeclaredRequired: SpecRule = {
  refuses: 'a required name that properties does not declare',
  check: (spec) =>
    payloadSchemas(spec).flatMap(({ schema, path }) => {
      const declared = entriesOf(schema.properties).map(([name]) => name);
      const required = Array.isArray(schema.required) ? (schema.required as unknown[]) : [];
      return required.flatMap((name, index) => {
        if (typeof name !== 'string' || declared.includes(name)) return [];
        const at = [...path, 'required', index];
        return [
          spec.source.errorAt(
            at,
            `${formatSpecPath(at)} names "${name}", which properties does not declare; declare it under properties: or remove it${didYouMean(name, declared)}`,
          ),
        ];
      });
    }),
};

const invalidPattern: SpecRule = {
  refuses: 'a pattern that does not compile as a JavaScript RegExp with the u flag',
  check: (spec) =>
    payloadSchemas(spec).flatMap(({ schema, path }) => {
      if (typeof schema.pattern !== 'string') return [];
      try {
        // ajv compiles `pattern` with the `u` flag, which is stricter than a plain RegExp about escapes.
        new RegExp(schema.pattern, 'u');
        return [];
      } catch (error) {
        const at = [...path, 'pattern'];
        return [spec.source.errorAt(at, `${formatSpecPath(at)} is not a valid regular expression with the u flag, as ajv compiles it: ${(error as Error).message}`)];
      }
    }),
};

const catastrophicPattern: SpecRule = {
  refuses: 'a pattern that repeats a repetition, such as (a+)+, which can backtrack for exponential time (ReDoS)',
  check: (spec) =>
    payloadSchemas(spec).flatMap(({ schema, path }) => {
      const nested = typeof schema.pattern === 'string' ? findNestedQuantifier(schema.pattern) : undefined;
      if (nested === undefined) return [];
      const at = [...path, 'pattern'];
      return [
        spec.source.errorAt(
          at,
          `${formatSpecPath(at)} repeats ${nested}, a repetition inside a repetition, which can take exponential time on a hostile string (ReDoS); rewrite it so each repeated part must match a fixed separator (like ^[a-z]+(\\.[a-z]+)*$), and bound the string with maxLength`,
        ),
      ];
    }),
};

const unresolvedRef: SpecRule = {
  refuses: 'a $ref to a type that types: does not declare',
  check: (spec) => {
    const typeNames = spec.types.map(([name]) => name);
    return payloadSchemas(spec).flatMap(({ schema, path }) => {
      const name = refName(schema);
      if (name === undefined || typeNames.includes(name)) return [];
      const at = [...path, '$ref'];
      return [spec.source.errorAt(at, unknownName(at, 'type', name, typeNames, 'types'))];
    });
  },
};

const nonObjectSessionPayload: SpecRule = {
  refuses: 'a session schema that is not an object schema or a $ref to one',
  check: (spec) => {
    const types = new Map(spec.types);
    return spec.sessions.flatMap(versionSchemas).flatMap(([value, path]) => {
      const schema = fieldsOf(value);
      if (schema === undefined || describesObject(schema, types) !== false) return [];
      return [
        spec.source.errorAt(
          path,
          `${formatSpecPath(path)} must be an object schema (type: object) or a $ref to one in types:, since a session payload is a set of named fields`,
        ),
      ];
    });
  },
};

const prototypePropertyName: SpecRule = {
  refuses: 'a payload property named __proto__ or constructor',
  check: (spec) =>
    payloadSchemas(spec).flatMap(({ schema, path }) =>
      entriesOf(schema.properties)
        .filter(([name]) => POLLUTING_KEYS.has(name))
        .map(([name]) =>
          spec.source.errorAt(
            [...path, 'properties', name],
            `${formatSpecPath(path)} declares a property named ${name}, which payloads may not have: it is how prototype pollution is smuggled in, and the runtime refuses it in every payload, so every set would fail; rename the property`,
            'key',
          ),
        ),
    ),
};

const nonFiniteValue: SpecRule = {
  refuses: 'an enum or const holding .inf, -.inf or .nan, which no JSON payload can hold',
  check: (spec) =>
    payloadSchemas(spec).flatMap(({ schema, path }) =>
      (['const', 'enum'] as const)
        .filter((keyword) => Object.hasOwn(schema, keyword) && holdsNonFinite(schema[keyword]))
        .map((keyword) => {
          const at = [...path, keyword];
          return spec.source.errorAt(
            at,
            `${formatSpecPath(at)} holds .inf, -.inf or .nan, which JSON cannot hold, so no payload could ever match it (set refuses such numbers); use finite numbers`,
          );
        }),
    ),
};

function holdsNonFinite(value: unknown): boolean {
  if (typeof value === 'number') return !Number.isFinite(value);
  if (typeof value !== 'object' || value === null) return false;
  return Object.values(value).some(holdsNonFinite);
}

export const PAYLOAD_RULES: readonly SpecRule[] = [
  openObjectSchema,
  undeclaredRequired,
  invalidPattern,
  catastrophicPattern,
  unresolvedRef,
  nonObjectSessionPayload,
  prototypePropertyName,
  nonFiniteValue,
];

/** Every schema node of every payload schema and flash value schema, each before its subschemas, in spec order. */
function payloadSchemas(spec: SpecView): SchemaAt[] {
  return [
    ...spec.types.flatMap(([name, schema]) => schemaTree(schema, ['types', name])),
    ...spec.sessions.flatMap((session) => [
      ...versionSchemas(session).flatMap(([schema, path]) => schemaTree(schema, path)),
      ...entriesOf(session.fields.flash).flatMap(([key, schema]) => schemaTree(schema, [...session.path, 'flash', key])),
    ]),
  ];
}

/** A session's payload schema and each older version's in `history:`, with where each is written. */
function versionSchemas(session: SessionView): [unknown, SpecPath][] {
  return [
    [session.fields.schema, [...session.path, 'schema']],
    ...entriesOf(session.fields.history).map(([version, entry]): [unknown, SpecPath] => [fieldsOf(entry)?.schema, [...session.path, 'history', version, 'schema']]),
  ];
}

function schemaTree(value: unknown, path: SpecPath): SchemaAt[] {
  const schema = fieldsOf(value);
  if (schema === undefined) return [];
  const children: [unknown, SpecPath][] = [
    ...entriesOf(schema.properties).map(([name, child]): [unknown, SpecPath] => [child, [...path, 'properties', name]]),
    [schema.additionalProperties, [...path, 'additionalProperties']],
    [schema.items, [...path, 'items']],
    ...(['oneOf', 'anyOf'] as const).flatMap((union) =>
      (Array.isArray(schema[union]) ? (schema[union] as unknown[]) : []).map((child, index): [unknown, SpecPath] => [child, [...path, union, index]]),
    ),
  ];
  return [{ schema, path }, ...children.flatMap(([child, childPath]) => schemaTree(child, childPath))];
}

/** An object schema: `type: object` (alone or in a list), or one with `properties`. */
function isObjectSchema(schema: Fields): boolean {
  const types = Array.isArray(schema.type) ? (schema.type as unknown[]) : [schema.type];
  return types.includes('object') || Object.hasOwn(schema, 'properties');
}

function refName(schema: Fields): string | undefined {
  return typeof schema.$ref === 'string' ? TYPE_REF.exec(schema.$ref)?.[1] : undefined;
}

/** Whether the schema is `type: object`, following `$ref`s; `undefined` when a `$ref` is malformed or leads nowhere. */
function describesObject(schema: Fields, types: ReadonlyMap<string, unknown>, seen: ReadonlySet<string> = new Set()): boolean | undefined {
  if (!Object.hasOwn(schema, '$ref')) return schema.type === 'object';
  const name = refName(schema);
  if (name === undefined) return undefined;
  if (seen.has(name)) return false;
  const target = fieldsOf(types.get(name));
  return target === undefined ? undefined : describesObject(target, types, new Set([...seen, name]));
}
