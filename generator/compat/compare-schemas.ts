/**
 * Whether every payload valid under a session's old schema is still valid under its new one, keyword by
 * keyword, following `$ref`s into `types:` on each side. The analysis is sound, not complete: a change it
 * reports as not breaking keeps every old payload valid (test/generator/spec-compat.test.ts holds that as a
 * property); what it cannot prove (a changed `oneOf`, say) it reports as breaking, `unproven`.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Ajv, ValidateFunction } from 'ajv';
import { TYPE_REF_PREFIX, runtimeSchema, type JsonSchema, type TypeNode } from '../payload-schema.js';
import type { SpecPath } from '../spec-path.js';
import type { FindingSink, SpecSide } from './finding.js';

/** A schema node and where its side's spec wrote it (or, for one left out, where it would be). */
export interface SchemaAt {
  readonly schema: JsonSchema;
  readonly path: SpecPath;
}

/** What comparing one session's schemas needs. */
export interface SchemaComparison {
  readonly sink: FindingSink;
  readonly session: string;
  readonly types: Readonly<Record<SpecSide, readonly TypeNode[]>>;
  /** The payload Ajv (emit/payload-ajv.ts), for the values of an old `enum` or `const`. */
  readonly ajv: Ajv;
}

/** A schema that constrains nothing: what an absent `items` or `additionalProperties` allows. */
const ANYTHING: JsonSchema = {};

/** Keywords that only document. */
const ANNOTATIONS = new Set(['description', 'title']);

