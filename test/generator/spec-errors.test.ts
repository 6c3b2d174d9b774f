/**
 * Bad specs through the generator's entry (`loadSpecText`): each `given` is a small sessions.yaml and `want`
 * is the exact list of `LINE:COL: message` it must produce, all at once, in reading order.
 */
import { describe, expect, it } from 'vitest';
import { loadSpecText } from '../../generator/spec.js';

/** The YAML text of a template literal as typed (backslashes kept), without the first newline and the common indentation. */
function yaml(strings: TemplateStringsArray, ...values: unknown[]): string {
  const text = String.raw(strings, ...values).replace(/^\n/, '');
  const indent = Math.min(...text.split('\n').filter((line) => line.trim() !== '').map((line) => /^ */.exec(line)?.[0].length ?? 0));
  return text
    .split('\n')
    .map((line) => line.slice(indent))
    .join('\n');
}

interface Case {
  readonly name: string;
  readonly given: string;
  readonly want: readonly string[];
}

const yamlSyntax: Case[] = [
  {
    name: 'duplicate key',
    given: yaml`
      version: 1
      sessions:
        user: { insecure: true, schema: { type: object, additionalProperties: false } }
        user: { insecure: true, schema: { type: object, additionalProperties: false } }
    `,
    want: ['4:3: duplicate key "user": each key may appear once in a mapping; merge the two entries or rename one'],
  },
  {
    name: 'unclosed flow sequence',
    given: yaml`
      version: 1
      sessions:
        user:
          transform: [{ sign: main }
          schema: {}
    `,
    want: ['5:5: YAML syntax: Flow sequence in block collection must be sufficiently indented and end with a ]'],
  },
  {
    name: 'tab indentation',
    given: 'version: 1\nsessions:\n\tuser: {}\n',
    want: ['3:1: YAML syntax: Tabs are not allowed as indentation'],
  },
  {
    name: 'alias to an anchor that does not exist',
    given: yaml`
      version: 1
      sessions:
        user: *common
    `,
    want: ['3:9: YAML: Unresolved alias (the anchor must be set before the alias): common'],
  },
];

