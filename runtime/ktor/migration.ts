import type { SessionDefinition } from '../definition.js';
import { SessionConfigError } from '../errors.js';
import { KTOR_FORMAT_HINT, sessionFacts, type SessionFacts } from '../session-rules.js';

/** One `migrateFrom`: indexes (into the installed pipelines) of the native session and the Ktor-format session it takes over. */
export interface Migration {
  readonly target: number;
  readonly source: number;
  readonly keepSource: boolean;
  /** The target's payload version the source's schema is (the current one, or one its history keeps). */
  readonly version: number;
}

/** What a migration's source session is, as far as the integrity of its cookie goes: by id, the cookie carries an id and the payload comes from the storage. */
export type MigrationSource = Pick<SessionFacts, 'name' | 'byId' | 'transforms'>;

/**
 * Whether a migration may promote what its source reads (security.md #57). `risk` is present when the spec
 * opted in to a forgeable source, for `gen` to warn about; `problem` completes "migrates from X, ...", and
 * `at` says whether it is about the source or about the opt-in.
 */
export type MigrationIntegrity =
  | { readonly ok: true; readonly risk?: string }
  | { readonly ok: false; readonly problem: string; readonly at: 'source' | 'optIn' };

const FORGERY_RISK =
  "which is sealed with ktor-encrypt alone, whose MAC leaves out the IV (Ktor 3.x's format): anyone holding one valid cookie can rewrite the first 16 bytes of its payload, and the migration re-issues that forgery as a native encrypted session";

/**
 * The one integrity rule of migrations, for `typed-sessions validate` and for start-up alike. Ktor 3.x's
 * encrypt MAC covers the ciphertext but not the IV, and in CBC flipping IV bits flips the same bits of the
 * first plaintext block (wire format section 2.5), so a by-value source sealed by `ktor-encrypt` alone yields
 * payloads whose first 16 bytes the cookie holder chose. Reading them as Ktor does is interop; re-issuing them
 * under this library's AEAD seal would launder the forgery, so it takes `trustUnauthenticatedIv: true`. A
 * `ktor-sign` step anywhere in the chain covers what the IV leaves out (the whole token when outside, the
 * plaintext when inside), and by id a changed IV only changes an id no storage holds. An opt-in with nothing
 * to trust is refused too, so it cannot silently cover a weaker source later. A by-value source with no
 * transform at all (`insecure: true`) is anyone's to write, and is refused with no opt-in.
 *
 * @example
 * migrationIntegrity({ name: 'ktor_user', byId: false, transforms: ['ktor-encrypt'] }, false);
 * // { ok: false, at: 'source', problem: 'which is sealed with ktor-encrypt alone, ...' }
 */
export function migrationIntegrity(source: MigrationSource, trustUnauthenticatedIv: boolean): MigrationIntegrity {
  // Nothing seals it at all: every payload is the client's own, and no opt-in makes promoting it sound.
  if (!source.byId && source.transforms.length === 0) {
    return {
      ok: false,
      at: 'source',
      problem: `which travels by value with no ktor-sign or ktor-encrypt transform (insecure: true), so a client can put any payload in its cookie and the migration would re-issue it as a native sealed session; seal the source with ktor-sign, as the Ktor service's SessionTransportTransformerMessageAuthentication does`,
    };
  }
  const forgeable = !source.byId && source.transforms.includes('ktor-encrypt') && !source.transforms.includes('ktor-sign');
  if (forgeable && trustUnauthenticatedIv) return { ok: true, risk: FORGERY_RISK };
  if (forgeable) {
    return {
      ok: false,
      at: 'source',
      problem: `${FORGERY_RISK}; migrate from a session signed with ktor-sign (Ktor's SessionTransportTransformerMessageAuthentication), or accept the risk in words: migrateFrom: { session: ${source.name}, trustUnauthenticatedIv: true }`,
    };
  }
  if (!trustUnauthenticatedIv) return { ok: true };
  return {
    ok: false,
    at: 'optIn',
    problem:
      'which has no unauthenticated IV to trust (only a by-value session with ktor-encrypt and no ktor-sign has one); remove trustUnauthenticatedIv, so it cannot later cover a source that does',
  };
}

/** A session as the migration rule sees it: its facts, its payload schema and version, and its older versions' schemas. */
export interface MigrationParty extends SessionFacts {
  readonly schema: unknown;
  readonly version: number;
  readonly history: readonly { readonly version: number; readonly schema: unknown }[];
}

