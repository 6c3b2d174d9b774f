/**
 * generator/spec-schema.json as a file of its own: what editors (yaml-language-server) and other JSON
 * Schema tools get, without this package's validator around it.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { fullFormats } from 'ajv-formats/dist/formats.js';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DURATION_PATTERN } from '../../generator/duration.js';
import { SPEC_DEFAULTS } from '../../generator/defaults.js';
import { PAYLOAD_PATH_PATTERN } from '../../generator/per-user-rules.js';
import { MAX_SESSIONS_PER_USER } from '../../runtime/per-user-rules.js';
import { COOKIE_DOMAIN_MAX_LENGTH, COOKIE_DOMAIN_PATTERN, COOKIE_NAME_PATTERN, COOKIE_PATH_PATTERN } from '../../runtime/transport/cookie-rules.js';
import specSchema from '../../generator/spec-schema.json' with { type: 'json' };

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

describe('spec-schema.json', () => {
  it('offers exactly the formats ajv-formats knows, which the runtime validates', () => {
    expect(specSchema.definitions.payloadSchema.properties.format.enum).toEqual(Object.keys(fullFormats));
  });

  it('shows editors the defaults normalize applies', () => {
    const { definitions } = specSchema;
    const cookie = definitions.cookie.properties;
    expect({
      maxEntries: definitions.memoryStorage.properties.maxEntries.default,
      directoryMaxEntries: definitions.directoryStorage.properties.maxEntries.default,
      redisPrefix: definitions.redisStorage.properties.prefix.default,
      transport: definitions.session.properties.transport.default,
      insecure: definitions.session.properties.insecure.default,
      maxAge: /default (\w+)$/.exec(definitions.expiry.properties.maxAge.description)?.[1],
      rolling: definitions.expiry.properties.rolling.default,
      cookie: {
        path: cookie.path.default,
        httpOnly: cookie.httpOnly.default,
        secure: cookie.secure.default,
        sameSite: cookie.sameSite.default,
        partitioned: cookie.partitioned.default,
        persistent: cookie.persistent.default,
        chunked: cookie.chunked.default,
      },
      ktorSignAlgorithm: definitions.ktorSignStep.properties.algorithm.default,
      ktorLegacyMac: definitions.ktorEncryptStep.properties.legacyMac.default,
      keepSource: definitions.migrateFrom.else.properties.keepSource.default,
      trustUnauthenticatedIv: definitions.migrateFrom.else.properties.trustUnauthenticatedIv.default,
      payloadVersion: definitions.session.properties.version.default,
      revocationOnStoreDown: definitions.revocation.properties.onStoreDown.default,
    }).toEqual(SPEC_DEFAULTS);
  });

  it('#65 holds the cookie name, path and domain rules the runtime checks at installSessions()', () => {
    const { cookie, session } = specSchema.definitions;
    expect(session.properties.name.pattern).toBe(COOKIE_NAME_PATTERN);
    expect(cookie.properties.path.pattern).toBe(COOKIE_PATH_PATTERN);
    expect(cookie.properties.domain.pattern).toBe(COOKIE_DOMAIN_PATTERN);
    expect(cookie.properties.domain.maxLength).toBe(COOKIE_DOMAIN_MAX_LENGTH);
  });

  it('shows editors the duration pattern normalize parses', () => {
    expect(specSchema.definitions.duration.pattern).toBe(DURATION_PATTERN.source);
  });

  it('#65 holds the payload path shape the rules read and the maxPerUser bounds the runtime checks at installSessions()', () => {
    const { definitions } = specSchema;
    expect(definitions.payloadPath.pattern).toBe(PAYLOAD_PATH_PATTERN.source);
    for (const path of [definitions.session.properties.index, definitions.session.properties.summary.items, definitions.revocation.properties.key]) {
      expect(path.$ref).toBe('#/definitions/payloadPath');
    }
    const { maxPerUser } = definitions.session.properties;
    expect([maxPerUser.minimum, maxPerUser.maximum]).toEqual([1, MAX_SESSIONS_PER_USER]);
  });

  it('works in a plain draft-07 validator: the demo spec passes, a typo fails at its path', async () => {
    const validate = new Ajv({ strict: false, allErrors: true }).compile(specSchema);
    const demo = parse(await readFile(join(root, 'sessions.yaml'), 'utf8')) as { sessions: { user: Record<string, unknown> } };
    expect(validate(demo)).toBe(true);
    demo.sessions.user.transport = 'cokie';
    expect(validate(demo)).toBe(false);
    expect(validate.errors?.map((error) => [error.instancePath, error.keyword])).toEqual([['/sessions/user/transport', 'enum']]);
  });
});