const specSchema: Case[] = [
  {
    name: 'empty file',
    given: '',
    want: ['1:1: the spec must be a mapping (got an empty value)'],
  },
  {
    name: 'top level is a list',
    given: '- version: 1\n',
    want: ['1:1: the spec must be a mapping (got a list)'],
  },
  {
    name: 'missing version and sessions',
    given: yaml`
      keys:
        main: { env: SESSION_KEYS }
    `,
    want: [
      '1:1: the spec is missing required key "version" (spec format version, always 1)',
      "1:1: the spec is missing required key \"sessions\" (the sessions, by accessor name: ctx.sessions.get('user'))",
    ],
  },
  {
    name: 'wrong version',
    given: yaml`
      version: 2
      sessions:
        user: { insecure: true, schema: { type: object, additionalProperties: false } }
    `,
    want: ['1:10: version must be 1 (got 2)'],
  },
  {
    name: 'unknown top-level key, with a suggestion',
    given: yaml`
      version: 1
      storage:
        mem: { kind: memory }
      sessions:
        user: { insecure: true, schema: { type: object, additionalProperties: false } }
    `,
    want: ['2:1: the spec has unknown key "storage"; did you mean "storages"?'],
  },
  {
    name: 'unknown session key, far from any known key: the allowed keys are listed',
    given: yaml`
      version: 1
      sessions:
        user:
          insecure: true
          lifetime: 7d
          schema: { type: object, additionalProperties: false }
    `,
    want: [
      '5:5: sessions.user has unknown key "lifetime"; allowed keys: transport, name, serializer, transform, storage, insecure, load, cookie, expiry, schema, migrateFrom, flash, version, history, acknowledgeLogout, concurrency, index, maxPerUser, summary, revocation',
    ],
  },
  {
    name: 'misspelt session field (a transposition is one edit)',
    given: yaml`
      version: 1
      sessions:
        user:
          trasnport: header
          insecure: true
          schema: { type: object, additionalProperties: false }
    `,
    want: ['4:5: sessions.user has unknown key "trasnport"; did you mean "transport"?'],
  },
  {
    name: 'bad transport enum',
    given: yaml`
      version: 1
      sessions:
        user:
          transport: cokie
          insecure: true
          schema: { type: object, additionalProperties: false }
    `,
    want: ['4:16: sessions.user.transport must be "cookie" or "header" (got "cokie")'],
  },
  {
    name: 'wrong types',
    given: yaml`
      version: 1
      storages:
        mem: { kind: memory, maxEntries: many }
      sessions:
        user:
          insecure: "yes"
          storage: mem
          transform: { sign: main }
          schema: { type: object, additionalProperties: false }
    `,
    want: [
      '3:36: storages.mem.maxEntries must be an integer (got "many")',
      '6:15: sessions.user.insecure must be true or false (got "yes")',
      '8:16: sessions.user.transform must be a list (got a mapping)',
    ],
  },
  {
    name: 'empty value where a mapping is needed points at its key',
    given: yaml`
      version: 1
      sessions:
        user:
    `,
    want: ['3:3: sessions.user must be a mapping (got an empty value)'],
  },
  {
    name: 'missing required keys point at the mapping that lacks them',
    given: yaml`
      version: 1
      keys:
        main: {}
      storages:
        files: { kind: directory }
        cache: { kind: redis, prefix: "app:" }
        other: { maxEntries: 5 }
      sessions:
        user:
          storage: files
    `,
    want: [
      '3:9: keys.main is missing required key "env" (the environment variable holding the ring: comma-separated keys, newest first, each base64url of at least 32 random bytes from npx typed-sessions keygen)',
      '5:10: storages.files is missing required key "path" (the folder holding the session files, relative to the working directory)',
      '6:10: storages.cache is missing required key "url" (where the Redis URL comes from, like { env: REDIS_URL })',
      '7:10: storages.other is missing required key "kind" (memory, directory or redis)',
      "10:5: sessions.user is missing required key \"schema\" (the JSON Schema of the session's payload)",
    ],
  },
  {
    name: 'storage kinds: unknown kind, unknown key for the kind, maxEntries below 1',
    given: yaml`
      version: 1
      storages:
        a: { kind: disk }
        b: { kind: memory, path: ./x }
        c: { kind: memory, maxEntries: 0 }
      sessions:
        user: { storage: c, schema: { type: object, additionalProperties: false } }
    `,
    want: [
      '3:14: storages.a.kind must be "memory", "directory" or "redis" (got "disk")',
      '4:22: storages.b has unknown key "path"; allowed keys: kind, maxEntries',
      '5:34: storages.c.maxEntries must be at least 1 (got 0)',
    ],
  },
  {
    name: 'names: session key, type name, key ring name, environment variable',
    given: yaml`
      version: 1
      keys:
        1st: { env: session-keys }
      types:
        cart_item: { type: string }
      sessions:
        ShoppingCart: { insecure: true, schema: { type: object, additionalProperties: false } }
    `,
    want: [
      '3:3: keys key "1st" must start with a letter and contain only letters, digits, _ and -',
      '3:15: keys.1st.env must be an environment variable name: capital letters, digits and _, not starting with a digit, like SESSION_KEYS (got "session-keys")',
      "5:3: types key \"cart_item\" must be PascalCase (a capital letter, then letters and digits), like CartItem: it is the generated TypeScript type's name",
      '7:3: sessions key "ShoppingCart" must be lower snake_case starting with a letter, like shopping_cart: it is the accessor name and gives the generated type names',
    ],
  },
  {
    name: 'no sessions',
    given: yaml`
      version: 1
      sessions: {}
    `,
    want: ['2:11: sessions must have at least 1 entry (got an empty mapping)'],
  },
  {
    name: 'durations',
    given: yaml`
      version: 1
      sessions:
        user:
          insecure: true
          expiry: { maxAge: 7 days, idle: 30, rolling: sometimes }
          schema: { type: object, additionalProperties: false }
    `,
    want: [
      '5:23: sessions.user.expiry.maxAge must be a duration like 30s, 15m, 12h, 7d or 2w (got "7 days")',
      '5:37: sessions.user.expiry.idle must be a duration like 30s, 15m, 12h, 7d or 2w (got 30)',
      '5:50: sessions.user.expiry.rolling must be true or false (got "sometimes")',
    ],
  },
  {
    name: 'touchAfter: a duration or 0',
    given: yaml`
      version: 1
      sessions:
        a: { insecure: true, expiry: { idle: 1h, touchAfter: 0s }, schema: { type: object, additionalProperties: false } }
        b: { insecure: true, expiry: { idle: 1h, touchAfter: 5 }, schema: { type: object, additionalProperties: false } }
        c: { insecure: true, expiry: { idle: 1h, touchAfter: 0 }, schema: { type: object, additionalProperties: false } }
    `,
    want: [
      '3:56: sessions.a.expiry.touchAfter must be a duration like 30s, 15m, 12h, 7d or 2w (got "0s")',
      '4:56: sessions.b.expiry.touchAfter must be a duration like 30s, 15m, 12h, 7d or 2w, or 0 (got 5)',
    ],
  },
  {
    name: 'transform steps: empty, two kinds at once, misspelt kind',
    given: yaml`
      version: 1
      keys:
        main: { env: SESSION_KEYS }
      sessions:
        user:
          transform: [{}, { sign: main, encrypt: main }, { encrpyt: main }]
          schema: { type: object, additionalProperties: false }
    `,
    want: [
      '6:17: sessions.user.transform[0] must be one step: { sign: RING }, { encrypt: RING }, { ktor-sign: RING } or { ktor-encrypt: { encrypt: RING, sign: RING } } (got an empty mapping)',
      '6:21: sessions.user.transform[1] must be one step: { sign: RING }, { encrypt: RING }, { ktor-sign: RING } or { ktor-encrypt: { encrypt: RING, sign: RING } } (got a mapping)',
      '6:54: sessions.user.transform[2] has unknown key "encrpyt"; did you mean "encrypt"?',
    ],
  },
  {
    name: 'serializer: unknown name, absolute module path, export that is not an identifier, reserved export',
    given: yaml`
      version: 1
      sessions:
        a: { insecure: true, serializer: msgpack, schema: { type: object, additionalProperties: false } }
        b:
          insecure: true
          serializer: { module: /abs/codec.js, export: user-codec }
          schema: { type: object, additionalProperties: false }
        c:
          insecure: true
          serializer: { module: ./codec.json, export: default }
          schema: { type: object, additionalProperties: false }
    `,
    want: [
      '3:36: sessions.a.serializer must be json, ktor-json, ktor-reflection or { module: ./path.js, export: name } (got "msgpack")',
      '6:27: sessions.b.serializer.module must be a path relative to the spec file (starting with ./ or ../) ending in .js, .mjs or .ts (got "/abs/codec.js")',
      '6:50: sessions.b.serializer.export must be a JavaScript identifier: letters, digits, _ and $, not starting with a digit (got "user-codec")',
      '10:27: sessions.c.serializer.module must be a path relative to the spec file (starting with ./ or ../) ending in .js, .mjs or .ts (got "./codec.json")',
      '10:49: sessions.c.serializer.export is the reserved word "default", which cannot be imported by name; export the codec under a name like userCodec',
    ],
  },
  {
    name: 'cookie and header names must be tokens',
    given: yaml`
      version: 1
      sessions:
        a: { name: "my session", insecure: true, schema: { type: object, additionalProperties: false } }
        b: { name: "sid;x=1", transport: header, insecure: true, schema: { type: object, additionalProperties: false } }
    `,
    want: [
      '3:14: sessions.a.name must be a token of letters, digits and !#$%&\'*+-.^_`|~ (no spaces, quotes, control characters or ()<>@,;:\\"/[]?={}), as cookie names (RFC 6265 section 4.1.1) and header names (RFC 9110 section 5.6.2) require (got "my session")',
      '4:14: sessions.b.name must be a token of letters, digits and !#$%&\'*+-.^_`|~ (no spaces, quotes, control characters or ()<>@,;:\\"/[]?={}), as cookie names (RFC 6265 section 4.1.1) and header names (RFC 9110 section 5.6.2) require (got "sid;x=1")',
    ],
  },
  {
    name: 'cookie attributes: path, domain, secure, sameSite, priority',
    given: yaml`
      version: 1
      sessions:
        user:
          insecure: true
          cookie:
            path: "/app;x"
            domain: https://example.com
            secure: yes
            sameSite: None
            priority: urgent
          schema: { type: object, additionalProperties: false }
    `,
    want: [
      '6:13: sessions.user.cookie.path must start with / and contain no whitespace, control characters, ;, , or = (CVE-2024-47764) (got "/app;x")',
      '7:15: sessions.user.cookie.domain must be a plain host name like example.com (no scheme, port, path, leading dot or wildcard) (got "https://example.com")',
      '8:15: sessions.user.cookie.secure must be true, false or "auto" (got "yes")',
      '9:17: sessions.user.cookie.sameSite must be "strict", "lax" or "none" (got "None")',
      '10:17: sessions.user.cookie.priority must be "low", "medium" or "high" (got "urgent")',
    ],
  },
  {
    name: 'cookie path without a leading slash, domain with a leading dot',
    given: yaml`
      version: 1
      sessions:
        user:
          insecure: true
          cookie: { path: app, domain: .example.com }
          schema: { type: object, additionalProperties: false }
    `,
    want: [
      '5:21: sessions.user.cookie.path must start with / and contain no whitespace, control characters, ;, , or = (CVE-2024-47764) (got "app")',
      '5:34: sessions.user.cookie.domain must be a plain host name like example.com (no scheme, port, path, leading dot or wildcard) (got ".example.com")',
    ],
  },
];