/**
 * The version of `target` whose schema is `source`'s, or `undefined` when none is: a Ktor payload is read
 * as that version and migrated up to the current one like any payload written under it.
 *
 * @example
 * schemaVersionOf(user, ktorUser); // 1: the Ktor service still writes what user's version 1 was
 */
export function schemaVersionOf(target: MigrationParty, source: MigrationParty): number | undefined {
  const same = (schema: unknown): boolean => JSON.stringify(schema) === JSON.stringify(source.schema);
  if (same(target.schema)) return target.version;
  return target.history.find((old) => same(old.schema))?.version;
}

/** Why a migration cannot be planned: the problem completes "migrates from X, ", `at` as in `MigrationIntegrity`. */
export interface MigrationProblem {
  readonly at: 'source' | 'optIn';
  readonly problem: string;
}

/**
 * The one rule of `migrateFrom`, for `typed-sessions validate` and start-up alike: `target` is native and
 * `source` in Ktor's format, neither `load: lazy`, both share one schema (so a payload valid there is valid here), the source's
 * cookie cannot be forged unless the spec says so (`migrationIntegrity`), and no other session
 * (`claimedBy`) already migrates from the same source.
 *
 * @example
 * migrationProblem(user, ktorUser, false, undefined); // undefined: the migration is sound
 */
export function migrationProblem(
  target: MigrationParty,
  source: MigrationParty,
  trustUnauthenticatedIv: boolean,
  claimedBy: string | undefined,
): MigrationProblem | undefined {
  const problem = (text: string): MigrationProblem => ({ at: 'source', problem: text });
  if (target.ktorFormat) {
    return problem("but this session is itself in Ktor's format: migration moves users from a Ktor-format session onto a native one, so set migrateFrom on the native session");
  }
  if (!source.ktorFormat) return problem(`which is not in Ktor's format; give that session ${KTOR_FORMAT_HINT}`);
  if (target.loadsOnDemand || source.loadsOnDemand) {
    const lazy = target.loadsOnDemand ? 'this session is' : 'that session is';
    return problem(`but ${lazy} load: lazy, and both sessions of a migration are loaded before the handler, which re-issues one as the other there; remove load: lazy`);
  }
  if (schemaVersionOf(target, source) === undefined) {
    return problem(
      'whose schema differs from this session\'s and from every version its history: keeps; give both the same schema (for example $ref: "#/types/User"), or keep the source\'s schema as a version in history:, so every migrated payload is valid',
    );
  }
  const integrity = migrationIntegrity(source, trustUnauthenticatedIv);
  if (!integrity.ok) return { at: integrity.at, problem: integrity.problem };
  if (claimedBy !== undefined) return problem(`which session "${claimedBy}" already migrates from; one Ktor session moves into one native session`);
  return undefined;
}

/**
 * The migrations of a spec, checked once at start-up with `migrationProblem`. Throws `SessionConfigError`
 * for the first that cannot be planned.
 *
 * @example
 * planMigrations(providers.map((provider) => provider.definition)); // [{ target: 0, source: 1, keepSource: false }]
 */
export function planMigrations(definitions: readonly SessionDefinition<unknown>[]): Migration[] {
  const indexByName = new Map(definitions.map((definition, index) => [definition.name, index]));
  const claimed = new Map<number, string>();
  const party = (definition: SessionDefinition<unknown>): MigrationParty => ({
    ...sessionFacts(definition),
    schema: definition.schema,
    version: definition.version ?? 1,
    history: definition.history ?? [],
  });
  return definitions.flatMap((definition, target): Migration[] => {
    const from = definition.migrateFrom;
    if (from === undefined) return [];
    const fail = (problem: string): never => {
      throw new SessionConfigError(`session "${definition.name}" migrates from "${from.session}", ${problem}; fix migrateFrom in sessions.yaml`);
    };
    const source = indexByName.get(from.session);
    if (source === undefined) return fail('which the spec does not declare');
    const problem = migrationProblem(party(definition), party(definitions[source]!), from.trustUnauthenticatedIv === true, claimed.get(source));
    if (problem !== undefined) fail(problem.problem);
    claimed.set(source, definition.name);
    return [{ target, source, keepSource: from.keepSource, version: schemaVersionOf(party(definition), party(definitions[source]!))! }];
  });
}
