/**
 * The breaking-change check (issue #13) through its entry, `compareSpecs` over two specs loaded by
 * `loadSpecText`: each kind of change as a pair of small specs with its exact findings, and a property
 * that whatever the check calls compatible keeps every old payload valid.
 */
import { describe, expect, it } from 'vitest';
import { compareSpecs } from '../../generator/compat/compare-specs.js';
import { FINDING_KINDS } from '../../generator/compat/finding.js';
import { loadSpecText } from '../../generator/spec.js';

/** What a spec around one session `user` may vary; every line is YAML indented for its place. */
interface SpecParts {
  /** `user`'s schema, as the value after `schema: `. */
  readonly schema?: string;
  /** `user`'s settings besides its schema. */
  readonly settings?: string;
  readonly keys?: string;
  readonly storages?: string;
  readonly types?: string;
  /** Sessions after `user`. */
  readonly more?: string;
}

const BASE = {
  schema: '{ type: object, properties: { id: { type: string, maxLength: 10 } }, required: [id], additionalProperties: false }',
  settings: '    transform: [{ encrypt: main }]\n    expiry: { maxAge: 7d }',
  keys: '  main: { env: KEYS }\n  other: { env: OTHER_KEYS }',
  storages: '  redis: { kind: redis, url: { env: REDIS_URL }, prefix: "sess:" }',
  types: '  Name: { type: string, maxLength: 20 }',
  more: '',
} satisfies SpecParts;

function specText(parts: SpecParts): string {
  const { schema, settings, keys, storages, types, more } = { ...BASE, ...parts };
  return ['version: 1', 'keys:', keys, 'storages:', storages, 'types:', types, 'sessions:', '  user:', settings, `    schema: ${schema}`, more, ''].join('\n');
}

function loaded(parts: SpecParts, file: string) {
  const result = loadSpecText(specText(parts), file);
  if (!result.ok) throw new Error(result.errors.map((error) => `${file}:${error.line}:${error.col}: ${error.message}`).join('\n'));
  return result;
}

interface Finding {
  readonly kind: string;
  readonly status: 'breaking' | 'acknowledged' | 'compatible';
  /** `FILE:LINE:COL`: `new.yaml` for a change, `old.yaml` for what the new spec no longer has. */
  readonly at: string;
  readonly message: string;
}

function findings(before: SpecParts, after: SpecParts): Finding[] {
  return compareSpecs(loaded(before, 'old.yaml'), loaded(after, 'new.yaml')).map((finding) => ({
    kind: finding.kind,
    status: finding.status,
    at: `${finding.file}:${finding.line}:${finding.col}`,
    message: finding.message,
  }));
}

interface Case {
  readonly name: string;
  readonly before: SpecParts;
  readonly after: SpecParts;
  readonly want: readonly Finding[];
}