const payloadSubset: Case[] = [
  {
    name: 'unsupported JSON Schema keywords are named, never ignored',
    given: yaml`
      version: 1
      types:
        Base:
          type: object
          additionalProperties: false
          allOf: [{ type: object }]
          not: { type: string }
        Shape:
          if: { type: object }
          then: { required: [a] }
          else: { type: string }
          patternProperties: { "^x": { type: string } }
      sessions:
        user: { insecure: true, schema: { $ref: "#/types/Base" } }
    `,
    want: [
      '6:5: types.Base uses "allOf", which payload schemas do not support; supported keywords: type, properties, required, additionalProperties, items, enum, const, oneOf, anyOf, $ref, description, title, minLength, maxLength, pattern, minimum, maximum, exclusiveMinimum, exclusiveMaximum, multipleOf, minItems, maxItems, uniqueItems, format',
      '7:5: types.Base uses "not", which payload schemas do not support; supported keywords: type, properties, required, additionalProperties, items, enum, const, oneOf, anyOf, $ref, description, title, minLength, maxLength, pattern, minimum, maximum, exclusiveMinimum, exclusiveMaximum, multipleOf, minItems, maxItems, uniqueItems, format',
      '9:5: types.Shape uses "if", which payload schemas do not support; supported keywords: type, properties, required, additionalProperties, items, enum, const, oneOf, anyOf, $ref, description, title, minLength, maxLength, pattern, minimum, maximum, exclusiveMinimum, exclusiveMaximum, multipleOf, minItems, maxItems, uniqueItems, format',
      '10:5: types.Shape uses "then", which payload schemas do not support; supported keywords: type, properties, required, additionalProperties, items, enum, const, oneOf, anyOf, $ref, description, title, minLength, maxLength, pattern, minimum, maximum, exclusiveMinimum, exclusiveMaximum, multipleOf, minItems, maxItems, uniqueItems, format',
      '11:5: types.Shape uses "else", which payload schemas do not support; supported keywords: type, properties, required, additionalProperties, items, enum, const, oneOf, anyOf, $ref, description, title, minLength, maxLength, pattern, minimum, maximum, exclusiveMinimum, exclusiveMaximum, multipleOf, minItems, maxItems, uniqueItems, format',
      '12:5: types.Shape uses "patternProperties", which payload schemas do not support; supported keywords: type, properties, required, additionalProperties, items, enum, const, oneOf, anyOf, $ref, description, title, minLength, maxLength, pattern, minimum, maximum, exclusiveMinimum, exclusiveMaximum, multipleOf, minItems, maxItems, uniqueItems, format',
    ],
  },
  {
    name: 'misspelt payload keyword, with a suggestion',
    given: yaml`
      version: 1
      sessions:
        user:
          insecure: true
          schema:
            type: object
            properties: { id: { type: string, maxLenght: 10 } }
            requried: [id]
            additionalProperties: false
    `,
    want: [
      '7:41: sessions.user.schema.properties.id has unknown keyword "maxLenght"; did you mean "maxLength"?',
      '8:7: sessions.user.schema has unknown keyword "requried"; did you mean "required"?',
    ],
  },
  {
    name: 'payload types: misspelt, unquoted null in a type list, not a name or list',
    given: yaml`
      version: 1
      sessions:
        user:
          insecure: true
          schema:
            type: object
            properties:
              a: { type: strng }
              b: { type: [string, null] }
              c: { type: 5 }
            additionalProperties: false
    `,
    want: [
      '8:20: sessions.user.schema.properties.a.type must be "object", "string", "number", "integer", "boolean", "null" or "array" (got "strng")',
      '9:29: sessions.user.schema.properties.b.type[1] must be "object", "string", "number", "integer", "boolean", "null" or "array" (got an empty value; write "null" in quotes for the null type)',
      '10:20: sessions.user.schema.properties.c.type must be a type name or a list of them, like [string, "null"] (got 5)',
    ],
  },
  {
    name: 'additionalProperties: true is refused, a schema or false is required',
    given: yaml`
      version: 1
      sessions:
        user:
          insecure: true
          schema:
            type: object
            properties: { tags: { type: object, additionalProperties: yes } }
            additionalProperties: true
    `,
    want: [
      '7:65: sessions.user.schema.properties.tags.additionalProperties must be a schema (a mapping of JSON Schema keywords) (got "yes")',
      '8:29: sessions.user.schema.additionalProperties must be false or a schema for map values; true is refused because payloads are closed: an unexpected field must fail validation, not reach the app unchecked (got true)',
    ],
  },
  {
    name: 'value keywords: format, $ref shape, counts, numbers, enum, items',
    given: yaml`
      version: 1
      sessions:
        user:
          insecure: true
          schema:
            type: object
            properties:
              email: { type: string, format: emial, minLength: -1 }
              item: { $ref: "#/definitions/Item" }
              size: { type: number, minimum: "1", multipleOf: 0 }
              kind: { enum: [] }
              list: { type: array, items: [{ type: string }] }
            additionalProperties: false
    `,
    want: [
      '8:40: sessions.user.schema.properties.email.format must be one of the 26 supported values (got "emial"); did you mean "email"?',
      '8:58: sessions.user.schema.properties.email.minLength must be at least 0 (got -1)',
      '9:23: sessions.user.schema.properties.item.$ref must point at a shared type, like "#/types/CartItem" (got "#/definitions/Item")',
      '10:40: sessions.user.schema.properties.size.minimum must be a number (got "1")',
      '10:57: sessions.user.schema.properties.size.multipleOf must be greater than 0 (got 0)',
      '11:23: sessions.user.schema.properties.kind.enum must have at least 1 item (got an empty list)',
      '12:37: sessions.user.schema.properties.list.items must be a schema (a mapping of JSON Schema keywords) (got a list)',
    ],
  },
  {
    name: 'object schemas must state additionalProperties',
    given: yaml`
      version: 1
      types:
        Address:
          type: [object, "null"]
          properties: { city: { type: string } }
      sessions:
        user:
          insecure: true
          schema:
            type: object
            properties:
              address: { $ref: "#/types/Address" }
              meta: { properties: { a: { type: string } }, additionalProperties: false }
              extra: { properties: {} }
    `,
    want: [
      '4:5: types.Address is an object schema without additionalProperties; add additionalProperties: false (payloads are closed, so an unexpected field fails validation instead of reaching the app unchecked), or a schema for the values of a map',
      '10:7: sessions.user.schema is an object schema without additionalProperties; add additionalProperties: false (payloads are closed, so an unexpected field fails validation instead of reaching the app unchecked), or a schema for the values of a map',
      '14:16: sessions.user.schema.properties.extra is an object schema without additionalProperties; add additionalProperties: false (payloads are closed, so an unexpected field fails validation instead of reaching the app unchecked), or a schema for the values of a map',
    ],
  },
  {
    name: 'required names must be declared in properties',
    given: yaml`
      version: 1
      sessions:
        user:
          insecure: true
          schema:
            type: object
            properties: { userId: { type: string } }
            required: [userid, email]
            additionalProperties: false
    `,
    want: [
      '8:18: sessions.user.schema.required[0] names "userid", which properties does not declare; declare it under properties: or remove it; did you mean "userId"?',
      '8:26: sessions.user.schema.required[1] names "email", which properties does not declare; declare it under properties: or remove it',
    ],
  },
  {
    name: 'patterns must compile with the u flag',
    given: yaml`
      version: 1
      sessions:
        user:
          insecure: true
          schema:
            type: object
            properties:
              code: { type: string, pattern: "^[A-Z]\\-[0-9]+$" }
              open: { type: string, pattern: "[a-" }
            additionalProperties: false
    `,
    want: [
      '8:40: sessions.user.schema.properties.code.pattern is not a valid regular expression with the u flag, as ajv compiles it: Invalid regular expression: /^[A-Z]\\-[0-9]+$/u: Invalid escape',
      '9:40: sessions.user.schema.properties.open.pattern is not a valid regular expression with the u flag, as ajv compiles it: Invalid regular expression: /[a-/u: Unterminated character class',
    ],
  },
  {
    name: '#34 patterns that repeat a repetition (ReDoS) are refused; a repetition pinned by a separator is fine',
    given: yaml`
      version: 1
      types:
        Word: { type: string, pattern: "^(\\w+\\s?)+$" }
      sessions:
        user:
          insecure: true
          schema:
            type: object
            properties:
              host: { type: string, pattern: "^[a-z]+(\\.[a-z]+)*$" }
              code: { type: string, pattern: "^(a+)+$" }
            additionalProperties: false
    `,
    want: [
      '3:34: types.Word.pattern repeats (\\w+\\s?)+, a repetition inside a repetition, which can take exponential time on a hostile string (ReDoS); rewrite it so each repeated part must match a fixed separator (like ^[a-z]+(\\.[a-z]+)*$), and bound the string with maxLength',
      '11:40: sessions.user.schema.properties.code.pattern repeats (a+)+, a repetition inside a repetition, which can take exponential time on a hostile string (ReDoS); rewrite it so each repeated part must match a fixed separator (like ^[a-z]+(\\.[a-z]+)*$), and bound the string with maxLength',
    ],
  },
  {
    name: 'unresolved $ref, with the declared types and a suggestion',
    given: yaml`
      version: 1
      types:
        CartItem: { type: string }
      sessions:
        cart:
          insecure: true
          schema:
            type: object
            properties: { items: { type: array, items: { $ref: "#/types/CartItems" } } }
            additionalProperties: false
    `,
    want: [
      '9:58: sessions.cart.schema.properties.items.items.$ref names unknown type "CartItems" (declared types: CartItem); did you mean "CartItem"?',
    ],
  },
  {
    name: 'a session payload must be an object schema or a $ref to one',
    given: yaml`
      version: 1
      types:
        Name: { type: string }
        Alias: { $ref: "#/types/Name" }
      sessions:
        a: { insecure: true, schema: { type: string } }
        b: { insecure: true, schema: { $ref: "#/types/Alias" } }
        c: { insecure: true, schema: { type: [object, "null"], additionalProperties: false } }
    `,
    want: [
      '6:32: sessions.a.schema must be an object schema (type: object) or a $ref to one in types:, since a session payload is a set of named fields',
      '7:32: sessions.b.schema must be an object schema (type: object) or a $ref to one in types:, since a session payload is a set of named fields',
      '8:32: sessions.c.schema must be an object schema (type: object) or a $ref to one in types:, since a session payload is a set of named fields',
    ],
  },
  {
    name: 'enum and const values JSON cannot hold (gen printed them as NaN and Infinity types)',
    given: yaml`
      version: 1
      sessions:
        user:
          insecure: true
          schema:
            type: object
            properties:
              a: { const: .inf }
              b: { enum: [1, -.inf, .nan] }
              c: { const: { x: [.nan] } }
            additionalProperties: false
    `,
    want: [
      '8:21: sessions.user.schema.properties.a.const holds .inf, -.inf or .nan, which JSON cannot hold, so no payload could ever match it (set refuses such numbers); use finite numbers',
      '9:20: sessions.user.schema.properties.b.enum holds .inf, -.inf or .nan, which JSON cannot hold, so no payload could ever match it (set refuses such numbers); use finite numbers',
      '10:21: sessions.user.schema.properties.c.const holds .inf, -.inf or .nan, which JSON cannot hold, so no payload could ever match it (set refuses such numbers); use finite numbers',
    ],
  },
  {
    name: 'payload properties named __proto__ and constructor (#65: every set of them would fail)',
    given: yaml`
      version: 1
      sessions:
        user:
          insecure: true
          schema:
            type: object
            properties:
              __proto__: { type: object, additionalProperties: false }
              constructor: { type: string }
            additionalProperties: false
    `,
    want: [
      '8:9: sessions.user.schema declares a property named __proto__, which payloads may not have: it is how prototype pollution is smuggled in, and the runtime refuses it in every payload, so every set would fail; rename the property',
      '9:9: sessions.user.schema declares a property named constructor, which payloads may not have: it is how prototype pollution is smuggled in, and the runtime refuses it in every payload, so every set would fail; rename the property',
    ],
  },
];

