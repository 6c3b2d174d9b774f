/**
 * Semantic rules for Ktor interop (docs/ktor.md): a session is wholly in Ktor's wire format or wholly native,
 * Ktor's transforms use raw (hex) key rings and native ones never do, Ktor's format carries no timestamps to
 * enforce an idle timeout by value (nor any expiry but a persistent cookie's), `migrateFrom` names a Ktor-format session with the same schema whose
 * cookie a client cannot forge (or says it accepts that), and a `ktor-reflection` schema stays within what
 * that format can write.
 */
import {
  flashProblem,
  idleProblem,
  migrationIntegrity,
  migrationProblem,
  persistenceProblem,
  rawIdSharing,
  rawIdSharingProblem,
  reflectionSchemaProblem,
  ringEncodingProblem,
  storeOf,
  transformFormatProblem,
  type MigrationIntegrity,
  type MigrationParty,
  type StoreLocation,
} from 'typed-sessions/rules';
import { SPEC_DEFAULTS } from './defaults.js';
import { runtimeSchema, type JsonSchema, type TypeNode } from './payload-schema.js';
import type { SpecError, SpecWarning } from './spec-error.js';
import { formatSpecPath } from './spec-path.js';
import type { SpecPath } from './spec-path.js';
import { entriesOf, fieldsOf, unknownName } from './spec-view.js';
import type { Fields, SessionView, SpecRule, SpecView, SpecWarningRule } from './spec-view.js';
import { factsRule, isKtorSession, sessionFacts } from './session-facts.js';
import { TRANSFORM_KINDS, transformRingRefs, transformSteps } from './transform-steps.js';

const transformOutsideFormat: SpecRule = {
  refuses: "a Ktor transform on a native session, or a native transform on a session in Ktor's format",
  check: (spec) =>
    spec.sessions.flatMap((session) =>
      transformSteps(session).flatMap(([step, index]): SpecError[] => {
        const kind = TRANSFORM_KINDS.find((name) => Object.hasOwn(step, name));
        const problem = kind === undefined ? undefined : transformFormatProblem(kind, isKtorSession(session));
        if (problem === undefined) return [];
        const path = [...session.path, 'transform', index, kind!];
        return [spec.source.errorAt(path, `${formatSpecPath(session.path)}: ${problem}`, 'key')];
      }),
    ),
};

const ringEncodingMismatch: SpecRule = {
  refuses: "a Ktor transform on a key ring not declared encoding: hex, or a native transform on one that is",
  check: (spec) => {
    return spec.sessions.flatMap((session) =>
      transformRingRefs(session).flatMap(({ path, ring, kind }): SpecError[] => {
        const declared = spec.keyRings.get(ring);
        const problem = declared === undefined ? undefined : ringEncodingProblem(kind, ring, declared.encoding === 'hex');
        return problem === undefined ? [] : [spec.source.errorAt(path, `${formatSpecPath(session.path)}: ${problem}`)];
      }),
    );
  },
};

const idleWithoutTimestamps = factsRule("expiry.idle on a by-value session in Ktor's format, which carries no timestamps", idleProblem, ['expiry', 'idle'], 'key');

const flashWithoutEnvelope = factsRule("flash: on a session in Ktor's format, which has no envelope to carry flash values in", flashProblem, ['flash'], 'key');

const browserSessionWithoutTimestamps = factsRule(
  "cookie.persistent: false on a by-value session in Ktor's format, whose cookie's Max-Age is its only expiry",
  persistenceProblem,
  ['cookie', 'persistent'],
);

/** `migrateFrom:` as written: the named session and where the name is. */
function migrationSource(session: SessionView): { name: string; path: SpecPath } | undefined {
  const from = session.fields.migrateFrom;
  if (typeof from === 'string') return { name: from, path: [...session.path, 'migrateFrom'] };
  const name = fieldsOf(from)?.session;
  return typeof name === 'string' ? { name, path: [...session.path, 'migrateFrom', 'session'] } : undefined;
}

/** The shared rule's verdict on promoting `source`'s payloads into `session` (security.md #57). */
function integrityOf(session: SessionView, source: SessionView): MigrationIntegrity {
  return migrationIntegrity(sessionFacts(source), fieldsOf(session.fields.migrateFrom)?.trustUnauthenticatedIv === true);
}

/** A session as the migration rule sees it. */
function migrationParty(session: SessionView): MigrationParty {
  const version = session.fields.version;
  return {
    ...sessionFacts(session),
    schema: session.fields.schema,
    version: typeof version === 'number' ? version : SPEC_DEFAULTS.payloadVersion,
    history: entriesOf(session.fields.history).map(([written, entry]) => ({ version: Number(written), schema: fieldsOf(entry)?.schema })),
  };
}

function optInPath(session: SessionView): SpecPath {
  return [...session.path, 'migrateFrom', 'trustUnauthenticatedIv'];
}