const SCHEMA_CASES: readonly Case[] = [
  {
    name: 'unchanged',
    before: {},
    after: {},
    want: [],
  },
  {
    name: 'required-added',
    before: { schema: '{ type: object, properties: { id: { type: string }, tag: { type: string } }, required: [id], additionalProperties: false }' },
    after: { schema: '{ type: object, properties: { id: { type: string }, tag: { type: string } }, required: [id, tag], additionalProperties: false }' },
    want: [
      { kind: 'required-added', status: 'breaking', at: 'new.yaml:13:105', message: 'session "user": payload: property tag is now required; a live payload without it is refused (reason schema); raise version: and keep the old schema under history: with a migrate: to the next version, or write acknowledgeLogout: "why" on the session to accept the logout' },
    ],
  },
  {
    name: 'required-removed',
    before: { schema: '{ type: object, properties: { id: { type: string } }, required: [id], additionalProperties: false }' },
    after: { schema: '{ type: object, properties: { id: { type: string } }, additionalProperties: false }' },
    want: [
      { kind: 'required-removed', status: 'compatible', at: 'old.yaml:13:78', message: 'session "user": payload: property id is no longer required' },
    ],
  },
  {
    name: 'optional property-added',
    before: {},
    after: { schema: '{ type: object, properties: { id: { type: string, maxLength: 10 }, note: { type: string } }, required: [id], additionalProperties: false }' },
    want: [
      { kind: 'property-added', status: 'compatible', at: 'new.yaml:13:86', message: 'session "user": payload: property note added' },
    ],
  },
  {
    name: 'required property added',
    before: {},
    after: { schema: '{ type: object, properties: { id: { type: string, maxLength: 10 }, note: { type: string } }, required: [id, note], additionalProperties: false }' },
    want: [
      { kind: 'property-added', status: 'compatible', at: 'new.yaml:13:86', message: 'session "user": payload: property note added' },
      { kind: 'required-added', status: 'breaking', at: 'new.yaml:13:121', message: 'session "user": payload: property note is now required; a live payload without it is refused (reason schema); raise version: and keep the old schema under history: with a migrate: to the next version, or write acknowledgeLogout: "why" on the session to accept the logout' },
    ],
  },
  {
    name: 'property added to a map',
    before: { schema: '{ type: object, additionalProperties: { type: string } }' },
    after: { schema: '{ type: object, properties: { id: { type: string, maxLength: 3 } }, additionalProperties: { type: string } }' },
    want: [
      { kind: 'property-added', status: 'compatible', at: 'new.yaml:13:47', message: 'session "user": payload: property id added; a live payload may already hold it as a map key, so its value is checked below' },
      { kind: 'bound-tightened', status: 'breaking', at: 'new.yaml:13:74', message: 'session "user": payload.id: maxLength: 3 added; a live payload outside the new bound is refused (reason schema); raise version: and keep the old schema under history: with a migrate: to the next version, or write acknowledgeLogout: "why" on the session to accept the logout' },
    ],
  },
  {
    name: 'property-removed from a closed object',
    before: { schema: '{ type: object, properties: { id: { type: string }, tag: { type: string } }, additionalProperties: false }' },
    after: { schema: '{ type: object, properties: { id: { type: string } }, additionalProperties: false }' },
    want: [
      { kind: 'property-removed', status: 'breaking', at: 'old.yaml:13:70', message: 'session "user": payload: property tag removed from a closed object (additionalProperties: false); a live payload that holds it is refused (reason schema); raise version: and keep the old schema under history: with a migrate: to the next version, or write acknowledgeLogout: "why" on the session to accept the logout' },
    ],
  },
  {
    name: 'property-moved-to-map',
    before: { schema: '{ type: object, properties: { id: { type: string }, tag: { enum: [a, b] } }, additionalProperties: false }' },
    after: { schema: '{ type: object, properties: { id: { type: string } }, additionalProperties: { type: string } }' },
    want: [
      { kind: 'property-moved-to-map', status: 'compatible', at: 'old.yaml:13:70', message: 'session "user": payload: property tag removed; its live values are now checked under additionalProperties' },
      { kind: 'additional-properties-relaxed', status: 'compatible', at: 'new.yaml:13:89', message: 'session "user": payload: additionalProperties opened to a schema' },
    ],
  },
  {
    name: 'type-narrowed from nullable',
    before: { schema: '{ type: object, properties: { id: { type: [string, "null"] } }, additionalProperties: false }' },
    after: { schema: '{ type: object, properties: { id: { type: string } }, additionalProperties: false }' },
    want: [
      { kind: 'type-narrowed', status: 'breaking', at: 'new.yaml:13:55', message: 'session "user": payload.id: type narrowed from string or null to string; a live payload with a value of a type no longer allowed is refused (reason schema); raise version: and keep the old schema under history: with a migrate: to the next version, or write acknowledgeLogout: "why" on the session to accept the logout' },
    ],
  },
  {
    name: 'type-narrowed from number to integer',
    before: { schema: '{ type: object, properties: { n: { type: number } }, additionalProperties: false }' },
    after: { schema: '{ type: object, properties: { n: { type: integer } }, additionalProperties: false }' },
    want: [
      { kind: 'type-narrowed', status: 'breaking', at: 'new.yaml:13:54', message: 'session "user": payload.n: type narrowed from number to integer; a live payload with a value of a type no longer allowed is refused (reason schema); raise version: and keep the old schema under history: with a migrate: to the next version, or write acknowledgeLogout: "why" on the session to accept the logout' },
    ],
  },
  {
    name: 'type-widened',
    before: { schema: '{ type: object, properties: { n: { type: integer } }, additionalProperties: false }' },
    after: { schema: '{ type: object, properties: { n: { type: [number, "null"] } }, additionalProperties: false }' },
    want: [
      { kind: 'type-widened', status: 'compatible', at: 'new.yaml:13:54', message: 'session "user": payload.n: type widened from integer to number or null' },
    ],
  },
  {
    name: 'enum-value-removed',
    before: { schema: '{ type: object, properties: { tag: { enum: [a, b] } }, additionalProperties: false }' },
    after: { schema: '{ type: object, properties: { tag: { enum: [a] } }, additionalProperties: false }' },
    want: [
      { kind: 'enum-value-removed', status: 'breaking', at: 'new.yaml:13:56', message: 'session "user": payload.tag: the value "b" is no longer valid (must be equal to one of the allowed values); a live payload holding it is refused (reason schema); raise version: and keep the old schema under history: with a migrate: to the next version, or write acknowledgeLogout: "why" on the session to accept the logout' },
    ],
  },
  {
    name: 'enum value refused by a new bound',
    before: { schema: '{ type: object, properties: { tag: { enum: [a, bb] } }, additionalProperties: false }' },
    after: { schema: '{ type: object, properties: { tag: { type: string, maxLength: 1 } }, additionalProperties: false }' },
    want: [
      { kind: 'enum-value-removed', status: 'breaking', at: 'new.yaml:13:48', message: 'session "user": payload.tag: the value "bb" is no longer valid (must NOT have more than 1 characters); a live payload holding it is refused (reason schema); raise version: and keep the old schema under history: with a migrate: to the next version, or write acknowledgeLogout: "why" on the session to accept the logout' },
    ],
  },
  {
    name: 'enum-value-added',
    before: { schema: '{ type: object, properties: { tag: { enum: [a] } }, additionalProperties: false }' },
    after: { schema: '{ type: object, properties: { tag: { enum: [a, b] } }, additionalProperties: false }' },
    want: [
      { kind: 'enum-value-added', status: 'compatible', at: 'new.yaml:13:56', message: 'session "user": payload.tag: enum values added: "b"' },
    ],
  },
  {
    name: 'enum added to a string',
    before: { schema: '{ type: object, properties: { tag: { type: string } }, additionalProperties: false }' },
    after: { schema: '{ type: object, properties: { tag: { type: string, enum: [a] } }, additionalProperties: false }' },
    want: [
      { kind: 'enum-value-removed', status: 'breaking', at: 'new.yaml:13:70', message: 'session "user": payload.tag: enum added where any value of its type was valid; a live payload holding another value is refused (reason schema); raise version: and keep the old schema under history: with a migrate: to the next version, or write acknowledgeLogout: "why" on the session to accept the logout' },
    ],
  },
  {
    name: 'const-changed',
    before: { schema: '{ type: object, properties: { v: { const: 1 } }, additionalProperties: false }' },
    after: { schema: '{ type: object, properties: { v: { const: 2 } }, additionalProperties: false }' },
    want: [
      { kind: 'const-changed', status: 'breaking', at: 'new.yaml:13:55', message: 'session "user": payload.v: the value 1 is no longer valid (must be equal to constant); a live payload holding it is refused (reason schema); raise version: and keep the old schema under history: with a migrate: to the next version, or write acknowledgeLogout: "why" on the session to accept the logout' },
    ],
  },
  {
    name: 'bound-tightened on strings',
    before: { schema: '{ type: object, properties: { id: { type: string, maxLength: 10 } }, additionalProperties: false }' },
    after: { schema: '{ type: object, properties: { id: { type: string, minLength: 2, maxLength: 5, pattern: "^[a-z]+$", format: email } }, additionalProperties: false }' },
    want: [
      { kind: 'bound-tightened', status: 'breaking', at: 'new.yaml:13:88', message: 'session "user": payload.id: maxLength changed from 10 to 5; a live payload outside the new bound is refused (reason schema); raise version: and keep the old schema under history: with a migrate: to the next version, or write acknowledgeLogout: "why" on the session to accept the logout' },
      { kind: 'bound-tightened', status: 'breaking', at: 'new.yaml:13:74', message: 'session "user": payload.id: minLength: 2 added; a live payload outside the new bound is refused (reason schema); raise version: and keep the old schema under history: with a migrate: to the next version, or write acknowledgeLogout: "why" on the session to accept the logout' },
      { kind: 'bound-tightened', status: 'breaking', at: 'new.yaml:13:100', message: 'session "user": payload.id: pattern: "^[a-z]+$" added; a live payload outside the new bound is refused (reason schema); raise version: and keep the old schema under history: with a migrate: to the next version, or write acknowledgeLogout: "why" on the session to accept the logout' },
      { kind: 'bound-tightened', status: 'breaking', at: 'new.yaml:13:120', message: 'session "user": payload.id: format: "email" added; a live payload outside the new bound is refused (reason schema); raise version: and keep the old schema under history: with a migrate: to the next version, or write acknowledgeLogout: "why" on the session to accept the logout' },
    ],
  },
  {
    name: 'bound-tightened on numbers',
    before: { schema: '{ type: object, properties: { n: { type: number, minimum: 0, maximum: 10, multipleOf: 2 } }, additionalProperties: false }' },
    after: { schema: '{ type: object, properties: { n: { type: number, minimum: 1, exclusiveMaximum: 10, multipleOf: 4 } }, additionalProperties: false }' },
    want: [
      { kind: 'bound-tightened', status: 'breaking', at: 'new.yaml:13:92', message: 'session "user": payload.n: exclusiveMaximum: 10 added; a live payload outside the new bound is refused (reason schema); raise version: and keep the old schema under history: with a migrate: to the next version, or write acknowledgeLogout: "why" on the session to accept the logout' },
      { kind: 'bound-tightened', status: 'breaking', at: 'new.yaml:13:71', message: 'session "user": payload.n: minimum changed from 0 to 1; a live payload outside the new bound is refused (reason schema); raise version: and keep the old schema under history: with a migrate: to the next version, or write acknowledgeLogout: "why" on the session to accept the logout' },
      { kind: 'bound-tightened', status: 'breaking', at: 'new.yaml:13:108', message: 'session "user": payload.n: multipleOf changed from 2 to 4; a live payload outside the new bound is refused (reason schema); raise version: and keep the old schema under history: with a migrate: to the next version, or write acknowledgeLogout: "why" on the session to accept the logout' },
    ],
  },
  {
    name: 'bound-tightened on arrays',
    before: { schema: '{ type: object, properties: { l: { type: array, items: { type: string }, maxItems: 5 } }, additionalProperties: false }' },
    after: { schema: '{ type: object, properties: { l: { type: array, items: { type: string, pattern: "^x" }, minItems: 1, maxItems: 4, uniqueItems: true } }, additionalProperties: false }' },
    want: [
      { kind: 'bound-tightened', status: 'breaking', at: 'new.yaml:13:124', message: 'session "user": payload.l: maxItems changed from 5 to 4; a live payload outside the new bound is refused (reason schema); raise version: and keep the old schema under history: with a migrate: to the next version, or write acknowledgeLogout: "why" on the session to accept the logout' },
      { kind: 'bound-tightened', status: 'breaking', at: 'new.yaml:13:111', message: 'session "user": payload.l: minItems: 1 added; a live payload outside the new bound is refused (reason schema); raise version: and keep the old schema under history: with a migrate: to the next version, or write acknowledgeLogout: "why" on the session to accept the logout' },
      { kind: 'bound-tightened', status: 'breaking', at: 'new.yaml:13:140', message: 'session "user": payload.l: uniqueItems: true added; a live payload outside the new bound is refused (reason schema); raise version: and keep the old schema under history: with a migrate: to the next version, or write acknowledgeLogout: "why" on the session to accept the logout' },
      { kind: 'bound-tightened', status: 'breaking', at: 'new.yaml:13:93', message: 'session "user": payload.l[]: pattern: "^x" added; a live payload outside the new bound is refused (reason schema); raise version: and keep the old schema under history: with a migrate: to the next version, or write acknowledgeLogout: "why" on the session to accept the logout' },
    ],
  },
  {
    name: 'pattern changed',
    before: { schema: '{ type: object, properties: { id: { type: string, pattern: "^a" } }, additionalProperties: false }' },
    after: { schema: '{ type: object, properties: { id: { type: string, pattern: "^b" } }, additionalProperties: false }' },
    want: [
      { kind: 'bound-tightened', status: 'breaking', at: 'new.yaml:13:72', message: 'session "user": payload.id: pattern changed from "^a" to "^b"; a live payload outside the new bound is refused (reason schema); raise version: and keep the old schema under history: with a migrate: to the next version, or write acknowledgeLogout: "why" on the session to accept the logout' },
    ],
  },
  {
    name: 'bound-relaxed',
    before: { schema: '{ type: object, properties: { id: { type: string, minLength: 3, maxLength: 10, pattern: "^a" }, n: { type: integer, maximum: 5, multipleOf: 4 } }, additionalProperties: false }' },
    after: { schema: '{ type: object, properties: { id: { type: string, minLength: 1, maxLength: 20 }, n: { type: integer, exclusiveMaximum: 9, multipleOf: 2 } }, additionalProperties: false }' },
    want: [
      { kind: 'bound-relaxed', status: 'compatible', at: 'new.yaml:13:88', message: 'session "user": payload.id: maxLength relaxed from 10 to 20' },
      { kind: 'bound-relaxed', status: 'compatible', at: 'new.yaml:13:74', message: 'session "user": payload.id: minLength relaxed from 3 to 1' },
      { kind: 'bound-relaxed', status: 'compatible', at: 'old.yaml:13:101', message: 'session "user": payload.id: pattern removed' },
      { kind: 'bound-relaxed', status: 'compatible', at: 'old.yaml:13:138', message: 'session "user": payload.n: maximum removed' },
      { kind: 'bound-relaxed', status: 'compatible', at: 'new.yaml:13:147', message: 'session "user": payload.n: multipleOf relaxed from 4 to 2' },
    ],
  },
  {
    name: 'additional-properties-narrowed',
    before: { schema: '{ type: object, additionalProperties: { type: string } }' },
    after: { schema: '{ type: object, additionalProperties: false }' },
    want: [
      { kind: 'additional-properties-narrowed', status: 'breaking', at: 'new.yaml:13:51', message: 'session "user": payload: additionalProperties closed (false); a live payload with any key not in properties is refused (reason schema); raise version: and keep the old schema under history: with a migrate: to the next version, or write acknowledgeLogout: "why" on the session to accept the logout' },
    ],
  },
  {
    name: 'map values narrowed',
    before: { schema: '{ type: object, additionalProperties: { type: string } }' },
    after: { schema: '{ type: object, additionalProperties: { type: string, maxLength: 3 } }' },
    want: [
      { kind: 'bound-tightened', status: 'breaking', at: 'new.yaml:13:78', message: 'session "user": payload.*: maxLength: 3 added; a live payload outside the new bound is refused (reason schema); raise version: and keep the old schema under history: with a migrate: to the next version, or write acknowledgeLogout: "why" on the session to accept the logout' },
    ],
  },
  {
    name: 'additional-properties-relaxed',
    before: { schema: '{ type: object, properties: { id: { type: string } }, additionalProperties: false }' },
    after: { schema: '{ type: object, properties: { id: { type: string } }, additionalProperties: { type: integer } }' },
    want: [
      { kind: 'additional-properties-relaxed', status: 'compatible', at: 'new.yaml:13:89', message: 'session "user": payload: additionalProperties opened to a schema' },
    ],
  },
  {
    name: 'unproven oneOf change',
    before: { schema: '{ type: object, properties: { v: { oneOf: [{ type: string }, { type: integer }] } }, additionalProperties: false }' },
    after: { schema: '{ type: object, properties: { v: { oneOf: [{ type: string }, { type: number }] } }, additionalProperties: false }' },
    want: [
      { kind: 'unproven', status: 'breaking', at: 'new.yaml:13:55', message: 'session "user": payload.v: oneOf changed, and the check cannot prove that every payload valid before is valid now, so it counts as breaking; raise version: and keep the old schema under history: with a migrate: to the next version, or write acknowledgeLogout: "why" on the session to accept the logout' },
    ],
  },
  {
    name: 'anyOf compared branch by branch',
    before: { schema: '{ type: object, properties: { v: { anyOf: [{ type: string }, { type: integer }] } }, additionalProperties: false }' },
    after: { schema: '{ type: object, properties: { v: { anyOf: [{ type: string, maxLength: 2 }, { type: number }] } }, additionalProperties: false }' },
    want: [
      { kind: 'bound-tightened', status: 'breaking', at: 'new.yaml:13:83', message: 'session "user": payload.v: maxLength: 2 added; a live payload outside the new bound is refused (reason schema); raise version: and keep the old schema under history: with a migrate: to the next version, or write acknowledgeLogout: "why" on the session to accept the logout' },
      { kind: 'type-widened', status: 'compatible', at: 'new.yaml:13:96', message: 'session "user": payload.v: type widened from integer to number' },
    ],
  },
  {
    name: '$ref followed into types on both sides',
    before: { schema: '{ type: object, properties: { name: { $ref: "#/types/Name" } }, additionalProperties: false }' },
    after: { types: '  Name: { type: string, maxLength: 8 }', schema: '{ type: object, properties: { name: { $ref: "#/types/Name" } }, additionalProperties: false }' },
    want: [
      { kind: 'bound-tightened', status: 'breaking', at: 'new.yaml:8:36', message: 'session "user": payload.name: maxLength changed from 20 to 8; a live payload outside the new bound is refused (reason schema); raise version: and keep the old schema under history: with a migrate: to the next version, or write acknowledgeLogout: "why" on the session to accept the logout' },
    ],
  },
  {
    name: 'a $ref replaced by what it pointed at',
    before: { schema: '{ type: object, properties: { name: { $ref: "#/types/Name" } }, additionalProperties: false }' },
    after: { schema: '{ type: object, properties: { name: { type: string, maxLength: 20 } }, additionalProperties: false }' },
    want: [],
  },
  {
    name: 'session-removed and session-added',
    before: { more: '  cart:\n    transform: [{ sign: main }]\n    schema: { type: object, additionalProperties: false }' },
    after: { more: '  basket:\n    transform: [{ sign: main }]\n    schema: { type: object, additionalProperties: false }' },
    want: [
      { kind: 'session-removed', status: 'breaking', at: 'old.yaml:15:5', message: 'session "cart": session removed; its live tokens are no longer read; keep the session, or write acknowledgeLogout: "why" on it in one change and remove it in the next' },
      { kind: 'session-added', status: 'compatible', at: 'new.yaml:15:5', message: 'session "basket": session added' },
    ],
  },
  {
    name: 'cookie name-changed',
    before: {},
    after: { settings: `${BASE.settings}\n    name: account` },
    want: [
      { kind: 'name-changed', status: 'breaking', at: 'new.yaml:13:11', message: 'session "user": cookie renamed from "user" to "account"; clients keep sending "user", which is no longer read; keep the old setting, or write acknowledgeLogout: "why" on the session to accept the logout (a payload version does not cover this)' },
    ],
  },
  {
    name: 'header name-changed',
    before: { settings: `${BASE.settings}\n    transport: header\n    name: X-User` },
    after: { settings: `${BASE.settings}\n    transport: header\n    name: X-Account` },
    want: [
      { kind: 'name-changed', status: 'breaking', at: 'new.yaml:14:11', message: 'session "user": header renamed from "X-User" to "X-Account"; clients keep sending "X-User", which is no longer read; keep the old setting, or write acknowledgeLogout: "why" on the session to accept the logout (a payload version does not cover this)' },
    ],
  },
  {
    name: 'transport-changed',
    before: {},
    after: { settings: `${BASE.settings}\n    transport: header` },
    want: [
      { kind: 'transport-changed', status: 'breaking', at: 'new.yaml:13:16', message: 'session "user": transport changed from cookie to header; live tokens arrive where the session no longer reads; keep the old setting, or write acknowledgeLogout: "why" on the session to accept the logout (a payload version does not cover this)' },
    ],
  },
  {
    name: 'cookie chunked turned on',
    before: {},
    after: { settings: `${BASE.settings}\n    cookie: { chunked: true }` },
    want: [
      { kind: 'transport-changed', status: 'breaking', at: 'new.yaml:13:24', message: 'session "user": cookie.chunked turned on; live tokens sit in cookies the session no longer reads (docs/spec.md, cookie); keep the old setting, or write acknowledgeLogout: "why" on the session to accept the logout (a payload version does not cover this)' },
    ],
  },
  {
    name: 'serializer-changed',
    before: {},
    after: { settings: `${BASE.settings}\n    serializer: { module: ./codec.js, export: codec }` },
    want: [
      { kind: 'serializer-changed', status: 'breaking', at: 'new.yaml:13:17', message: 'session "user": serializer changed from json to ./codec.js#codec; live tokens were written by the old one; keep the old setting, or write acknowledgeLogout: "why" on the session to accept the logout (a payload version does not cover this)' },
    ],
  },
  {
    name: 'transforms-changed',
    before: {},
    after: { settings: '    transform: [{ sign: main }, { encrypt: main }]\n    expiry: { maxAge: 7d }' },
    want: [
      { kind: 'transforms-changed', status: 'breaking', at: 'new.yaml:11:16', message: 'session "user": transform changed from [encrypt] to [sign, encrypt]; live tokens were sealed by the old steps; keep the old setting, or write acknowledgeLogout: "why" on the session to accept the logout (a payload version does not cover this)' },
    ],
  },
  {
    name: 'key-ring-changed: its env',
    before: {},
    after: { keys: '  main: { env: NEW_KEYS }\n  other: { env: OTHER_KEYS }' },
    want: [
      { kind: 'key-ring-changed', status: 'breaking', at: 'new.yaml:3:9', message: 'session "user": key ring of transform[0] changed from "main" (env KEYS) to "main" (env NEW_KEYS); live tokens were sealed with the old keys; keep the old setting, or write acknowledgeLogout: "why" on the session to accept the logout (a payload version does not cover this)' },
    ],
  },
  {
    name: 'key-ring-changed: another ring',
    before: {},
    after: { settings: '    transform: [{ encrypt: other }]\n    expiry: { maxAge: 7d }' },
    want: [
      { kind: 'key-ring-changed', status: 'breaking', at: 'new.yaml:11:17', message: 'session "user": key ring of transform[0] changed from "main" (env KEYS) to "other" (env OTHER_KEYS); live tokens were sealed with the old keys; keep the old setting, or write acknowledgeLogout: "why" on the session to accept the logout (a payload version does not cover this)' },
    ],
  },
  {
    name: 'a ring renamed, its env kept',
    before: {},
    after: { keys: '  primary: { env: KEYS }\n  other: { env: OTHER_KEYS }', settings: '    transform: [{ encrypt: primary }]\n    expiry: { maxAge: 7d }' },
    want: [],
  },
  {
    name: 'storage-changed: by value to by id',
    before: {},
    after: { settings: `${BASE.settings}\n    storage: redis` },
    want: [
      { kind: 'storage-changed', status: 'breaking', at: 'new.yaml:13:14', message: 'session "user": storage changed from none (by value) to "redis" (redis); live sessions are not where the session now looks; keep the old setting, or write acknowledgeLogout: "why" on the session to accept the logout (a payload version does not cover this)' },
    ],
  },
  {
    name: 'prefix-changed',
    before: { settings: `${BASE.settings}\n    storage: redis` },
    after: { storages: '  redis: { kind: redis, url: { env: REDIS_URL }, prefix: "app:" }', settings: `${BASE.settings}\n    storage: redis` },
    want: [
      { kind: 'prefix-changed', status: 'breaking', at: 'new.yaml:6:58', message: 'session "user": Redis prefix changed from "sess:" to "app:"; live entries are stored under the old prefix; keep the old setting, or write acknowledgeLogout: "why" on the session to accept the logout (a payload version does not cover this)' },
    ],
  },
  {
    name: 'max-age-shortened',
    before: {},
    after: { settings: '    transform: [{ encrypt: main }]\n    expiry: { maxAge: 1d }' },
    want: [
      { kind: 'max-age-shortened', status: 'breaking', at: 'new.yaml:12:23', message: 'session "user": expiry.maxAge shortened from 7d to 1d; live sessions older than 1d end at once; keep the old setting, or write acknowledgeLogout: "why" on the session to accept the logout (a payload version does not cover this)' },
    ],
  },
  {
    name: 'max-age-lengthened',
    before: {},
    after: { settings: '    transform: [{ encrypt: main }]\n    expiry: { maxAge: 2w }' },
    want: [
      { kind: 'max-age-lengthened', status: 'compatible', at: 'new.yaml:12:23', message: 'session "user": expiry.maxAge lengthened from 7d to 14d' },
    ],
  },
];