const semanticRules: Case[] = [
  {
    name: 'short names get no far-fetched suggestion',
    given: yaml`
      version: 1
      storages:
        db: { kind: memory }
      sessions:
        a: { storage: b, schema: { type: object, properties: { p: { type: string } }, required: [q], additionalProperties: false } }
    `,
    want: [
      '5:17: sessions.a.storage names unknown storage "b" (declared storages: db)',
      '5:92: sessions.a.schema.required[0] names "q", which properties does not declare; declare it under properties: or remove it',
    ],
  },
  {
    name: 'an unknown key that came in through a merge key points at the mapping it was merged into',
    given: yaml`
      version: 1
      sessions:
        a:
          <<: { insecure: true, trasport: header }
          schema: { type: object, additionalProperties: false }
    `,
    want: ['4:5: sessions.a has unknown key "trasport"; did you mean "transport"?'],
  },
  {
    name: 'unknown key ring, with the declared rings and a suggestion',
    given: yaml`
      version: 1
      keys:
        main: { env: SESSION_KEYS }
        old: { env: OLD_KEYS }
      sessions:
        user:
          transform: [{ sign: mian }, { encrypt: backup }]
          schema: { type: object, additionalProperties: false }
    `,
    want: [
      '7:25: sessions.user.transform[0].sign names unknown key ring "mian" (declared key rings: main, old); did you mean "main"?',
      '7:44: sessions.user.transform[1].encrypt names unknown key ring "backup" (declared key rings: main, old)',
    ],
  },
  {
    name: 'unknown key ring when no keys are declared',
    given: yaml`
      version: 1
      sessions:
        user:
          transform: [{ encrypt: main }]
          schema: { type: object, additionalProperties: false }
    `,
    want: ['4:28: sessions.user.transform[0].encrypt names unknown key ring "main" (no key rings are declared; add one under keys:)'],
  },
  {
    name: 'unknown storage',
    given: yaml`
      version: 1
      storages:
        mem: { kind: memory }
        files: { kind: directory, path: .sessions }
      sessions:
        cart: { storage: redis, schema: { type: object, additionalProperties: false } }
    `,
    want: ['6:20: sessions.cart.storage names unknown storage "redis" (declared storages: mem, files)'],
  },
  {
    name: 'by-value session with no sign or encrypt and no insecure: true',
    given: yaml`
      version: 1
      sessions:
        prefs:
          insecure: false
          schema: { type: object, additionalProperties: false }
        theme:
          transform: []
          schema: { type: object, additionalProperties: false }
    `,
    want: [
      '3:3: sessions.prefs: a session that travels by value (no storage) needs a sign or encrypt transform, or a client could read and forge it; add transform: [{ encrypt: RING }] (or sign), or a storage, or write insecure: true to accept that',
      '6:3: sessions.theme: a session that travels by value (no storage) needs a sign or encrypt transform, or a client could read and forge it; add transform: [{ encrypt: RING }] (or sign), or a storage, or write insecure: true to accept that',
    ],
  },
  {
    name: 'load: lazy on a by-value session, which opens on first use anyway; load: with a value it does not know',
    given: yaml`
      version: 1
      keys: { main: { env: SESSION_KEYS } }
      storages: { mem: { kind: memory } }
      sessions:
        prefs:
          transform: [{ encrypt: main }]
          load: lazy
          schema: { type: object, additionalProperties: false }
        cart:
          storage: mem
          load: later
          schema: { type: object, additionalProperties: false }
    `,
    want: [
      '7:5: sessions.prefs: load: lazy is for sessions tracked by id in a storage; a by-value session already opens only when the handler first uses it, so remove load:',
      '11:11: sessions.cart.load must be "eager" or "lazy" (got "later")',
    ],
  },
  {
    name: 'load: lazy on either side of a migration, whose sessions are loaded before the handler',
    given: yaml`
      version: 1
      keys: { main: { env: SESSION_KEYS }, kmac: { env: KTOR_MAC, encoding: hex } }
      storages: { mem: { kind: memory } }
      types: { User: { type: object, properties: { id: { type: string } }, additionalProperties: false } }
      sessions:
        user:
          storage: mem
          load: lazy
          migrateFrom: ktor_user
          schema: { $ref: "#/types/User" }
        ktor_user:
          serializer: ktor-json
          storage: mem
          load: lazy
          schema: { $ref: "#/types/User" }
    `,
    want: [
      '9:18: sessions.user.migrateFrom names session "ktor_user", but this session is load: lazy, and both sessions of a migration are loaded before the handler, which re-issues one as the other there; remove load: lazy',
    ],
  },
  {
    name: 'duplicate cookie names, including a default name (the key)',
    given: yaml`
      version: 1
      sessions:
        sid: { insecure: true, schema: { type: object, additionalProperties: false } }
        user: { name: sid, insecure: true, schema: { type: object, additionalProperties: false } }
        other: { name: SID, insecure: true, schema: { type: object, additionalProperties: false } }
    `,
    want: ['4:17: sessions.user: cookie name "sid" is already used by session "sid"; set a different name: on one of them'],
  },
  {
    name: 'duplicate header names in another letter case',
    given: yaml`
      version: 1
      sessions:
        api: { transport: header, name: X-Session, insecure: true, schema: { type: object, additionalProperties: false } }
        x_session: { transport: header, name: x-session, insecure: true, schema: { type: object, additionalProperties: false } }
    `,
    want: [
      '4:41: sessions.x_session: header name "x-session" is already used by session "api" (header names ignore case); set a different name: on one of them',
    ],
  },
  {
    name: '#67 a chunked session owns its chunks\' cookie names',
    given: yaml`
      version: 1
      sessions:
        big: { insecure: true, cookie: { chunked: true }, schema: { type: object, additionalProperties: false } }
        part: { name: big.1, insecure: true, schema: { type: object, additionalProperties: false } }
        api: { transport: header, name: big.2, insecure: true, schema: { type: object, additionalProperties: false } }
    `,
    want: [
      '4:17: sessions.part: cookie name "big.1" is already used by session "big" (a chunked session\'s cookies are NAME.0 to NAME.2); set a different name: on one of them',
    ],
  },
  {
    name: '#67 cookie.chunked on a session tracked by id, and on one in Ktor\'s format',
    given: yaml`
      version: 1
      keys:
        raw: { env: KTOR_KEY, encoding: hex }
      storages:
        mem: { kind: memory }
      sessions:
        cart:
          storage: mem
          cookie: { chunked: true }
          schema: { type: object, additionalProperties: false }
        ktor_user:
          serializer: ktor-json
          transform: [{ ktor-sign: raw }]
          cookie: { chunked: true }
          schema: { type: object, additionalProperties: false }
    `,
    want: [
      '9:24: sessions.cart: cookie.chunked splits a sealed session over several cookies, but a session tracked by id sends only its id, which always fits in one; remove chunked',
      "14:24: sessions.ktor_user: cookie.chunked splits the token over several cookies, and a Ktor service reads its session from one; remove chunked, or leave Ktor's format",
    ],
  },
  {
    name: "#8 cookie.persistent: false on a by-value session in Ktor's format, whose Max-Age is its only expiry",
    given: yaml`
      version: 1
      keys:
        raw: { env: KTOR_KEY, encoding: hex }
      sessions:
        ktor_user:
          serializer: ktor-json
          transform: [{ ktor-sign: raw }]
          cookie: { persistent: false }
          schema: { type: object, additionalProperties: false }
    `,
    want: [
      "8:27: sessions.ktor_user: cookie.persistent: false would leave the session without any expiry: Ktor's wire format has no timestamps, so by value only the cookie's Max-Age ends it; remove persistent: false, or track the session by id (storage:), where the storage's TTL ends it",
    ],
  },
  {
    name: 'generated type names that collide',
    given: yaml`
      version: 1
      types:
        UserSession: { type: object, additionalProperties: false }
        SessionMap: { type: object, additionalProperties: false }
        Record: { type: string }
        SummaryMap: { type: string }
        CookieSessionName: { type: string }
      sessions:
        user: { insecure: true, schema: { type: object, additionalProperties: false } }
        cart_2: { insecure: true, schema: { type: object, additionalProperties: false } }
        cart2: { insecure: true, schema: { type: object, additionalProperties: false } }
    `,
    want: [
      '4:3: types.SessionMap gives the TypeScript name SessionMap, which the generated code declares or imports itself; rename it',
      '5:3: types.Record gives the TypeScript name Record, which the generated code declares or imports itself; rename it',
      '6:3: types.SummaryMap gives the TypeScript name SummaryMap, which the generated code declares or imports itself; rename it',
      '7:3: types.CookieSessionName gives the TypeScript name CookieSessionName, which the generated code declares or imports itself; rename it',
      '9:3: sessions.user gives the TypeScript name UserSession, already given by types.UserSession; rename one of them',
      '11:3: sessions.cart2 gives the TypeScript name Cart2Session, already given by sessions.cart_2; rename one of them',
    ],
  },
  {
    name: 'cookie settings on a header session',
    given: yaml`
      version: 1
      sessions:
        api:
          transport: header
          name: X-Api-Session
          insecure: true
          cookie: { sameSite: strict }
          schema: { type: object, additionalProperties: false }
    `,
    want: [
      '7:5: sessions.api has cookie: settings but uses transport: header, where they do nothing; remove cookie: or use transport: cookie',
    ],
  },
  {
    name: '__Host- cookie with a domain and a path other than /',
    given: yaml`
      version: 1
      sessions:
        user:
          name: __Host-sid
          insecure: true
          cookie: { secure: true, domain: example.com, path: /app }
          schema: { type: object, additionalProperties: false }
    `,
    want: [
      '6:37: sessions.user: a __Host- cookie cannot set a domain: browsers drop __Host- cookies that set a Domain or a Path other than / (RFC 6265bis section 4.1.3.2); remove it, or drop the prefix',
      '6:56: sessions.user: a __Host- cookie must have path "/": browsers drop __Host- cookies that set a Domain or a Path other than / (RFC 6265bis section 4.1.3.2); remove it, or drop the prefix',
    ],
  },
  {
    name: 'prefixed cookie names need secure: true (auto is not enough), in any letter case',
    given: yaml`
      version: 1
      sessions:
        a: { name: __Secure-sid, insecure: true, cookie: { secure: auto }, schema: { type: object, additionalProperties: false } }
        b: { name: __host-sid, insecure: true, schema: { type: object, additionalProperties: false } }
        c: { name: __Host-ok, insecure: true, cookie: { secure: true }, schema: { type: object, additionalProperties: false } }
    `,
    want: [
      '3:14: sessions.a: the __Secure- cookie name needs secure: true, since browsers drop prefixed cookies without Secure (RFC 6265bis section 4.1.3); secure: auto is not enough, as it leaves Secure off on plain-HTTP requests',
      '4:14: sessions.b: the __host- cookie name needs secure: true, since browsers drop prefixed cookies without Secure (RFC 6265bis section 4.1.3); secure: auto is not enough, as it leaves Secure off on plain-HTTP requests',
    ],
  },
  {
    name: 'sameSite: none and partitioned: true need secure: true',
    given: yaml`
      version: 1
      sessions:
        embed:
          insecure: true
          cookie: { sameSite: none, partitioned: true, secure: false }
          schema: { type: object, additionalProperties: false }
    `,
    want: [
      '5:25: sessions.embed: sameSite: none needs secure: true, since browsers drop SameSite=None cookies without Secure; secure: auto is not enough, as it leaves Secure off on plain-HTTP requests',
      '5:44: sessions.embed: partitioned: true needs secure: true, since browsers drop Partitioned cookies without Secure (CHIPS); secure: auto is not enough, as it leaves Secure off on plain-HTTP requests',
    ],
  },
  {
    name: 'header names the HTTP stack owns',
    given: yaml`
      version: 1
      sessions:
        a: { transport: header, name: Cookie, insecure: true, schema: { type: object, additionalProperties: false } }
        b: { transport: header, name: transfer-encoding, insecure: true, schema: { type: object, additionalProperties: false } }
        host: { transport: header, insecure: true, schema: { type: object, additionalProperties: false } }
    `,
    want: [
      '3:33: sessions.a: header "Cookie" is owned by the HTTP stack (cookies, routing, framing or hop-by-hop), so the token would be lost or break the message; choose a name like X-Session',
      '4:33: sessions.b: header "transfer-encoding" is owned by the HTTP stack (cookies, routing, framing or hop-by-hop), so the token would be lost or break the message; choose a name like X-Session',
      '5:3: sessions.host: header "host" is owned by the HTTP stack (cookies, routing, framing or hop-by-hop), so the token would be lost or break the message; choose a name like X-Session',
    ],
  },
  {
    name: 'maxAge over 400 days, idle not below maxAge (the default maxAge too)',
    given: yaml`
      version: 1
      sessions:
        a: { insecure: true, expiry: { maxAge: 401d }, schema: { type: object, additionalProperties: false } }
        b: { insecure: true, expiry: { maxAge: 1h, idle: 60m }, schema: { type: object, additionalProperties: false } }
        c: { insecure: true, expiry: { idle: 8d }, schema: { type: object, additionalProperties: false } }
    `,
    want: [
      '3:42: sessions.a: expiry.maxAge (401d) is over the 400 days browsers allow a cookie to live (RFC 6265bis section 5.5); use 400d or less',
      '4:52: sessions.b: expiry.idle (1h) must be less than maxAge (1h), or it can never fire; shorten idle or raise maxAge',
      '5:40: sessions.c: expiry.idle (8d) must be less than maxAge (1w), or it can never fire; shorten idle or raise maxAge (maxAge is not set, so it is the default 7d)',
    ],
  },
  {
    name: 'touchAfter not below idle, without idle, with rolling; not judged against a malformed idle',
    given: yaml`
      version: 1
      sessions:
        a: { insecure: true, expiry: { idle: 30m, touchAfter: 30m }, schema: { type: object, additionalProperties: false } }
        b: { insecure: true, expiry: { touchAfter: 1m }, schema: { type: object, additionalProperties: false } }
        c: { insecure: true, expiry: { idle: 30m, touchAfter: 0, rolling: true }, schema: { type: object, additionalProperties: false } }
        d: { insecure: true, expiry: { idle: 30 min, touchAfter: 1m }, schema: { type: object, additionalProperties: false } }
        e: { insecure: true, expiry: { maxAge: 2w, idle: 1w, touchAfter: 1h }, schema: { type: object, additionalProperties: false } }
    `,
    want: [
      '3:57: sessions.a: expiry.touchAfter (30m) must be less than idle (30m), or no activity would ever slide the idle timeout; shorten touchAfter (leave it out for a tenth of idle, at most 1h)',
      '4:46: sessions.b: expiry.touchAfter limits how often activity slides the idle timeout, and there is no expiry.idle; set idle, or remove touchAfter',
      '5:57: sessions.c: expiry.touchAfter cannot be combined with rolling: true, which re-sends the session and records its activity on every request; remove one of them',
      '6:40: sessions.d.expiry.idle must be a duration like 30s, 15m, 12h, 7d or 2w (got "30 min")',
    ],
  },
  {
    name: 'concurrency: serialize needs a storage every process shares a lock in (redis), and is refused by value',
    given: yaml`
      version: 1
      storages:
        mem: { kind: memory }
        files: { kind: directory, path: .sessions }
        redis: { kind: redis, url: { env: REDIS_URL } }
      sessions:
        a: { storage: mem, concurrency: serialize, schema: { type: object, additionalProperties: false } }
        b: { storage: files, concurrency: serialize, schema: { type: object, additionalProperties: false } }
        c: { storage: redis, concurrency: serialize, schema: { type: object, additionalProperties: false } }
        d: { insecure: true, concurrency: serialize, schema: { type: object, additionalProperties: false } }
        e: { storage: redis, concurrency: always, schema: { type: object, additionalProperties: false } }
    `,
    want: [
      '7:35: sessions.a: concurrency: serialize needs a lock shared by every process, which a memory storage does not have (requests in one process take turns without it); remove concurrency, or use a redis storage',
      '8:37: sessions.b: concurrency: serialize needs a lock shared by every process, which a directory storage does not have (requests in one process take turns without it); remove concurrency, or use a redis storage',
      '10:37: sessions.d: concurrency: serialize is for sessions tracked by id (storage:); by value each request carries its own copy and nothing is shared to lock; remove concurrency',
      '11:37: sessions.e.concurrency must be "serialize" (got "always")',
    ],
  },
];