const badMigration: SpecRule = {
  refuses:
    "migrateFrom naming no session, a session not in Ktor's format, one with another schema, one whose cookie a client can forge without trustUnauthenticatedIv (or that opt-in with nothing to trust), or one another session already migrates from",
  check: (spec) => {
    const byKey = new Map(spec.sessions.map((session) => [session.key, session]));
    const claimedBy = new Map<string, string>();
    return spec.sessions.flatMap((session): SpecError[] => {
      const from = migrationSource(session);
      if (from === undefined) return [];
      const source = byKey.get(from.name);
      if (source === undefined) return [spec.source.errorAt(from.path, unknownName(from.path, 'session', from.name, [...byKey.keys()], 'sessions'))];
      const trust = fieldsOf(session.fields.migrateFrom)?.trustUnauthenticatedIv === true;
      const found = migrationProblem(migrationParty(session), migrationParty(source), trust, claimedBy.get(from.name));
      if (found === undefined) {
        claimedBy.set(from.name, session.key);
        return [];
      }
      const message = `${formatSpecPath(from.path)} names session "${from.name}", ${found.problem}`;
      return [found.at === 'optIn' ? spec.source.errorAt(optInPath(session), message, 'key') : spec.source.errorAt(from.path, message)];
    });
  },
};

const rawIdsOnSharedStore: SpecRule = {
  refuses: "two Ktor-format sessions tracked by id on one store, which would accept each other's raw ids",
  check: (spec) => {
    const sessions = spec.sessions.flatMap((session) => {
      const name = session.fields.storage;
      if (typeof name !== 'string') return [];
      const declared = storeLocation(spec.storages.get(name));
      return [{ name: session.key, store: declared === undefined ? name : storeOf(name, declared), rawIds: isKtorSession(session) }];
    });
    return rawIdSharing(sessions).map((sharing) => {
      const path = ['sessions', sharing.session, 'storage'];
      return spec.source.errorAt(path, `${formatSpecPath(path)}: ${rawIdSharingProblem(sharing)}`);
    });
  },
};

/** Where a storage as written puts its entries, defaults applied as the runtime will get them; `undefined` when it is malformed (ajv's to report). */
function storeLocation(fields: Fields | undefined): StoreLocation | undefined {
  const env = fieldsOf(fields?.url)?.env;
  const prefix = fields?.prefix ?? SPEC_DEFAULTS.redisPrefix;
  if (fields?.kind === 'memory') return { kind: 'memory' };
  if (fields?.kind === 'directory' && typeof fields.path === 'string') return { kind: 'directory', path: fields.path };
  if (fields?.kind === 'redis' && typeof env === 'string' && typeof prefix === 'string') return { kind: 'redis', url: { env }, prefix };
  return undefined;
}

const reflectionOutsideSubset: SpecRule = {
  refuses: 'a ktor-reflection payload schema the reflection format cannot write (unions, objects inside collections)',
  check: (spec) =>
    spec.sessions
      .filter((session) => session.fields.serializer === 'ktor-reflection' && fieldsOf(session.fields.schema) !== undefined)
      .flatMap((session) => {
        const problem = reflectionProblem(spec, session.fields.schema as JsonSchema);
        if (problem === undefined) return [];
        const path = [...session.path, 'schema'];
        return [
          spec.source.errorAt(
            path,
            `${formatSpecPath(path)} cannot be written by serializer ktor-reflection: ${problem}; change the schema, or use ktor-json if the Ktor service uses kotlinx serialization`,
            'key',
          ),
        ];
      }),
};

/** `undefined` as well when the schema is broken in ways other rules report (an unresolved `$ref`). */
function reflectionProblem(spec: SpecView, schema: JsonSchema): string | undefined {
  const types = spec.types.flatMap(([name, typeSchema]): TypeNode[] => {
    const fields = fieldsOf(typeSchema);
    return fields === undefined ? [] : [{ name, schema: fields }];
  });
  try {
    return reflectionSchemaProblem(runtimeSchema(schema, types));
  } catch {
    return undefined;
  }
}

const trustedUnauthenticatedIv: SpecWarningRule = {
  warns: 'migrateFrom with trustUnauthenticatedIv: true, which re-issues payloads whose first 16 bytes a cookie holder can choose',
  check: (spec) => {
    const byKey = new Map(spec.sessions.map((session) => [session.key, session]));
    return spec.sessions.flatMap((session): SpecWarning[] => {
      const from = migrationSource(session);
      const source = from === undefined ? undefined : byKey.get(from.name);
      if (source === undefined) return [];
      const integrity = integrityOf(session, source);
      if (!integrity.ok || integrity.risk === undefined) return [];
      const path = optInPath(session);
      const message = `${formatSpecPath(path)} promotes session "${source.key}", ${integrity.risk}; remove it once the Ktor service also signs the cookie (ktor-sign) or no longer issues it`;
      return [spec.source.errorAt(path, message, 'key')];
    });
  },
};

/** Accepted but risky: `gen` and `validate` print these as warnings. */
export const KTOR_WARNINGS: readonly SpecWarningRule[] = [trustedUnauthenticatedIv];

export const KTOR_RULES: readonly SpecRule[] = [
  transformOutsideFormat,
  ringEncodingMismatch,
  idleWithoutTimestamps,
  flashWithoutEnvelope,
  browserSessionWithoutTimestamps,
  badMigration,
  rawIdsOnSharedStore,
  reflectionOutsideSubset,
];