// Payload versions: `user` at version 2 keeping version 1 (BASE's schema) under history, migrating to 2.
const MIGRATE = 'migrate: { module: ./migrations.js, export: userV1toV2 }';
const V2 = `${BASE.settings}\n    version: 2\n    history:\n      1:\n        schema: ${BASE.schema}\n        ${MIGRATE}`;
const TAG_REQUIRED = '{ type: object, properties: { id: { type: string, maxLength: 10 }, tag: { type: string } }, required: [id, tag], additionalProperties: false }';
// A Ktor-format session `user` may migrate from, and the raw key ring Ktor's transforms need.
const KTOR_USER = `  ktor_user:\n    serializer: ktor-json\n    transform: [{ ktor-sign: ktor }]\n    schema: ${BASE.schema}`;
const KTOR_KEYS = `${BASE.keys}\n  ktor: { env: KTOR_KEYS, encoding: hex }`;
const ACKNOWLEDGED = `${BASE.settings}\n    acknowledgeLogout: "ids re-issued"`;

const VERSION_CASES: readonly Case[] = [
  {
    name: 'version-raised: the current change covered by history of the old version',
    before: {},
    after: { settings: V2, schema: TAG_REQUIRED },
    want: [
      { kind: 'version-raised', status: 'compatible', at: 'new.yaml:13:14', message: 'session "user": version raised from 1 to 2; live payloads of version 1 are read under history 1 and migrated' },
      { kind: 'property-added', status: 'compatible', at: 'new.yaml:18:85', message: 'session "user": payload: property tag added' },
      { kind: 'required-added', status: 'compatible', at: 'new.yaml:18:120', message: 'session "user": payload: property tag is now required; a live payload without it is refused (reason schema); covered by the migration from version 1' },
    ],
  },
  {
    name: 'history of the old version narrower than what is live',
    before: {},
    after: { settings: V2.replace('maxLength: 10', 'maxLength: 5') },
    want: [
      { kind: 'version-raised', status: 'compatible', at: 'new.yaml:13:14', message: 'session "user": version raised from 1 to 2; live payloads of version 1 are read under history 1 and migrated' },
      { kind: 'bound-tightened', status: 'breaking', at: 'new.yaml:16:78', message: 'session "user": history 1 payload.id: maxLength changed from 10 to 5; a live payload outside the new bound is refused (reason schema); history 1 must accept every payload written under version 1: give it the schema version 1 had, or write acknowledgeLogout: "why" on the session to accept the logout' },
    ],
  },
  {
    name: 'version-raised-without-history',
    before: {},
    after: { settings: `${BASE.settings}\n    version: 2`, schema: TAG_REQUIRED },
    want: [
      { kind: 'version-raised-without-history', status: 'breaking', at: 'new.yaml:13:14', message: 'session "user": version raised from 1 to 2 with no history 1; live payloads written under version 1 are refused (reason schema); keep the old version under history: with its schema and a migrate: to the next one, or write acknowledgeLogout: "why" on the session to accept the logout' },
    ],
  },
  {
    name: 'version-lowered',
    before: { settings: V2 },
    after: {},
    want: [
      { kind: 'version-lowered', status: 'breaking', at: 'new.yaml:11:5', message: 'session "user": version lowered from 2 to 1; live payloads written under version 2 fit no declared version and are refused (reason schema); keep version: at least the old one, or write acknowledgeLogout: "why" on the session to accept the logout' },
    ],
  },
  {
    name: 'version-dropped',
    before: { settings: `${V2.replace('version: 2', 'version: 3')}\n      2:\n        schema: ${BASE.schema}\n        migrate: { module: ./migrations.js, export: userV2toV3 }` },
    after: { settings: `${BASE.settings}\n    version: 3\n    history:\n      2:\n        schema: ${BASE.schema}\n        migrate: { module: ./migrations.js, export: userV2toV3 }` },
    want: [
      { kind: 'version-dropped', status: 'breaking', at: 'old.yaml:16:9', message: 'session "user": history 1 removed; sessions still written under version 1 end (reason schema); keep it until the migrated events for that version stop, then remove it with acknowledgeLogout: "why"' },
    ],
  },
  {
    name: 'a history entry narrowed between the specs',
    before: { settings: V2 },
    after: { settings: V2.replace('maxLength: 10', 'maxLength: 5') },
    want: [
      { kind: 'bound-tightened', status: 'breaking', at: 'new.yaml:16:78', message: 'session "user": history 1 payload.id: maxLength changed from 10 to 5; a live payload outside the new bound is refused (reason schema); history 1 must accept every payload written under version 1: give it the schema version 1 had, or write acknowledgeLogout: "why" on the session to accept the logout' },
    ],
  },
  {
    name: 'a wire change is not covered by a version',
    before: {},
    after: { settings: V2.replace('maxAge: 7d', 'maxAge: 1d'), schema: TAG_REQUIRED },
    want: [
      { kind: 'max-age-shortened', status: 'breaking', at: 'new.yaml:12:23', message: 'session "user": expiry.maxAge shortened from 7d to 1d; live sessions older than 1d end at once; keep the old setting, or write acknowledgeLogout: "why" on the session to accept the logout (a payload version does not cover this)' },
      { kind: 'version-raised', status: 'compatible', at: 'new.yaml:13:14', message: 'session "user": version raised from 1 to 2; live payloads of version 1 are read under history 1 and migrated' },
      { kind: 'property-added', status: 'compatible', at: 'new.yaml:18:85', message: 'session "user": payload: property tag added' },
      { kind: 'required-added', status: 'compatible', at: 'new.yaml:18:120', message: 'session "user": payload: property tag is now required; a live payload without it is refused (reason schema); covered by the migration from version 1' },
    ],
  },
  {
    name: 'acknowledged: acknowledgeLogout written in the change',
    before: {},
    after: { settings: ACKNOWLEDGED, schema: TAG_REQUIRED },
    want: [
      { kind: 'property-added', status: 'compatible', at: 'new.yaml:14:85', message: 'session "user": payload: property tag added' },
      { kind: 'required-added', status: 'acknowledged', at: 'new.yaml:14:120', message: 'session "user": payload: property tag is now required; a live payload without it is refused (reason schema); acknowledged by acknowledgeLogout: "ids re-issued"' },
    ],
  },
  {
    name: 'acknowledged: acknowledgeLogout rewritten in the change',
    before: { settings: ACKNOWLEDGED },
    after: { settings: ACKNOWLEDGED.replace('ids re-issued', 'tags required'), schema: TAG_REQUIRED },
    want: [
      { kind: 'property-added', status: 'compatible', at: 'new.yaml:14:85', message: 'session "user": payload: property tag added' },
      { kind: 'required-added', status: 'acknowledged', at: 'new.yaml:14:120', message: 'session "user": payload: property tag is now required; a live payload without it is refused (reason schema); acknowledged by acknowledgeLogout: "tags required"' },
    ],
  },
  {
    name: 'a stale acknowledgeLogout excuses nothing',
    before: { settings: ACKNOWLEDGED },
    after: { settings: ACKNOWLEDGED, schema: TAG_REQUIRED },
    want: [
      { kind: 'property-added', status: 'compatible', at: 'new.yaml:14:85', message: 'session "user": payload: property tag added' },
      { kind: 'required-added', status: 'breaking', at: 'new.yaml:14:120', message: 'session "user": payload: property tag is now required; a live payload without it is refused (reason schema); raise version: and keep the old schema under history: with a migrate: to the next version, or write acknowledgeLogout: "why" on the session to accept the logout' },
    ],
  },
  {
    name: 'acknowledged: a session removed whose last spec acknowledges its logout',
    before: { more: '  cart:\n    transform: [{ sign: main }]\n    acknowledgeLogout: "carts move to the server"\n    schema: { type: object, additionalProperties: false }' },
    after: {},
    want: [
      { kind: 'session-removed', status: 'acknowledged', at: 'old.yaml:15:5', message: 'session "cart": session removed; its live tokens are no longer read; acknowledged by acknowledgeLogout: "carts move to the server"' },
    ],
  },
  {
    name: 'idle-shortened: idle added by value',
    before: {},
    after: { settings: '    transform: [{ encrypt: main }]\n    expiry: { maxAge: 7d, idle: 30m }' },
    want: [
      { kind: 'idle-shortened', status: 'breaking', at: 'new.yaml:12:33', message: 'session "user": expiry.idle: 30m added; live sessions idle for longer end at once; keep the old setting, or write acknowledgeLogout: "why" on the session to accept the logout (a payload version does not cover this)' },
    ],
  },
  {
    name: 'idle-shortened-in-storage: by id',
    before: { settings: '    transform: [{ encrypt: main }]\n    storage: redis\n    expiry: { maxAge: 7d, idle: 1d }' },
    after: { settings: '    transform: [{ encrypt: main }]\n    storage: redis\n    expiry: { maxAge: 7d, idle: 2h }' },
    want: [
      { kind: 'idle-shortened-in-storage', status: 'compatible', at: 'new.yaml:13:33', message: 'session "user": expiry.idle shortened from 1d to 2h; by id a live entry keeps the time to live it was written with until its next read, so none ends sooner' },
    ],
  },
  {
    name: 'idle-lengthened',
    before: { settings: '    transform: [{ encrypt: main }]\n    expiry: { maxAge: 7d, idle: 1h }' },
    after: { settings: '    transform: [{ encrypt: main }]\n    expiry: { maxAge: 7d, idle: 1d }' },
    want: [
      { kind: 'idle-lengthened', status: 'compatible', at: 'new.yaml:12:33', message: 'session "user": expiry.idle lengthened from 1h to 1d' },
    ],
  },
  {
    name: 'idle removed',
    before: { settings: '    transform: [{ encrypt: main }]\n    expiry: { maxAge: 7d, idle: 1h }' },
    after: {},
    want: [
      { kind: 'idle-lengthened', status: 'compatible', at: 'old.yaml:12:33', message: 'session "user": expiry.idle removed' },
    ],
  },
  {
    name: 'cookie-scope-changed: path and domain',
    before: {},
    after: { settings: `${BASE.settings}\n    cookie: { path: /app, domain: example.com }` },
    want: [
      { kind: 'cookie-scope-changed', status: 'breaking', at: 'new.yaml:13:21', message: 'session "user": cookie.path changed from "/" to "/app"; browsers keep the live cookie under its old scope, which no Set-Cookie of the new one replaces or expires, and where the scopes overlap they send both, refused as ambiguous (security.md #4) until the old one expires; keep the old setting, or write acknowledgeLogout: "why" on the session to accept the logout (a payload version does not cover this)' },
      { kind: 'cookie-scope-changed', status: 'breaking', at: 'new.yaml:13:35', message: 'session "user": cookie.domain changed from none (host only) to "example.com"; browsers keep the live cookie under its old scope, which no Set-Cookie of the new one replaces or expires, and where the scopes overlap they send both, refused as ambiguous (security.md #4) until the old one expires; keep the old setting, or write acknowledgeLogout: "why" on the session to accept the logout (a payload version does not cover this)' },
    ],
  },
  {
    name: 'migrate-from-added',
    before: { keys: KTOR_KEYS, more: KTOR_USER },
    after: { keys: KTOR_KEYS, settings: `${BASE.settings}\n    migrateFrom: ktor_user`, more: KTOR_USER },
    want: [
      { kind: 'migrate-from-added', status: 'compatible', at: 'new.yaml:14:18', message: 'session "user": migrateFrom ktor_user added; a client holding only ktor_user\'s cookie is re-issued as user' },
    ],
  },
  {
    name: 'migrate-from-removed',
    before: { keys: KTOR_KEYS, settings: `${BASE.settings}\n    migrateFrom: ktor_user`, more: KTOR_USER },
    after: { keys: KTOR_KEYS, more: KTOR_USER },
    want: [
      { kind: 'migrate-from-removed', status: 'breaking', at: 'old.yaml:14:18', message: 'session "user": migrateFrom ktor_user removed; a client holding only ktor_user\'s cookie is no longer re-issued as user; keep migrateFrom until the Ktor session\'s migrated events stop, or write acknowledgeLogout: "why" on the session to accept the logout' },
    ],
  },
  {
    name: 'a schema change of a session in Ktor\'s format, which has no versions',
    before: { keys: KTOR_KEYS, more: KTOR_USER },
    after: { keys: KTOR_KEYS, more: KTOR_USER.replace('maxLength: 10', 'maxLength: 5') },
    want: [
      { kind: 'bound-tightened', status: 'breaking', at: 'new.yaml:18:74', message: 'session "ktor_user": payload.id: maxLength changed from 10 to 5; a live payload outside the new bound is refused (reason schema); a session in Ktor\'s format has no payload versions: keep the old schema, or write acknowledgeLogout: "why" on the session to accept the logout' },
    ],
  },
  {
    name: 'flash-schema-changed and flash-key-removed',
    before: { settings: `${BASE.settings}\n    flash: { notice: { type: string }, error: { type: string } }` },
    after: { settings: `${BASE.settings}\n    flash: { notice: { type: string, maxLength: 3 } }` },
    want: [
      { kind: 'flash-schema-changed', status: 'compatible', at: 'new.yaml:13:22', message: 'session "user": flash.notice schema changed; a live notice value it refuses is dropped when read, the session stays' },
      { kind: 'flash-key-removed', status: 'compatible', at: 'old.yaml:13:47', message: 'session "user": flash.error removed; a live error value is dropped when read, the session stays' },
    ],
  },
];