const severalAtOnce: Case[] = [
  {
    name: 'schema errors and rule errors together, in reading order',
    given: yaml`
      version: 1
      keys:
        main: { env: SESSION_KEYS }
      storages:
        mem: { kind: memory, maxEntries: 0 }
      sessions:
        user:
          transport: cokie
          transform: [{ encrypt: mian }]
          expiry: { maxAge: 7d, idle: 7d }
          schema:
            type: object
            properties: { id: { type: string } }
            required: [ids]
        cart:
          storage: mme
          cookies: { path: / }
          schema: { allOf: [] }
    `,
    want: [
      '5:36: storages.mem.maxEntries must be at least 1 (got 0)',
      '8:16: sessions.user.transport must be "cookie" or "header" (got "cokie")',
      '9:28: sessions.user.transform[0].encrypt names unknown key ring "mian" (declared key rings: main); did you mean "main"?',
      '10:33: sessions.user: expiry.idle (1w) must be less than maxAge (1w), or it can never fire; shorten idle or raise maxAge',
      '12:7: sessions.user.schema is an object schema without additionalProperties; add additionalProperties: false (payloads are closed, so an unexpected field fails validation instead of reaching the app unchecked), or a schema for the values of a map',
      '14:18: sessions.user.schema.required[0] names "ids", which properties does not declare; declare it under properties: or remove it; did you mean "id"?',
      '16:14: sessions.cart.storage names unknown storage "mme" (declared storages: mem); did you mean "mem"?',
      '17:5: sessions.cart has unknown key "cookies"; did you mean "cookie"?',
      '18:13: sessions.cart.schema must be an object schema (type: object) or a $ref to one in types:, since a session payload is a set of named fields',
      '18:15: sessions.cart.schema uses "allOf", which payload schemas do not support; supported keywords: type, properties, required, additionalProperties, items, enum, const, oneOf, anyOf, $ref, description, title, minLength, maxLength, pattern, minimum, maximum, exclusiveMinimum, exclusiveMaximum, multipleOf, minItems, maxItems, uniqueItems, format',
    ],
  },
];