/** Keywords compared below; any other one must be unchanged, or the change is `unproven`. */
const UNDERSTOOD = new Set([
  ...ANNOTATIONS,
  ...['$ref', 'type', 'enum', 'const', 'anyOf', 'oneOf', 'properties', 'required', 'additionalProperties', 'items'],
  ...['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'minLength', 'maxLength', 'minItems', 'maxItems'],
  ...['multipleOf', 'uniqueItems', 'pattern', 'format'],
]);

/**
 * Bounds of one quantity, each keyword with whether it excludes its value. An old bound implies a new
 * one in the same group when it is at least as tight; `floor` is the bound a count has when none is written.
 */
interface BoundGroup {
  readonly upper: boolean;
  readonly keywords: Readonly<Record<string, boolean>>;
  readonly floor?: number;
}

const BOUND_GROUPS: readonly BoundGroup[] = [
  { upper: true, keywords: { maximum: false, exclusiveMaximum: true } },
  { upper: false, keywords: { minimum: false, exclusiveMinimum: true } },
  { upper: true, keywords: { maxLength: false } },
  { upper: false, keywords: { minLength: false }, floor: 0 },
  { upper: true, keywords: { maxItems: false } },
  { upper: false, keywords: { minItems: false }, floor: 0 },
];

/**
 * Compares a session's old payload schema with its new one, adding a finding per change to `cx.sink`;
 * each message names the place as `where` and the path below it (`payload.id`).
 *
 * @example
 * compareSchemas(cx, { schema: oldSchema, path: ['sessions', 'user', 'schema'] }, { schema: newSchema, path: ['sessions', 'user', 'schema'] });
 */
export function compareSchemas(cx: SchemaComparison, before: SchemaAt, after: SchemaAt, where = 'payload'): void {
  compareNodes(cx, before, after, where, new Set());
}

function compareNodes(cx: SchemaComparison, written: SchemaAt, writtenAfter: SchemaAt, where: string, seen: Set<string>): void {
  const b = resolve(cx, 'before', written, where);
  const a = resolve(cx, 'after', writtenAfter, where);
  // A recursive type compared with itself again: assuming it compatible is sound, since payloads are finite.
  const pair = JSON.stringify([b.path, a.path]);
  if (seen.has(pair)) return;
  seen.add(pair);
  const next = (before: SchemaAt, after: SchemaAt, at: string): void => compareNodes(cx, before, after, at, seen);

  if (Object.hasOwn(b.schema, 'enum') || Object.hasOwn(b.schema, 'const')) return compareValues(cx, b, a, where);
  compareUnknownKeywords(cx, b, a, where);
  compareUnions(cx, b, a, where, next);
  compareTypes(cx, b, a, where);
  compareBounds(cx, b, a, where);
  compareExactKeywords(cx, b, a, where);
  restrictedToValues(cx, a, where);
  compareObjects(cx, b, a, where, next);
  if (Object.hasOwn(b.schema, 'items') || Object.hasOwn(a.schema, 'items')) next(child(b, 'items'), child(a, 'items'), `${where}[]`);
}

/** Follows `$ref`s into `types:`. A constraint beside a `$ref` is not compared, so it is `unproven`. */
function resolve(cx: SchemaComparison, side: SpecSide, at: SchemaAt, where: string): SchemaAt {
  let current = at;
  for (let ref = current.schema.$ref; typeof ref === 'string' && ref.startsWith(TYPE_REF_PREFIX); ref = current.schema.$ref) {
    const name = ref.slice(TYPE_REF_PREFIX.length);
    const type = cx.types[side].find((candidate) => candidate.name === name);
    if (type === undefined) break;
    const beside = Object.keys(current.schema).filter((keyword) => keyword !== '$ref' && !ANNOTATIONS.has(keyword));
    if (beside.length > 0) unproven(cx, side, current.path, `${where}: ${beside.join(', ')} beside $ref`);
    current = { schema: type.schema, path: ['types', name] };
  }
  return current;
}

function child(at: SchemaAt, keyword: string): SchemaAt {
  const value = at.schema[keyword];
  return { schema: isSchema(value) ? value : ANYTHING, path: [...at.path, keyword] };
}

function unproven(cx: SchemaComparison, side: SpecSide, path: SpecPath, what: string): void {
  cx.sink.add('unproven', cx.session, side, path, `${what} changed, and the check cannot prove that every payload valid before is valid now, so it counts as breaking`);
}

/** An old `enum` or `const` is a finite set of payloads: each is checked against the new schema itself. */
function compareValues(cx: SchemaComparison, b: SchemaAt, a: SchemaAt, where: string): void {
  const oldValues = Object.hasOwn(b.schema, 'const') ? [b.schema.const] : (b.schema.enum as readonly unknown[]);
  let validBefore: ValidateFunction;
  let validAfter: ValidateFunction;
  try {
    validBefore = cx.ajv.compile(runtimeSchema(b.schema, cx.types.before));
    validAfter = cx.ajv.compile(runtimeSchema(a.schema, cx.types.after));
  } catch {
    // A schema the rules accept but ajv's strict mode refuses: `gen` stops on it and says why (docs/spec.md).
    return unproven(cx, 'after', a.path, `${where}: a schema ajv's strict mode refuses`);
  }
  const kind = Object.hasOwn(b.schema, 'const') ? 'const-changed' : 'enum-value-removed';
  const at = Object.hasOwn(a.schema, 'enum') ? [...a.path, 'enum'] : Object.hasOwn(a.schema, 'const') ? [...a.path, 'const'] : a.path;
  for (const value of oldValues.filter((candidate) => validBefore(candidate))) {
    if (validAfter(value)) continue;
    const error = validAfter.errors?.[0];
    const reason = error === undefined ? '' : ` (${`${error.instancePath} ${error.message ?? ''}`.trim()})`;
    cx.sink.add(kind, cx.session, 'after', at, `${where}: the value ${JSON.stringify(value)} is no longer valid${reason}; a live payload holding it is refused (reason schema)`);
  }
  if (!Array.isArray(b.schema.enum) || !Array.isArray(a.schema.enum)) return;
  const oldEnum = b.schema.enum as readonly unknown[];
  const added = a.schema.enum.filter((value) => !oldEnum.some((old) => isDeepStrictEqual(old, value)));
  if (added.length > 0) cx.sink.add('enum-value-added', cx.session, 'after', [...a.path, 'enum'], `${where}: enum values added: ${added.map((value) => JSON.stringify(value)).join(', ')}`);
}

function compareUnknownKeywords(cx: SchemaComparison, b: SchemaAt, a: SchemaAt, where: string): void {
  const keywords = new Set([...Object.keys(b.schema), ...Object.keys(a.schema)]);
  for (const keyword of [...keywords].filter((candidate) => !UNDERSTOOD.has(candidate))) {
    if (!isDeepStrictEqual(b.schema[keyword], a.schema[keyword])) unproven(cx, 'after', [...a.path, keyword], `${where}: ${keyword}`);
  }
}

/**
 * Branch `i` of an old `anyOf` within branch `i` of the new one keeps every old payload valid. A `oneOf`
 * must stay as it was: a payload valid under exactly one old branch may match two widened ones. A union
 * removed constrains nothing any more.
 */
function compareUnions(cx: SchemaComparison, b: SchemaAt, a: SchemaAt, where: string, next: (before: SchemaAt, after: SchemaAt, at: string) => void): void {
  for (const keyword of ['anyOf', 'oneOf']) {
    const oldBranches = b.schema[keyword];
    const newBranches = a.schema[keyword];
    if (newBranches === undefined) continue;
    if (keyword === 'anyOf' && Array.isArray(oldBranches) && Array.isArray(newBranches) && oldBranches.length === newBranches.length) {
      oldBranches.forEach((branch, index) => next(branchAt(b, keyword, index), branchAt(a, keyword, index), where));
      continue;
    }
    const resolved = (at: SchemaAt, side: SpecSide): JsonSchema => runtimeSchema({ [keyword]: at.schema[keyword] }, cx.types[side]);
    if (!isDeepStrictEqual(resolved(b, 'before'), resolved(a, 'after'))) unproven(cx, 'after', [...a.path, keyword], `${where}: ${keyword}`);
  }
}

function branchAt(at: SchemaAt, keyword: string, index: number): SchemaAt {
  const branch = (at.schema[keyword] as readonly unknown[])[index];
  return { schema: isSchema(branch) ? branch : ANYTHING, path: [...at.path, keyword, index] };
}

/** The JSON types a schema allows; `undefined` for any. `integer` is a part of `number`. */
function typesOf(schema: JsonSchema): readonly string[] | undefined {
  const { type } = schema;
  if (type === undefined) return undefined;
  return Array.isArray(type) ? (type as string[]) : [type as string];
}

function covers(types: readonly string[] | undefined, type: string): boolean {
  return types === undefined || types.includes(type) || (type === 'integer' && types.includes('number'));
}

function compareTypes(cx: SchemaComparison, b: SchemaAt, a: SchemaAt, where: string): void {
  const oldTypes = typesOf(b.schema);
  const newTypes = typesOf(a.schema);
  const shown = (types: readonly string[] | undefined): string => (types === undefined ? 'any type' : types.join(' or '));
  const at = [...a.path, 'type'];
  const narrowed = oldTypes === undefined ? newTypes !== undefined : oldTypes.some((type) => !covers(newTypes, type));
  if (narrowed) {
    cx.sink.add('type-narrowed', cx.session, 'after', at, `${where}: type narrowed from ${shown(oldTypes)} to ${shown(newTypes)}; a live payload with a value of a type no longer allowed is refused (reason schema)`);
  } else if (newTypes === undefined ? oldTypes !== undefined : newTypes.some((type) => !covers(oldTypes, type))) {
    cx.sink.add('type-widened', cx.session, 'after', at, `${where}: type widened from ${shown(oldTypes)} to ${shown(newTypes)}`);
  }
}

interface Bound {
  readonly value: number;
  readonly exclusive: boolean;
}

/** Whether a value within `old` is within `bound`, both measured in the group's direction. */
function implies(old: Bound, bound: Bound, upper: boolean): boolean {
  const tighter = upper ? old.value < bound.value : old.value > bound.value;
  return tighter || (old.value === bound.value && (old.exclusive || !bound.exclusive));
}

function compareBounds(cx: SchemaComparison, b: SchemaAt, a: SchemaAt, where: string): void {
  for (const group of BOUND_GROUPS) {
    const boundsOf = (schema: JsonSchema): [string, Bound][] =>
      Object.entries(group.keywords).flatMap(([keyword, exclusive]) => (typeof schema[keyword] === 'number' ? [[keyword, { value: schema[keyword], exclusive }]] : []));
    const oldBounds = boundsOf(b.schema);
    const newBounds = boundsOf(a.schema);
    const floor: Bound[] = group.floor === undefined ? [] : [{ value: group.floor, exclusive: false }];
    const held = (bound: Bound): boolean => [...floor, ...oldBounds.map(([, old]) => old)].some((old) => implies(old, bound, group.upper));
    // `maximum: 10` replaced by `exclusiveMaximum: 10` is one tightening, not also a removal.
    const tightened = newBounds.some(([, bound]) => !held(bound));
    for (const [keyword, bound] of newBounds) {
      const old = b.schema[keyword];
      if (held(bound)) {
        if (old !== undefined && old !== bound.value) boundRelaxed(cx, 'after', [...a.path, keyword], `${where}: ${keyword} relaxed from ${String(old)} to ${bound.value}`);
        continue;
      }
      const change = old === undefined ? `${keyword}: ${bound.value} added` : `${keyword} changed from ${String(old)} to ${bound.value}`;
      boundTightened(cx, [...a.path, keyword], `${where}: ${change}`);
    }
    for (const [keyword] of oldBounds.filter(([keyword]) => !tightened && !Object.hasOwn(a.schema, keyword))) {
      boundRelaxed(cx, 'before', [...b.path, keyword], `${where}: ${keyword} removed`);
    }
  }
}

function boundTightened(cx: SchemaComparison, path: SpecPath, change: string): void {
  cx.sink.add('bound-tightened', cx.session, 'after', path, `${change}; a live payload outside the new bound is refused (reason schema)`);
}

function boundRelaxed(cx: SchemaComparison, side: SpecSide, path: SpecPath, change: string): void {
  cx.sink.add('bound-relaxed', cx.session, side, path, change);
}

/** `pattern`, `format`, `multipleOf` and `uniqueItems`: a new one must be the old one, or implied by it. */
function compareExactKeywords(cx: SchemaComparison, b: SchemaAt, a: SchemaAt, where: string): void {
  for (const keyword of ['pattern', 'format', 'multipleOf', 'uniqueItems']) {
    const old = b.schema[keyword];
    const now = a.schema[keyword];
    const constrains = (value: unknown): boolean => value !== undefined && value !== false;
    if (isDeepStrictEqual(old, now) || (!constrains(old) && !constrains(now))) continue;
    // A multiple of 6 is a multiple of 3.
    const implied = !constrains(now) || (keyword === 'multipleOf' && typeof old === 'number' && Number.isInteger(old / (now as number)));
    if (implied) {
      boundRelaxed(cx, constrains(now) ? 'after' : 'before', constrains(now) ? [...a.path, keyword] : [...b.path, keyword], `${where}: ${keyword} ${constrains(now) ? `relaxed from ${JSON.stringify(old)} to ${JSON.stringify(now)}` : 'removed'}`);
    } else {
      const change = constrains(old) ? `${keyword} changed from ${JSON.stringify(old)} to ${JSON.stringify(now)}` : `${keyword}: ${JSON.stringify(now)} added`;
      boundTightened(cx, [...a.path, keyword], `${where}: ${change}`);
    }
  }
}

/** A new `enum` or `const` where the old schema allowed more than a list of values. */
function restrictedToValues(cx: SchemaComparison, a: SchemaAt, where: string): void {
  if (Object.hasOwn(a.schema, 'enum')) {
    cx.sink.add('enum-value-removed', cx.session, 'after', [...a.path, 'enum'], `${where}: enum added where any value of its type was valid; a live payload holding another value is refused (reason schema)`);
  } else if (Object.hasOwn(a.schema, 'const')) {
    cx.sink.add('const-changed', cx.session, 'after', [...a.path, 'const'], `${where}: const added where any value of its type was valid; a live payload holding another value is refused (reason schema)`);
  }
}

/**
 * Properties, `required` and `additionalProperties`. A key an old payload may hold is checked against the
 * schema the new one gives it: a property under its own schema, any other key under `additionalProperties`.
 */
function compareObjects(cx: SchemaComparison, b: SchemaAt, a: SchemaAt, where: string, next: (before: SchemaAt, after: SchemaAt, at: string) => void): void {
  const oldProperties = propertiesOf(b.schema);
  const newProperties = propertiesOf(a.schema);
  const oldOpen = b.schema.additionalProperties !== false;
  const newOpen = a.schema.additionalProperties !== false;
  for (const name of Object.keys(newProperties)) {
    const after = { schema: newProperties[name]!, path: [...a.path, 'properties', name] };
    if (Object.hasOwn(oldProperties, name)) {
      next({ schema: oldProperties[name]!, path: [...b.path, 'properties', name] }, after, `${where}.${name}`);
      continue;
    }
    cx.sink.add('property-added', cx.session, 'after', after.path, `${where}: property ${name} added${oldOpen ? '; a live payload may already hold it as a map key, so its value is checked below' : ''}`);
    if (oldOpen) next(child(b, 'additionalProperties'), after, `${where}.${name}`);
  }
  for (const name of Object.keys(oldProperties).filter((candidate) => !Object.hasOwn(newProperties, candidate))) {
    const path = [...b.path, 'properties', name];
    if (!newOpen) {
      cx.sink.add('property-removed', cx.session, 'before', path, `${where}: property ${name} removed from a closed object (additionalProperties: false); a live payload that holds it is refused (reason schema)`);
      continue;
    }
    cx.sink.add('property-moved-to-map', cx.session, 'before', path, `${where}: property ${name} removed; its live values are now checked under additionalProperties`);
    next({ schema: oldProperties[name]!, path }, child(a, 'additionalProperties'), `${where}.${name}`);
  }
  compareRequired(cx, b, a, where);
  if (oldOpen && !newOpen) {
    cx.sink.add('additional-properties-narrowed', cx.session, 'after', [...a.path, 'additionalProperties'], `${where}: additionalProperties closed (false); a live payload with any key not in properties is refused (reason schema)`);
  } else if (!oldOpen && newOpen) {
    cx.sink.add('additional-properties-relaxed', cx.session, 'after', [...a.path, 'additionalProperties'], `${where}: additionalProperties opened to a schema`);
  } else if (oldOpen && newOpen && (Object.hasOwn(b.schema, 'additionalProperties') || Object.hasOwn(a.schema, 'additionalProperties'))) {
    next(child(b, 'additionalProperties'), child(a, 'additionalProperties'), `${where}.*`);
  }
}

function compareRequired(cx: SchemaComparison, b: SchemaAt, a: SchemaAt, where: string): void {
  const oldRequired = requiredOf(b.schema);
  const newRequired = requiredOf(a.schema);
  newRequired.forEach((name, index) => {
    if (oldRequired.includes(name)) return;
    cx.sink.add('required-added', cx.session, 'after', [...a.path, 'required', index], `${where}: property ${name} is now required; a live payload without it is refused (reason schema)`);
  });
  oldRequired.forEach((name, index) => {
    if (!newRequired.includes(name)) cx.sink.add('required-removed', cx.session, 'before', [...b.path, 'required', index], `${where}: property ${name} is no longer required`);
  });
}

function propertiesOf(schema: JsonSchema): Readonly<Record<string, JsonSchema>> {
  return isSchema(schema.properties) ? (schema.properties as Readonly<Record<string, JsonSchema>>) : {};
}

function requiredOf(schema: JsonSchema): readonly string[] {
  return Array.isArray(schema.required) ? (schema.required as string[]) : [];
}

function isSchema(value: unknown): value is JsonSchema {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
