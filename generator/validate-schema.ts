/**
 * Stage 2a: the spec against its own JSON Schema (spec-schema.json, the file editors use too), with ajv in
 * strict mode reporting every error. Each ajv error becomes a `SpecError` at the YAML node it is about,
 * with a message that says what is wrong and how to fix it, instead of ajv's terse wording.
 */
import { Ajv } from 'ajv';
import type { ErrorObject } from 'ajv';
import { didYouMean } from './did-you-mean.js';
import type { SpecSource } from './load.js';
import type { SpecDocument } from './spec-document.js';
import type { SpecError } from './spec-error.js';
import specSchema from './spec-schema.json' with { type: 'json' };
import { formatSpecPath, pathFromPointer } from './spec-path.js';

/** The spec-schema.json keywords this module reads; `errorMessage` and `patternErrorMessage` are VS Code's. */
interface SchemaNode {
  readonly properties?: Readonly<Record<string, { readonly description?: string }>>;
  readonly errorMessage?: string;
  readonly patternErrorMessage?: string;
}

const ajv = new Ajv({ strict: true, allErrors: true, verbose: true });
ajv.addVocabulary(['errorMessage', 'patternErrorMessage']);
// A type guard: data that passes spec-schema.json has the shape `SpecDocument` describes.
const isSpecDocument = ajv.compile<SpecDocument>(specSchema);

/** ajv errors that only summarise errors reported on their own: a failed `then`, a bad property name. */
const SUMMARY_KEYWORDS = new Set(['if', 'propertyNames']);

/** The definition of a payload schema; ajv hands back this very object as `parentSchema`. */
const PAYLOAD_SCHEMA = specSchema.definitions.payloadSchema;

/** Enums longer than this are not listed in full when a close match can be suggested instead. */
const LONG_ENUM = 8;

/**
 * JSON Schema keywords that exist but are outside the payload subset: they get "not supported" rather
 * than a "did you mean" (`allOf` is two edits from `anyOf`, and means something else).
 */
const UNSUPPORTED_JSON_SCHEMA_KEYWORDS = new Set([
  'allOf', 'not', 'if', 'then', 'else', 'patternProperties', 'propertyNames', 'dependencies', 'dependentRequired',
  'dependentSchemas', 'prefixItems', 'additionalItems', 'contains', 'minContains', 'maxContains',
  'unevaluatedProperties', 'unevaluatedItems', 'minProperties', 'maxProperties', 'default', 'examples', 'readOnly',
  'writeOnly', 'deprecated', '$id', '$schema', '$comment', '$defs', 'definitions', '$anchor', '$dynamicRef',
  '$dynamicAnchor', '$recursiveRef', '$recursiveAnchor', '$vocabulary', 'contentEncoding', 'contentMediaType',
  'contentSchema', 'nullable',
]);

export type SchemaCheck = { readonly ok: true; readonly document: SpecDocument } | { readonly ok: false; readonly errors: SpecError[] };

/**
 * The spec's data as a `SpecDocument` when it meets spec-schema.json, else every place it breaks it,
 * positioned and explained.
 *
 * @example
 * validateSpecSchema(source);
 * // { ok: false, errors: [{ file: 'sessions.yaml', line: 12, col: 16, message: 'sessions.user.transport must be "cookie" or "header" (got "cokie")' }] }
 */
export function validateSpecSchema(source: SpecSource): SchemaCheck {
  if (isSpecDocument(source.data)) return { ok: true, document: source.data };
  const errors = isSpecDocument.errors ?? [];
  const shown = errors.filter((error) => !SUMMARY_KEYWORDS.has(error.keyword));
  // A summary comes with the errors it summarises; should one ever come alone, it still refuses the spec.
  return { ok: false, errors: (shown.length > 0 ? shown : errors).map((error) => toSpecError(error, source)) };
}

function toSpecError(error: ErrorObject, source: SpecSource): SpecError {
  const path = pathFromPointer(error.instancePath, source.data);
  const where = formatSpecPath(path);
  const schema = (error.parentSchema ?? {}) as SchemaNode;
  if (error.keyword === 'additionalProperties') {
    const key = String(error.params.additionalProperty);
    const message = error.parentSchema === PAYLOAD_SCHEMA
      ? unsupportedKeywordMessage(where, key, schema)
      : `${where} has unknown key "${key}"${suggestion(key, schema, 'allowed keys')}`;
    return source.errorAt([...path, key], message, 'key');
  }
  if (error.keyword === 'required') {
    const key = String(error.params.missingProperty);
    const hint = schema.properties?.[key]?.description;
    return source.errorAt(path, `${where} is missing required key "${key}"${hint === undefined ? '' : ` (${hint})`}`);
  }
  if (error.propertyName !== undefined) {
    return source.errorAt([...path, error.propertyName], `${where} key "${error.propertyName}" ${problemOf(error, schema)}`, 'key');
  }
  return source.errorAt(path, `${where} ${problemOf(error, schema)} (got ${describeValue(error.data, error)})${enumHint(error)}`);
}