const flashBlock: Case[] = [
  {
    name: "flash: on a session in Ktor's wire format",
    given: yaml`
      version: 1
      keys:
        raw: { env: RAW, encoding: hex }
      sessions:
        legacy:
          serializer: ktor-json
          transform: [{ ktor-sign: raw }]
          schema: { type: object, additionalProperties: false }
          flash:
            notice: { type: string }
    `,
    want: [
      "9:5: sessions.legacy: flash: needs this library's envelope, and a session in Ktor's wire format has none (a Ktor service would misread it); declare the flash values on a native session (serializer: json or your codec)",
    ],
  },
  {
    name: 'flash value schemas outside the payload subset',
    given: yaml`
      version: 1
      sessions:
        user:
          insecure: true
          schema: { type: object, additionalProperties: false }
          flash:
            notice: { allOf: [{ type: string }] }
            form: { type: object, properties: { email: { type: string } } }
            item: { $ref: "#/types/Item" }
            code: { type: string, pattern: "(a+)+" }
    `,
    want: [
      '7:17: sessions.user.flash.notice uses "allOf", which payload schemas do not support; supported keywords: type, properties, required, additionalProperties, items, enum, const, oneOf, anyOf, $ref, description, title, minLength, maxLength, pattern, minimum, maximum, exclusiveMinimum, exclusiveMaximum, multipleOf, minItems, maxItems, uniqueItems, format',
      '8:13: sessions.user.flash.form is an object schema without additionalProperties; add additionalProperties: false (payloads are closed, so an unexpected field fails validation instead of reaching the app unchecked), or a schema for the values of a map',
      '9:21: sessions.user.flash.item.$ref names unknown type "Item" (no types are declared; add one under types:)',
      '10:38: sessions.user.flash.code.pattern repeats (a+)+, a repetition inside a repetition, which can take exponential time on a hostile string (ReDoS); rewrite it so each repeated part must match a fixed separator (like ^[a-z]+(\\.[a-z]+)*$), and bound the string with maxLength',
    ],
  },
  {
    name: 'flash keys that are not camelCase, an empty flash: and one that is not a mapping',
    given: yaml`
      version: 1
      sessions:
        user:
          insecure: true
          schema: { type: object, additionalProperties: false }
          flash:
            Notice: { type: string }
            constructor: { type: string }
            last_error: { type: string }
        cart:
          insecure: true
          schema: { type: object, additionalProperties: false }
          flash: {}
        note:
          insecure: true
          schema: { type: object, additionalProperties: false }
          flash: [notice]
    `,
    want: [
      '7:7: sessions.user.flash key "Notice" must be camelCase (a small letter, then letters and digits), like notice, and not constructor: it is the flash key and a property of the generated flash type',
      '8:7: sessions.user.flash key "constructor" must be camelCase (a small letter, then letters and digits), like notice, and not constructor: it is the flash key and a property of the generated flash type',
      '9:7: sessions.user.flash key "last_error" must be camelCase (a small letter, then letters and digits), like notice, and not constructor: it is the flash key and a property of the generated flash type',
      '13:12: sessions.cart.flash must have at least 1 entry (got an empty mapping)',
      '17:12: sessions.note.flash must be a mapping (got a list)',
    ],
  },
  {
    name: 'the generated flash type name taken by a shared type',
    given: yaml`
      version: 1
      types:
        UserFlash: { type: string }
      sessions:
        user:
          insecure: true
          schema: { type: object, additionalProperties: false }
          flash:
            notice: { $ref: "#/types/UserFlash" }
    `,
    want: ['5:3: sessions.user gives the TypeScript name UserFlash, already given by types.UserFlash; rename one of them'],
  },
];

