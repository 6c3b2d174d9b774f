/**
 * Ktor interop in the spec, through the generator's entry (`loadSpecText`): a valid spec's model, and bad
 * specs with the exact `LINE:COL: message` list each must produce.
 */
import { describe, expect, it } from 'vitest';
import { loadSpecText } from '../../generator/spec.js';

const header = `version: 1
keys:
  main: { env: SESSION_KEYS }
  ktor_aes: { env: KTOR_AES_KEY, encoding: hex }
  ktor_mac: { env: KTOR_MAC_KEY, encoding: hex }
types:
  User:
    type: object
    properties: { userId: { type: string }, tags: { type: array, items: { type: string } } }
    required: [userId]
    additionalProperties: false
sessions:
`;

/** A spec of `header` plus the given sessions; errors then start on line 13. */
function spec(sessions: string): string {
  return header + sessions;
}

/** A native session taking over ktor_user, a ktor-encrypt session, with the opt-in that takes (security.md #57). */
const optedInUser = `  user:
    transform: [{ encrypt: main }]
    migrateFrom: { session: ktor_user, trustUnauthenticatedIv: true }
    schema: { $ref: "#/types/User" }
`;

describe('Ktor sessions in the spec', () => {
  it('normalizes the Ktor format, its transforms, hex key rings and migrateFrom', () => {
    const result = loadSpecText(
      spec(`${optedInUser}  kept:
    storage: mem
    migrateFrom: { session: legacy, keepSource: true }
    schema: { $ref: "#/types/User" }
  ktor_user:
    name: USER_SESSION
    serializer: ktor-json
    transform: [{ ktor-encrypt: { encrypt: ktor_aes, sign: ktor_mac }, legacyMac: true }]
    schema: { $ref: "#/types/User" }
  legacy:
    serializer: ktor-reflection
    transform: [{ ktor-sign: ktor_mac, algorithm: sha1 }]
    schema: { $ref: "#/types/User" }
storages:
  mem: { kind: memory }
`),
      'sessions.yaml',
    );
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    const { keys, sessions } = result.model;
    expect(keys).toStrictEqual({
      main: { env: 'SESSION_KEYS' },
      ktor_aes: { env: 'KTOR_AES_KEY', encoding: 'hex' },
      ktor_mac: { env: 'KTOR_MAC_KEY', encoding: 'hex' },
    });
    const byName = new Map(sessions.map((session) => [session.name, session]));
    expect(byName.get('user')?.migrateFrom).toStrictEqual({ session: 'ktor_user', keepSource: false, trustUnauthenticatedIv: true });
    // Written only when set, as the generated definition writes it.
    expect(byName.get('kept')?.migrateFrom).toStrictEqual({ session: 'legacy', keepSource: true });
    expect(byName.get('ktor_user')).toMatchObject({
      ktor: { serializer: 'json' },
      transforms: [{ kind: 'ktor-encrypt', keys: 'ktor_aes', signKeys: 'ktor_mac', legacyMac: true }],
    });
    expect(byName.get('legacy')).toMatchObject({
      ktor: { serializer: 'reflection' },
      transforms: [{ kind: 'ktor-sign', keys: 'ktor_mac', algorithm: 'sha1' }],
    });
  });

  const cases = [
    {
      name: 'mixed formats, wrong key ring encodings, bad algorithm',
      given: `  user:
    transform: [{ encrypt: ktor_mac }, { ktor-sign: main }]
    schema: { $ref: "#/types/User" }
  ktor_user:
    serializer: ktor-json
    transform: [{ sign: main }, { ktor-sign: ktor_mac, algorithm: md5 }]
    schema: { $ref: "#/types/User" }
`,
      want: [
        '14:28: sessions.user: encrypt names key ring "ktor_mac", declared encoding: hex (a Ktor service\'s raw keys); encrypt needs this library\'s keys, so use a ring of keys from npx typed-sessions keygen',
        "14:42: sessions.user: ktor-sign is Ktor's transform, for sessions in Ktor's wire format; add serializer: ktor-json (Ktor 3.x's default) or ktor-reflection (Ktor 1.x/2.x's default), or use sign or encrypt",
        '14:53: sessions.user: ktor-sign names key ring "main", which is not declared encoding: hex; Ktor\'s transforms use the Ktor service\'s raw key bytes, so declare main: { env: ..., encoding: hex } holding them as hex',
        "18:19: sessions.ktor_user: a Ktor service cannot read this library's sign format, and the session is in Ktor's format; use ktor-sign or ktor-encrypt with the Ktor service's keys",
        '18:67: sessions.ktor_user.transform[1].algorithm must be "sha256" or "sha1" (got "md5")',
      ],
    },
    {
      name: 'ktor-encrypt without its sign ring, unknown encoding',
      given: `  ktor_user:
    serializer: ktor-json
    transform: [{ ktor-encrypt: { encrypt: ktor_aes } }]
    schema: { $ref: "#/types/User" }
`,
      want: ['15:33: sessions.ktor_user.transform[0].ktor-encrypt is missing required key "sign" (the key ring holding the HMAC-SHA256 keys)'],
    },
    {
      name: 'idle timeout on a by-value Ktor session',
      given: `  ktor_user:
    serializer: ktor-json
    transform: [{ ktor-sign: ktor_mac }]
    expiry: { maxAge: 7d, idle: 1h }
    schema: { $ref: "#/types/User" }
`,
      want: [
        "16:27: sessions.ktor_user: expiry.idle cannot be enforced: Ktor's wire format has no timestamps, so a session travelling by value carries no last-seen time; remove idle, or track the session by id (storage:), where the storage's TTL enforces it",
      ],
    },
    {
      name: 'migrateFrom: unknown, not Ktor, other schema, set on a Ktor session, claimed twice',
      given: `  a:
    transform: [{ encrypt: main }]
    migrateFrom: ktor_usr
    schema: { $ref: "#/types/User" }
  b:
    transform: [{ encrypt: main }]
    migrateFrom: { session: a }
    schema: { $ref: "#/types/User" }
  c:
    transform: [{ encrypt: main }]
    migrateFrom: ktor_user
    schema: { type: object, additionalProperties: false }
  d:
    transform: [{ encrypt: main }]
    migrateFrom: { session: ktor_user, keepSource: true }
    schema: { $ref: "#/types/User" }
  e:
    transform: [{ encrypt: main }]
    migrateFrom: { session: ktor_user, keep: true }
    schema: { $ref: "#/types/User" }
  ktor_user:
    serializer: ktor-json
    transform: [{ ktor-sign: ktor_mac }]
    migrateFrom: d
    schema: { $ref: "#/types/User" }
`,
      want: [
        '15:18: sessions.a.migrateFrom names unknown session "ktor_usr" (declared sessions: a, b, c, d, e, ktor_user); did you mean "ktor_user"?',
        '19:29: sessions.b.migrateFrom.session names session "a", which is not in Ktor\'s format; give that session serializer: ktor-json (Ktor 3.x\'s default) or ktor-reflection (Ktor 1.x/2.x\'s default)',
        '23:18: sessions.c.migrateFrom names session "ktor_user", whose schema differs from this session\'s and from every version its history: keeps; give both the same schema (for example $ref: "#/types/User"), or keep the source\'s schema as a version in history:, so every migrated payload is valid',
        '31:29: sessions.e.migrateFrom.session names session "ktor_user", which session "d" already migrates from; one Ktor session moves into one native session',
        '31:40: sessions.e.migrateFrom has unknown key "keep"; allowed keys: session, keepSource, trustUnauthenticatedIv',
        '36:18: sessions.ktor_user.migrateFrom names session "d", but this session is itself in Ktor\'s format: migration moves users from a Ktor-format session onto a native one, so set migrateFrom on the native session',
      ],
    },
    {
      name: 'a ktor-reflection schema outside what the format can write',
      given: `  legacy:
    serializer: ktor-reflection
    transform: [{ ktor-sign: ktor_mac }]
    schema:
      type: object
      properties:
        items: { type: array, items: { $ref: "#/types/User" } }
      required: [items]
      additionalProperties: false
`,
      want: [
        "16:5: sessions.legacy.schema cannot be written by serializer ktor-reflection: /items/items is an object inside a list, set or map, which Ktor's reflection serializer reads back without its class; change the schema, or use ktor-json if the Ktor service uses kotlinx serialization",
      ],
    },
  ];

  it.each(cases)('refuses $name', ({ given, want }) => {
    const result = loadSpecText(spec(given), 'sessions.yaml');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((error) => `${error.line}:${error.col}: ${error.message}`)).toEqual(want);
  });

  // security.md #57: Ktor 3.x's encrypt MAC leaves out the IV, so the first 16 payload bytes are the cookie holder's to choose.
  const ktorSources = `  ktor_user:
    serializer: ktor-json
    transform: [{ ktor-encrypt: { encrypt: ktor_aes, sign: ktor_mac } }]
    schema: { $ref: "#/types/User" }
  signed:
    serializer: ktor-json
    transform: [{ ktor-encrypt: { encrypt: ktor_aes, sign: ktor_mac } }, { ktor-sign: ktor_mac }]
    schema: { $ref: "#/types/User" }
  stored:
    serializer: ktor-json
    storage: mem
    transform: [{ ktor-encrypt: { encrypt: ktor_aes, sign: ktor_mac } }]
    schema: { $ref: "#/types/User" }
storages:
  mem: { kind: memory }
`;

  it('#57 refuses a migration from a ktor-encrypt session without the opt-in, and an opt-in with nothing to trust', () => {
    const result = loadSpecText(
      spec(`  user:
    transform: [{ encrypt: main }]
    migrateFrom: ktor_user
    schema: { $ref: "#/types/User" }
  kept:
    transform: [{ encrypt: main }]
    migrateFrom: { session: signed, trustUnauthenticatedIv: true }
    schema: { $ref: "#/types/User" }
${ktorSources}`),
      'sessions.yaml',
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((error) => `${error.line}:${error.col}: ${error.message}`)).toEqual([
      "15:18: sessions.user.migrateFrom names session \"ktor_user\", which is sealed with ktor-encrypt alone, whose MAC leaves out the IV (Ktor 3.x's format): anyone holding one valid cookie can rewrite the first 16 bytes of its payload, and the migration re-issues that forgery as a native encrypted session; migrate from a session signed with ktor-sign (Ktor's SessionTransportTransformerMessageAuthentication), or accept the risk in words: migrateFrom: { session: ktor_user, trustUnauthenticatedIv: true }",
      '19:37: sessions.kept.migrateFrom.session names session "signed", which has no unauthenticated IV to trust (only a by-value session with ktor-encrypt and no ktor-sign has one); remove trustUnauthenticatedIv, so it cannot later cover a source that does',
    ]);
  });

  it('#57 refuses a migration from a Ktor session that nothing seals (insecure: true), opt-in or not', () => {
    const result = loadSpecText(
      spec(`  user:
    transform: [{ encrypt: main }]
    migrateFrom: { session: open, trustUnauthenticatedIv: true }
    schema: { $ref: "#/types/User" }
  open:
    serializer: ktor-json
    insecure: true
    schema: { $ref: "#/types/User" }
`),
      'sessions.yaml',
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((error) => `${error.line}:${error.col}: ${error.message}`)).toEqual([
      "15:29: sessions.user.migrateFrom.session names session \"open\", which travels by value with no ktor-sign or ktor-encrypt transform (insecure: true), so a client can put any payload in its cookie and the migration would re-issue it as a native sealed session; seal the source with ktor-sign, as the Ktor service's SessionTransportTransformerMessageAuthentication does",
    ]);
  });

  it('#57 accepts the opt-in with a warning at its position, and sources whose cookie cannot be forged without one', () => {
    const result = loadSpecText(
      spec(`${optedInUser}  kept:
    transform: [{ encrypt: main }]
    migrateFrom: signed
    schema: { $ref: "#/types/User" }
  cart:
    storage: mem
    migrateFrom: stored
    schema: { $ref: "#/types/User" }
${ktorSources}`),
      'sessions.yaml',
    );
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(result.warnings.map((warning) => `${warning.line}:${warning.col}: ${warning.message}`)).toEqual([
      "15:40: sessions.user.migrateFrom.trustUnauthenticatedIv promotes session \"ktor_user\", which is sealed with ktor-encrypt alone, whose MAC leaves out the IV (Ktor 3.x's format): anyone holding one valid cookie can rewrite the first 16 bytes of its payload, and the migration re-issues that forgery as a native encrypted session; remove it once the Ktor service also signs the cookie (ktor-sign) or no longer issues it",
    ]);
  });
});