function unsupportedKeywordMessage(where: string, keyword: string, schema: SchemaNode): string {
  if (UNSUPPORTED_JSON_SCHEMA_KEYWORDS.has(keyword)) {
    return `${where} uses "${keyword}", which payload schemas do not support; supported keywords: ${knownKeys(schema).join(', ')}`;
  }
  return `${where} has unknown keyword "${keyword}"${suggestion(keyword, schema, 'supported keywords')}`;
}

function suggestion(key: string, schema: SchemaNode, label: string): string {
  const known = knownKeys(schema);
  const hint = didYouMean(key, known);
  if (hint !== '') return hint;
  return known.length === 0 ? '' : `; ${label}: ${known.join(', ')}`;
}

function knownKeys(schema: SchemaNode): string[] {
  return Object.keys(schema.properties ?? {});
}

/** What the value must be, in words; the spec schema's own wording wins where it has one. */
function problemOf(error: ErrorObject, schema: SchemaNode): string {
  if (error.keyword === 'pattern' && schema.patternErrorMessage !== undefined) return schema.patternErrorMessage;
  if (schema.errorMessage !== undefined) return schema.errorMessage;
  const { params } = error;
  switch (error.keyword) {
    case 'type':
      return `must be ${String(params.type).split(',').map(typeInWords).join(' or ')}`;
    case 'enum':
      return enumHint(error) === ''
        ? `must be ${alternatives(enumValues(error))}`
        : `must be one of the ${enumValues(error).length} supported values`;
    case 'const':
      return `must be ${JSON.stringify(params.allowedValue)}`;
    case 'pattern':
      return `must match ${String(params.pattern)}`;
    case 'minimum':
      return `must be at least ${String(params.limit)}`;
    case 'maximum':
      return `must be at most ${String(params.limit)}`;
    case 'exclusiveMinimum':
      return `must be greater than ${String(params.limit)}`;
    case 'exclusiveMaximum':
      return `must be less than ${String(params.limit)}`;
    case 'minLength':
      return params.limit === 1 ? 'must not be empty' : `must be at least ${String(params.limit)} characters long`;
    case 'maxLength':
      return `must be at most ${String(params.limit)} characters long`;
    case 'minItems':
    case 'maxItems':
      return `must have ${error.keyword === 'minItems' ? 'at least' : 'at most'} ${counted(params.limit, 'item', 'items')}`;
    case 'minProperties':
    case 'maxProperties':
      return `must have ${error.keyword === 'minProperties' ? 'at least' : 'at most'} ${counted(params.limit, 'entry', 'entries')}`;
    case 'uniqueItems':
      return `must not repeat an item (items ${String(params.j)} and ${String(params.i)} are equal)`;
    default:
      return error.message ?? `fails ${error.keyword}`;
  }
}

const TYPE_WORDS: Readonly<Record<string, string>> = {
  object: 'a mapping',
  array: 'a list',
  string: 'a string',
  number: 'a number',
  integer: 'an integer',
  boolean: 'true or false',
};

function typeInWords(type: string): string {
  return TYPE_WORDS[type] ?? type;
}

/** A long enum is summarised and its closest value suggested; a short one is listed in full. */
function enumHint(error: ErrorObject): string {
  const allowed = enumValues(error);
  return typeof error.data === 'string' && allowed.length > LONG_ENUM ? didYouMean(error.data, allowed.map(String)) : '';
}

/** The values an `enum` error allows; none for any other error. */
function enumValues(error: ErrorObject): unknown[] {
  return error.keyword === 'enum' ? (error.params.allowedValues as unknown[]) : [];
}

/** `"a" or "b"`, `"a", "b" or "c"`. */
function alternatives(values: readonly unknown[]): string {
  const words = values.map((value) => JSON.stringify(value));
  const last = words.pop();
  return words.length === 0 ? String(last) : `${words.join(', ')} or ${String(last)}`;
}

function counted(limit: unknown, one: string, many: string): string {
  return `${String(limit)} ${limit === 1 ? one : many}`;
}

const MAX_SHOWN_LENGTH = 60;

/** The offending value as the user wrote it, or its kind for mappings, lists and empty values. */
function describeValue(value: unknown, error: ErrorObject): string {
  if (value === null) {
    // YAML reads a bare `null` as the empty value, which surprises in `type: [string, null]`.
    return enumValues(error).includes('null') ? 'an empty value; write "null" in quotes for the null type' : 'an empty value';
  }
  if (Array.isArray(value)) return value.length === 0 ? 'an empty list' : 'a list';
  if (typeof value === 'object') return Object.keys(value).length === 0 ? 'an empty mapping' : 'a mapping';
  const shown = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return shown.length > MAX_SHOWN_LENGTH ? `${shown.slice(0, MAX_SHOWN_LENGTH - 4)}..."` : shown;
}
