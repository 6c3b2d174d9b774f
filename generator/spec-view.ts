/**
 * What a semantic rule sees: the spec as written, read defensively. Rules run even when the spec also
 * breaks its JSON Schema (so every error is reported at once), which means any value here may have the
 * wrong shape; a rule checks only values of the shape it is about and leaves the rest to ajv.
 *
 * It is a shape of its own, beside the typed `SpecDocument` (spec-document.ts) and the model, because it
 * holds a spec no schema has vouched for yet: the only place the generator reads spec data defensively.
 * Only a spec that passes the schema and every rule goes on, typed, to `normalize`.
 */
import { didYouMean } from './did-you-mean.js';
import type { NodePart, SpecSource } from './load.js';
import type { SpecError, SpecWarning } from './spec-error.js';
import { formatSpecPath } from './spec-path.js';
import type { SpecPath } from './spec-path.js';

/** One semantic rule: what it refuses, in a line, and the check. */
export interface SpecRule {
  readonly refuses: string;
  readonly check: (spec: SpecView) => SpecError[];
}

/** A setting the spec may write but should know the risk of: what it warns about, in a line, and the check. */
export interface SpecWarningRule {
  readonly warns: string;
  readonly check: (spec: SpecView) => SpecWarning[];
}

export interface SessionView {
  /** The key under `sessions:`. */
  readonly key: string;
  readonly path: SpecPath;
  readonly fields: Fields;
  /** `cookie` when not written; `undefined` when written but neither `cookie` nor `header`. */
  readonly transport: 'cookie' | 'header' | undefined;
  /** The cookie or header name (`name:`, or the key by default); `undefined` when `name` is not a string. */
  readonly wireName: string | undefined;
  /** Where the wire name is written: `name:`, or the session's key when defaulted. */
  readonly wireNameAt: NodeRef;
  /** `cookie:` as written, or empty. */
  readonly cookie: Fields;
  /** `expiry:` as written, or empty. */
  readonly expiry: Fields;
}

export interface SpecView {
  readonly source: SpecSource;
  /** `keys:` entries by name, in spec order; an entry that is not a mapping has no fields. */
  readonly keyRings: ReadonlyMap<string, Fields>;
  /** `storages:` entries by name, in spec order; an entry that is not a mapping has no fields. */
  readonly storages: ReadonlyMap<string, Fields>;
  /** `types:` entries, in spec order. */
  readonly types: readonly (readonly [string, unknown])[];
  readonly sessions: readonly SessionView[];
}

export type Fields = Readonly<Record<string, unknown>>;

/** A node an error can point at. */
export interface NodeRef {
  readonly path: SpecPath;
  readonly part: NodePart;
}

/** The mapping `value` is, or `undefined` for anything else. */
export function fieldsOf(value: unknown): Fields | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Fields) : undefined;
}

/** Entries of a mapping, in spec order; none for anything else. */
export function entriesOf(value: unknown): [string, unknown][] {
  return Object.entries(fieldsOf(value) ?? {});
}

/**
 * @example
 * viewSpec(source).sessions.map((session) => session.wireName); // ['USER_SESSION', 'X-Cart-Session']
 */
export function viewSpec(source: SpecSource): SpecView {
  const spec = fieldsOf(source.data) ?? {};
  return {
    source,
    keyRings: fieldsByName(spec.keys),
    storages: fieldsByName(spec.storages),
    types: entriesOf(spec.types),
    // A session that is not a mapping is ajv's to report; no rule can say more about it.
    sessions: entriesOf(spec.sessions).flatMap(([key, value]) => {
      const fields = fieldsOf(value);
      return fields === undefined ? [] : [viewSession(key, fields)];
    }),
  };
}

function fieldsByName(section: unknown): ReadonlyMap<string, Fields> {
  return new Map(entriesOf(section).map(([name, value]) => [name, fieldsOf(value) ?? {}]));
}

function viewSession(key: string, fields: Fields): SessionView {
  const path = ['sessions', key];
  const transport = fields.transport ?? 'cookie';
  const name = Object.hasOwn(fields, 'name') ? fields.name : key;
  return {
    key,
    path,
    fields,
    transport: transport === 'cookie' || transport === 'header' ? transport : undefined,
    wireName: typeof name === 'string' ? name : undefined,
    wireNameAt: Object.hasOwn(fields, 'name') ? { path: [...path, 'name'], part: 'value' } : { path, part: 'key' },
    cookie: fieldsOf(fields.cookie) ?? {},
    expiry: fieldsOf(fields.expiry) ?? {},
  };
}

/**
 * The message for a name that refers to nothing, listing what exists.
 *
 * @example
 * unknownName(['sessions', 'cart', 'storage'], 'storage', 'mme', ['mem'], 'storages');
 * // 'sessions.cart.storage names unknown storage "mme" (declared storages: mem); did you mean "mem"?'
 */
export function unknownName(path: SpecPath, kind: string, name: string, known: readonly string[], section: string): string {
  const declared = known.length === 0 ? `no ${kind}s are declared; add one under ${section}:` : `declared ${kind}s: ${known.join(', ')}`;
  return `${formatSpecPath(path)} names unknown ${kind} "${name}" (${declared})${didYouMean(name, known)}`;
}