const OBJECT = '{ type: object, properties: { name: { type: string } }, required: [name], additionalProperties: false }';
const MIGRATE = '{ module: ./src/session-migrations.js, export: userV1toV2 }';

const payloadVersions: Case[] = [
  {
    name: 'a history version not below version:',
    given: yaml`
      version: 1
      sessions:
        user:
          insecure: true
          version: 2
          schema: ${OBJECT}
          history:
            1: { schema: ${OBJECT}, migrate: ${MIGRATE} }
            2: { schema: ${OBJECT}, migrate: ${MIGRATE} }
    `,
    want: [
      '7:5: sessions.user: history: holds version 2, but the current version is 2; history keeps only older versions, so raise version: above 2 or remove 2 from history:',
    ],
  },
  {
    name: 'a gap between the oldest kept version and version:',
    given: yaml`
      version: 1
      sessions:
        user:
          insecure: true
          version: 3
          schema: ${OBJECT}
          history:
            1: { schema: ${OBJECT}, migrate: ${MIGRATE} }
    `,
    want: [
      "7:5: sessions.user: history: keeps version 1 but not version 2, so version 1's migration has nothing to return; add version 2 (its schema and its migration to 3) or drop the versions below it",
    ],
  },
  {
    name: 'history: without version: (the current version is 1)',
    given: yaml`
      version: 1
      sessions:
        user:
          insecure: true
          schema: ${OBJECT}
          history:
            1: { schema: ${OBJECT}, migrate: ${MIGRATE} }
    `,
    want: [
      '6:5: sessions.user: history: holds version 1, but the current version is 1; history keeps only older versions, so raise version: above 1 or remove 1 from history:',
    ],
  },
  {
    name: "version: and history: on a session in Ktor's format",
    given: yaml`
      version: 1
      keys:
        ktor_sign: { env: KTOR_SIGN_KEY, encoding: hex }
      sessions:
        user:
          serializer: ktor-json
          transform: [{ ktor-sign: ktor_sign }]
          version: 2
          schema: ${OBJECT}
          history:
            1: { schema: ${OBJECT}, migrate: ${MIGRATE} }
    `,
    want: [
      "5:3: sessions.user: version: and history: need this library's envelope to carry the payload's version, and a session in Ktor's wire format has none (a Ktor service would misread it); version the native session that migrates from it instead",
    ],
  },
  {
    name: 'a migration exported under a reserved word',
    given: yaml`
      version: 1
      sessions:
        user:
          insecure: true
          version: 2
          schema: ${OBJECT}
          history:
            1:
              schema: ${OBJECT}
              migrate:
                module: ./src/session-migrations.js
                export: default
    `,
    want: [
      '12:19: sessions.user.history.1.migrate.export is the reserved word "default", which cannot be imported by name; export the migration under a name like userV1toV2',
    ],
  },
  {
    // Unquoted, YAML reads 01 as the integer 1; quoted, it is the text a spec author meant to write.
    name: 'history keys that are not version numbers',
    given: yaml`
      version: 1
      sessions:
        user:
          insecure: true
          version: 2
          schema: ${OBJECT}
          history:
            "01": { schema: ${OBJECT}, migrate: ${MIGRATE} }
            x: { schema: ${OBJECT}, migrate: ${MIGRATE} }
    `,
    want: [
      '8:7: sessions.user.history key "01" must be a version number, like 1: a whole number from 1, with no sign or leading zero',
      '9:7: sessions.user.history key "x" must be a version number, like 1: a whole number from 1, with no sign or leading zero',
    ],
  },
  {
    name: 'a history version without its migration',
    given: yaml`
      version: 1
      sessions:
        user:
          insecure: true
          version: 2
          schema: ${OBJECT}
          history:
            1: { schema: ${OBJECT} }
    `,
    want: [
      "8:10: sessions.user.history.1 is missing required key \"migrate\" (the app's function that takes a payload of this version and returns it in the next version: { module: ./src/session-migrations.js, export: userV1toV2 })",
    ],
  },
  {
    name: 'a history schema that breaks a payload rule',
    given: yaml`
      version: 1
      sessions:
        user:
          insecure: true
          version: 2
          schema: ${OBJECT}
          history:
            1:
              schema: { type: object, properties: { name: { type: string } } }
              migrate: ${MIGRATE}
    `,
    want: [
      '9:17: sessions.user.history.1.schema is an object schema without additionalProperties; add additionalProperties: false (payloads are closed, so an unexpected field fails validation instead of reaching the app unchecked), or a schema for the values of a map',
    ],
  },
  {
    name: 'the generated type of an older version taken by a shared type',
    given: yaml`
      version: 1
      types:
        UserSessionV1: ${OBJECT}
      sessions:
        user:
          insecure: true
          version: 2
          schema: ${OBJECT}
          history:
            1: { schema: { $ref: "#/types/UserSessionV1" }, migrate: ${MIGRATE} }
    `,
    want: [
      '5:3: sessions.user gives the TypeScript name UserSessionV1, already given by types.UserSessionV1; rename one of them',
    ],
  },
];

const USER = '{ type: object, properties: { userId: { type: string } }, required: [userId], additionalProperties: false }';