// Per-user settings: `user` by id in Redis with a nested account id beside its own, or by value with a revocation stamp.
const PER_USER_SCHEMA =
  '{ type: object, properties: { id: { type: string }, account: { type: object, properties: { id: { type: string } }, required: [id], additionalProperties: false }, device: { type: string } }, required: [id, account], additionalProperties: false }';
const BY_ID = '    storage: redis\n    expiry: { maxAge: 7d }';
const INDEXED = `${BY_ID}\n    index: id`;
const MEMORY = `${BASE.storages}\n  mem: { kind: memory }\n  other: { kind: redis, url: { env: REDIS_URL }, prefix: "sess:" }`;
const REVOKED = (revocation: string) => `${BASE.settings}\n    revocation: { ${revocation} }`;
const STAMPS = 'storage: redis, key: id, recheck: 5m';

const PER_USER_CASES: readonly Case[] = [
  {
    name: 'index-added: live entries are filed at their next write',
    before: { settings: BY_ID, schema: PER_USER_SCHEMA },
    after: { settings: INDEXED, schema: PER_USER_SCHEMA },
    want: [
      { kind: 'index-added', status: 'compatible', at: 'new.yaml:13:12', message: 'session "user": index: id added; a live session is filed at its next write (set, update, regenerate, or the rewrite of a migrated payload), never by a read, so until then list() leaves it out and revokeAll() does not end it, for at most expiry.maxAge (7d)' },
    ],
  },
  {
    name: 'index-added on a memory storage, which keeps no session across the deploy',
    before: { storages: MEMORY, settings: '    storage: mem', schema: PER_USER_SCHEMA },
    after: { storages: MEMORY, settings: '    storage: mem\n    index: id', schema: PER_USER_SCHEMA },
    want: [
      { kind: 'index-added', status: 'compatible', at: 'new.yaml:14:12', message: 'session "user": index: id added; a memory storage keeps no session across the deploy, so every session is filed from its creation' },
    ],
  },
  {
    name: 'index-removed',
    before: { settings: `${INDEXED}\n    maxPerUser: 3\n    summary: [device]`, schema: PER_USER_SCHEMA },
    after: { settings: BY_ID, schema: PER_USER_SCHEMA },
    want: [
      { kind: 'index-removed', status: 'compatible', at: 'old.yaml:13:12', message: 'session "user": index: id removed; live sessions stay, and nothing lists or revokes them by user any more (the admin API, ctx.sessions.list, revoke and revokeOthers of this session go, so code calling them no longer compiles)' },
    ],
  },
  {
    name: 'index-changed to another path',
    before: { settings: INDEXED, schema: PER_USER_SCHEMA },
    after: { settings: `${BY_ID}\n    index: account.id`, schema: PER_USER_SCHEMA },
    want: [
      { kind: 'index-changed', status: 'breaking', at: 'new.yaml:13:12', message: 'session "user": index changed from id to account.id; a live session stays filed under its value at id until its next write, so where that differs from its value at account.id, list() and revokeAll() of its user miss it until then (at most expiry.maxAge, 7d); keep the old index: path (a new path holding the same values files the same), or write acknowledgeLogout: "why" on the session to accept that revokeAll() misses those sessions' },
    ],
  },
  {
    name: 'summary-changed',
    before: { settings: `${INDEXED}\n    summary: [device]`, schema: PER_USER_SCHEMA },
    after: { settings: `${INDEXED}\n    summary: [device, account.id]`, schema: PER_USER_SCHEMA },
    want: [
      { kind: 'summary-changed', status: 'compatible', at: 'new.yaml:14:14', message: 'session "user": summary changed from [device] to [device, account.id]; listings show these fields (undefined where a live payload lacks one), and UserSessionSummary changes with them' },
    ],
  },
  {
    name: 'summary removed',
    before: { settings: `${INDEXED}\n    summary: [device]`, schema: PER_USER_SCHEMA },
    after: { settings: INDEXED, schema: PER_USER_SCHEMA },
    want: [
      { kind: 'summary-changed', status: 'compatible', at: 'old.yaml:14:14', message: 'session "user": summary removed; listings show no payload field, and UserSessionSummary has none' },
    ],
  },
  {
    name: 'max-per-user-lowered: added',
    before: { settings: INDEXED, schema: PER_USER_SCHEMA },
    after: { settings: `${INDEXED}\n    maxPerUser: 5`, schema: PER_USER_SCHEMA },
    want: [
      { kind: 'max-per-user-lowered', status: 'breaking', at: 'new.yaml:14:17', message: 'session "user": maxPerUser: 5 added; a user holding more than 5 filed sessions loses the least recently used ones beyond it when their next session is created (a sign-in or a regenerate; revoked, reason limit); keep the old limit, or write acknowledgeLogout: "why" on the session to accept the logout' },
    ],
  },
  {
    name: 'max-per-user-lowered',
    before: { settings: `${INDEXED}\n    maxPerUser: 10`, schema: PER_USER_SCHEMA },
    after: { settings: `${INDEXED}\n    maxPerUser: 5`, schema: PER_USER_SCHEMA },
    want: [
      { kind: 'max-per-user-lowered', status: 'breaking', at: 'new.yaml:14:17', message: 'session "user": maxPerUser lowered from 10 to 5; a user holding more than 5 filed sessions loses the least recently used ones beyond it when their next session is created (a sign-in or a regenerate; revoked, reason limit); keep the old limit, or write acknowledgeLogout: "why" on the session to accept the logout' },
    ],
  },
  {
    name: 'max-per-user-raised',
    before: { settings: `${INDEXED}\n    maxPerUser: 5`, schema: PER_USER_SCHEMA },
    after: { settings: `${INDEXED}\n    maxPerUser: 10`, schema: PER_USER_SCHEMA },
    want: [
      { kind: 'max-per-user-raised', status: 'compatible', at: 'new.yaml:14:17', message: 'session "user": maxPerUser raised from 5 to 10' },
    ],
  },
  {
    name: 'maxPerUser removed',
    before: { settings: `${INDEXED}\n    maxPerUser: 5`, schema: PER_USER_SCHEMA },
    after: { settings: INDEXED, schema: PER_USER_SCHEMA },
    want: [
      { kind: 'max-per-user-raised', status: 'compatible', at: 'old.yaml:14:17', message: 'session "user": maxPerUser removed; a user may hold any number of sessions' },
    ],
  },
  {
    name: 'index and maxPerUser added together',
    before: { settings: BY_ID, schema: PER_USER_SCHEMA },
    after: { settings: `${INDEXED}\n    maxPerUser: 5`, schema: PER_USER_SCHEMA },
    want: [
      { kind: 'index-added', status: 'compatible', at: 'new.yaml:13:12', message: 'session "user": index: id added; a live session is filed at its next write (set, update, regenerate, or the rewrite of a migrated payload), never by a read, so until then list() leaves it out and revokeAll() does not end it, for at most expiry.maxAge (7d)' },
      { kind: 'max-per-user-lowered', status: 'breaking', at: 'new.yaml:14:17', message: 'session "user": maxPerUser: 5 added; a user holding more than 5 filed sessions loses the least recently used ones beyond it when their next session is created (a sign-in or a regenerate; revoked, reason limit); keep the old limit, or write acknowledgeLogout: "why" on the session to accept the logout' },
    ],
  },
  {
    name: 'revocation-added: live cookies are rechecked at their next request',
    before: { schema: PER_USER_SCHEMA },
    after: { settings: REVOKED(STAMPS), schema: PER_USER_SCHEMA },
    want: [
      { kind: 'revocation-added', status: 'compatible', at: 'new.yaml:13:17', message: 'session "user": revocation added; a live cookie carries no check time, so its next request reads its user\'s stamp first (one storage read), and revokeAll() reaches every live cookie from the deploy on' },
    ],
  },
  {
    name: 'revocation-removed',
    before: { settings: REVOKED(STAMPS), schema: PER_USER_SCHEMA },
    after: { schema: PER_USER_SCHEMA },
    want: [
      { kind: 'revocation-removed', status: 'breaking', at: 'old.yaml:13:17', message: 'session "user": revocation removed; its stamps are no longer read, so a cookie sealed before a revokeAll() (a copy kept by a thief, a device signed out) opens again until its own expiry.maxAge (7d) ends; keep revocation: until expiry.maxAge has passed since the last revokeAll(), or write acknowledgeLogout: "why" on the session to accept that revoked cookies open again' },
    ],
  },
  {
    name: 'revocation-storage-changed to another storage',
    before: { storages: MEMORY, settings: REVOKED(STAMPS), schema: PER_USER_SCHEMA },
    after: { storages: MEMORY, settings: REVOKED('storage: mem, key: id, recheck: 5m'), schema: PER_USER_SCHEMA },
    want: [
      { kind: 'revocation-storage-changed', status: 'breaking', at: 'new.yaml:15:28', message: 'session "user": revocation.storage changed from "redis" (redis) to "mem" (memory); the stamps are where the old one keeps them and are no longer read, so a cookie sealed before a revokeAll() (a copy kept by a thief, a device signed out) opens again until its own expiry.maxAge (7d) ends; keep the stamps\' storage where it is, or write acknowledgeLogout: "why" on the session to accept that revoked cookies open again' },
    ],
  },
  {
    name: "revocation-storage-changed: the storage's prefix",
    before: { settings: REVOKED(STAMPS), schema: PER_USER_SCHEMA },
    after: { storages: '  redis: { kind: redis, url: { env: REDIS_URL }, prefix: "app:" }', settings: REVOKED(STAMPS), schema: PER_USER_SCHEMA },
    want: [
      { kind: 'revocation-storage-changed', status: 'breaking', at: 'new.yaml:6:10', message: 'session "user": revocation.storage "redis" moved (another kind, URL, path or prefix); the stamps are where the old one keeps them and are no longer read, so a cookie sealed before a revokeAll() (a copy kept by a thief, a device signed out) opens again until its own expiry.maxAge (7d) ends; keep the stamps\' storage where it is, or write acknowledgeLogout: "why" on the session to accept that revoked cookies open again' },
    ],
  },
  {
    name: 'revocation storage renamed, the same place: no finding',
    before: { storages: MEMORY, settings: REVOKED(STAMPS), schema: PER_USER_SCHEMA },
    after: { storages: MEMORY, settings: REVOKED('storage: other, key: id, recheck: 5m'), schema: PER_USER_SCHEMA },
    want: [],
  },
  {
    name: 'revocation moved off a memory storage, whose stamps no deploy keeps: no finding',
    before: { storages: MEMORY, settings: REVOKED('storage: mem, key: id, recheck: 5m'), schema: PER_USER_SCHEMA },
    after: { storages: MEMORY, settings: REVOKED(STAMPS), schema: PER_USER_SCHEMA },
    want: [],
  },
  {
    name: 'revocation-key-changed',
    before: { settings: REVOKED(STAMPS), schema: PER_USER_SCHEMA },
    after: { settings: REVOKED('storage: redis, key: account.id, recheck: 5m'), schema: PER_USER_SCHEMA },
    want: [
      { kind: 'revocation-key-changed', status: 'breaking', at: 'new.yaml:13:40', message: 'session "user": revocation.key changed from id to account.id; a stamp is found by the user id at the key, so where a live payload\'s value at account.id differs from its value at id, its user\'s revocations so far are no longer read and a cookie sealed before a revokeAll() (a copy kept by a thief, a device signed out) opens again until its own expiry.maxAge (7d) ends; keep the old revocation.key (a new path holding the same user ids finds the same stamps), or write acknowledgeLogout: "why" on the session to accept that revoked cookies open again' },
    ],
  },
  {
    name: 'revocation-recheck-changed',
    before: { settings: REVOKED(STAMPS), schema: PER_USER_SCHEMA },
    after: { settings: REVOKED('storage: redis, key: id, recheck: 1h'), schema: PER_USER_SCHEMA },
    want: [
      { kind: 'revocation-recheck-changed', status: 'compatible', at: 'new.yaml:13:53', message: 'session "user": revocation.recheck lengthened from 5m to 1h; a revoked cookie now works at most 1h after revokeAll()' },
    ],
  },
  {
    name: 'revocation-fails-open: onStoreDown deny to allow',
    before: { settings: REVOKED(STAMPS), schema: PER_USER_SCHEMA },
    after: { settings: REVOKED(`${STAMPS}, onStoreDown: allow`), schema: PER_USER_SCHEMA },
    want: [
      { kind: 'revocation-fails-open', status: 'breaking', at: 'new.yaml:13:70', message: 'session "user": revocation.onStoreDown changed from deny to allow; a recheck the storage cannot answer now lets the cookie through unchecked, so while the storage is down every revoked cookie within its expiry.maxAge opens again; keep onStoreDown: deny, or write acknowledgeLogout: "why" on the session to accept that revoked cookies open again' },
    ],
  },
  {
    name: 'acknowledged: a lower maxPerUser and a removed revocation, with acknowledgeLogout written in the change',
    before: { settings: `${INDEXED}\n    maxPerUser: 10`, schema: PER_USER_SCHEMA, more: `  member:\n${REVOKED(STAMPS)}\n    schema: ${PER_USER_SCHEMA}` },
    after: {
      settings: `${INDEXED}\n    maxPerUser: 5\n    acknowledgeLogout: "at most 5 devices"`,
      schema: PER_USER_SCHEMA,
      more: `  member:\n${BASE.settings}\n    acknowledgeLogout: "stamps retired after 7d"\n    schema: ${PER_USER_SCHEMA}`,
    },
    want: [
      { kind: 'max-per-user-lowered', status: 'acknowledged', at: 'new.yaml:14:17', message: 'session "user": maxPerUser lowered from 10 to 5; a user holding more than 5 filed sessions loses the least recently used ones beyond it when their next session is created (a sign-in or a regenerate; revoked, reason limit); acknowledged by acknowledgeLogout: "at most 5 devices"' },
      { kind: 'revocation-removed', status: 'acknowledged', at: 'old.yaml:19:17', message: 'session "member": revocation removed; its stamps are no longer read, so a cookie sealed before a revokeAll() (a copy kept by a thief, a device signed out) opens again until its own expiry.maxAge (7d) ends; acknowledged by acknowledgeLogout: "stamps retired after 7d"' },
    ],
  },
  {
    name: 'revocation-fails-closed: onStoreDown allow to deny',
    before: { settings: REVOKED(`${STAMPS}, onStoreDown: allow`), schema: PER_USER_SCHEMA },
    after: { settings: REVOKED(STAMPS), schema: PER_USER_SCHEMA },
    want: [
      { kind: 'revocation-fails-closed', status: 'compatible', at: 'old.yaml:13:70', message: 'session "user": revocation.onStoreDown changed from allow to deny; a recheck the storage cannot answer is now a 503, never a cookie let through' },
    ],
  },
];

const CASES: readonly Case[] = [...SCHEMA_CASES, ...VERSION_CASES, ...PER_USER_CASES];

describe('compareSpecs: each change and its findings', () => {
  it.each(CASES)('$name', ({ before, after, want }) => {
    expect(findings(before, after)).toEqual(want);
  });

  it('the table holds every kind of finding', () => {
    const covered = new Set(CASES.flatMap((entry) => entry.want.map((finding) => finding.kind)));
    expect(Object.keys(FINDING_KINDS).filter((kind) => !covered.has(kind))).toEqual([]);
  });

  it('names the session each finding concerns', () => {
    const cart = { more: '  cart:\n    transform: [{ sign: main }]\n    schema: { type: object, additionalProperties: false }' };
    const result = compareSpecs(loaded(cart, 'old.yaml'), loaded({ ...cart, settings: '    transform: [{ encrypt: main }]\n    expiry: { maxAge: 1d }' }, 'new.yaml'));
    expect(result.map((finding) => [finding.session, finding.side, finding.path])).toEqual([['user', 'after', ['sessions', 'user', 'expiry', 'maxAge']]]);
  });
});