const perUser: Case[] = [
  {
    name: 'index: on a by-value session, and maxPerUser: and summary: without index:',
    given: yaml`
      version: 1
      keys:
        main: { env: SESSION_KEYS }
      storages:
        mem: { kind: memory }
      sessions:
        user:
          transform: [{ encrypt: main }]
          index: userId
          schema: ${USER}
        cart:
          storage: mem
          maxPerUser: 5
          summary: [userId]
          schema: ${USER}
    `,
    want: [
      "9:5: sessions.user: index lists a user's sessions in their storage, and this session travels by value (no storage:); add storage: to track it by id, or use revocation: { storage, key, recheck } to revoke its cookies",
      '13:5: sessions.cart: maxPerUser limits how many sessions the index keeps per user, and there is no index:; add index: (the payload path of the user id), or remove maxPerUser',
      "14:5: sessions.cart: summary chooses what a listing of a user's sessions shows, and there is no index:; add index: (the payload path of the user id), or remove summary",
    ],
  },
  {
    // A Ktor-format session files entries under the raw id its cookie carries: the index's handles would be tokens.
    name: "index: and revocation: on sessions in Ktor's format",
    given: yaml`
      version: 1
      keys:
        raw: { env: KTOR_KEYS, encoding: hex }
      storages:
        mem: { kind: memory }
      sessions:
        user:
          storage: mem
          serializer: ktor-json
          index: userId
          schema: ${USER}
        prefs:
          serializer: ktor-json
          transform: [{ ktor-sign: raw }]
          revocation: { storage: mem, key: userId, recheck: 5m }
          schema: ${USER}
    `,
    want: [
      "10:5: sessions.user: index would list each session under its storage key, which in Ktor's format is the raw id the cookie carries, so the listing would hand out live tokens (and a Ktor service writing the store would not keep the index); remove index, or index a native session",
      "15:5: sessions.prefs: revocation seals the time of its last check in this library's envelope, which Ktor's wire format has no room for; remove revocation, or revoke a native session",
    ],
  },
  {
    name: 'revocation: on a session tracked by id',
    given: yaml`
      version: 1
      storages:
        mem: { kind: memory }
      sessions:
        user:
          storage: mem
          revocation: { storage: mem, key: userId, recheck: 5m }
          schema: ${USER}
    `,
    want: [
      "7:5: sessions.user: revocation is for sessions that travel by value; one tracked by id is revoked by deleting its entry, so use index: (the payload path of the user id) to list and revoke a user's sessions",
    ],
  },
  {
    name: 'an index path that is missing, optional, not a string, or goes into a list or a map',
    given: yaml`
      version: 1
      storages:
        mem: { kind: memory }
      sessions:
        missing: { storage: mem, index: user.idd, schema: { $ref: "#/types/Account" } }
        optional: { storage: mem, index: user.nickname, schema: { $ref: "#/types/Account" } }
        nullable: { storage: mem, index: owner.id, schema: { $ref: "#/types/Account" } }
        number: { storage: mem, index: user.age, schema: { $ref: "#/types/Account" } }
        listed: { storage: mem, index: devices.id, schema: { $ref: "#/types/Account" } }
        mapped: { storage: mem, index: teams.admin, schema: { $ref: "#/types/Account" } }
        union: { storage: mem, index: login.id, schema: { $ref: "#/types/Account" } }
      types:
        Account:
          type: object
          properties:
            user: { $ref: "#/types/User" }
            owner: { type: [object, "null"], properties: { id: { type: string } }, required: [id], additionalProperties: false }
            devices: { type: array, items: { type: object, properties: { id: { type: string } }, required: [id], additionalProperties: false } }
            teams: { type: object, additionalProperties: { type: string } }
            login: { oneOf: [{ type: object, properties: { id: { type: string } }, required: [id], additionalProperties: false }, { type: "null" }] }
          required: [user, owner, devices, teams, login]
          additionalProperties: false
        User:
          type: object
          properties: { id: { type: string }, nickname: { type: string }, age: { type: integer } }
          required: [id, age]
          additionalProperties: false
    `,
    want: [
      '5:35: sessions.missing: index names user.idd, which the current schema cannot hold: user has no field "idd" (it declares id, nickname, age); name a required string field of the payload, like userId, outside lists, maps and unions',
      "6:36: sessions.optional: index names user.nickname, which is optional in the current schema (nickname is not in user's required:); every session must hold it, so make it and each field on the way required and not null",
      '7:36: sessions.nullable: index names owner.id, which is optional in the current schema (owner may be null); every session must hold it, so make it and each field on the way required and not null',
      '8:34: sessions.number: index names user.age, which is type: integer in the current schema; it must be a string (type: string), like a user id',
      '9:34: sessions.listed: index names devices.id, which the current schema cannot hold: devices is a list (type: array), and a path cannot pick one of its items; name a required string field of the payload, like userId, outside lists, maps and unions',
      '10:34: sessions.mapped: index names teams.admin, which the current schema cannot hold: teams is a map (additionalProperties), whose keys are data, not declared fields; name a required string field of the payload, like userId, outside lists, maps and unions',
      '11:33: sessions.union: index names login.id, which the current schema cannot hold: login is a union (oneOf), and a path cannot choose one of its branches; name a required string field of the payload, like userId, outside lists, maps and unions',
    ],
  },
  {
    // Sessions written under an older version are indexed too, so it must hold the key as well.
    name: 'an index path a history: version does not require',
    given: yaml`
      version: 1
      storages:
        mem: { kind: memory }
      sessions:
        user:
          storage: mem
          index: userId
          version: 2
          schema: ${USER}
          history:
            1: { schema: { type: object, properties: { userId: { type: string } }, additionalProperties: false }, migrate: ${MIGRATE} }
    `,
    want: [
      "7:12: sessions.user: index names userId, which is optional in history.1's schema (userId is not in the payload's required:); every session must hold it, so name a field that version holds, or drop the version from history: (its sessions end)",
    ],
  },
  {
    name: 'summary: entries the current schema does not declare, and malformed paths',
    given: yaml`
      version: 1
      storages:
        mem: { kind: memory }
      sessions:
        user:
          storage: mem
          index: userId
          summary: [device, userId, tags.name, a..b]
          maxPerUser: 1001
          schema:
            type: object
            properties: { userId: { type: string }, tags: { type: array, items: { type: string } } }
            required: [userId]
            additionalProperties: false
    `,
    want: [
      '8:15: sessions.user: summary[0] names device, which the current schema cannot hold: the payload has no field "device" (it declares userId, tags); name a field of the payload, outside lists, maps and unions',
      '8:31: sessions.user: summary[2] names tags.name, which the current schema cannot hold: tags is a list (type: array), and a path cannot pick one of its items; name a field of the payload, outside lists, maps and unions',
      '8:42: sessions.user.summary[3] must be a payload path: field names joined by dots, like userId or user.id (got "a..b")',
      '9:17: sessions.user.maxPerUser must be at most 1000 (got 1001)',
    ],
  },
  {
    name: 'revocation: with an undeclared storage, a key that is no required string, and a recheck not below maxAge',
    given: yaml`
      version: 1
      keys:
        main: { env: SESSION_KEYS }
      storages:
        redis: { kind: redis, url: { env: REDIS_URL } }
      sessions:
        user:
          transform: [{ encrypt: main }]
          expiry: { maxAge: 1h }
          revocation: { storage: rediss, key: user.id, recheck: 60m }
          schema: ${USER}
        prefs:
          transform: [{ encrypt: main }]
          revocation: { storage: redis, key: userId, recheck: 7d }
          schema: { type: object, properties: { userId: { type: integer } }, required: [userId], additionalProperties: false }
    `,
    want: [
      '10:28: sessions.user.revocation.storage names unknown storage "rediss" (declared storages: redis); did you mean "redis"?',
      '10:41: sessions.user: revocation.key names user.id, which the current schema cannot hold: the payload has no field "user" (it declares userId); name a required string field of the payload, like userId, outside lists, maps and unions',
      '10:59: sessions.user: revocation.recheck (1h) must be less than maxAge (1h), or a cookie would expire before its first recheck and revocation would never reach it; shorten recheck',
      '14:40: sessions.prefs: revocation.key names userId, which is type: integer in the current schema; it must be a string (type: string), like a user id',
      '14:57: sessions.prefs: revocation.recheck (1w) must be less than maxAge (1w), or a cookie would expire before its first recheck and revocation would never reach it; shorten recheck',
    ],
  },
  {
    name: 'revocation: without its recheck, and with an onStoreDown it does not know',
    given: yaml`
      version: 1
      keys:
        main: { env: SESSION_KEYS }
      storages:
        mem: { kind: memory }
      sessions:
        user:
          transform: [{ encrypt: main }]
          revocation: { storage: mem, key: userId, onStoreDown: ignore }
          schema: ${USER}
    `,
    want: [
      '9:17: sessions.user.revocation is missing required key "recheck" (how long a cookie goes unchecked after a check, like 5m: a revoked cookie works at most this much longer; less than maxAge)',
      '9:59: sessions.user.revocation.onStoreDown must be "deny" or "allow" (got "ignore")',
    ],
  },
];

describe('loadSpecText refuses bad specs with every error at once', () => {
  describe.each([
    ['YAML syntax', yamlSyntax],
    ['spec schema', specSchema],
    ['payload schema subset', payloadSubset],
    ['semantic rules', semanticRules],
    ['several at once', severalAtOnce],
    ['flash values', flashBlock],
    ['payload versions', payloadVersions],
    ['per-user settings', perUser],
  ] as const)('%s', (_, cases) => {
    it.each(cases)('$name', ({ given, want }) => {
      const result = loadSpecText(given, 'sessions.yaml');
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.errors.map((error) => `${error.line}:${error.col}: ${error.message}`)).toEqual(want);
      expect(new Set(result.errors.map((error) => error.file))).toEqual(new Set(['sessions.yaml']));
      expect(result.source).toBe(given);
    });
  });
});
