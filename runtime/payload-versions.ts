/**
 * Payload versions (docs/schema-evolution.md): a session's payloads are written under its current `version`,
 * and one written under an older version the spec still keeps in `history` is read under that version's
 * schema, then migrated step by step by the app's functions to the current one, checked at every step. The
 * version travels in the envelope (runtime/envelope.ts), so by value it is under the seal with the payload
 * and by id in the stored entry: a client cannot choose the schema its payload is read under.
 */
import type { PayloadVersion, SessionDefinition } from './definition.js';
import type { Envelope } from './envelope.js';
import { SessionConfigError } from './errors.js';
import { payloadValidator, type PayloadValidator } from './validation.js';

/** The version of a spec that never wrote `version:`, and of every envelope that carries none. */
export const FIRST_VERSION = 1;

/**
 * Why a session's `history` cannot be served with current version `current`, or `undefined` when it can:
 * every kept version is below the current one and they run without a gap up to `current - 1`, so each
 * migration has a next version to return. Shared by `validate` (with a position) and `installSessions()`.
 *
 * @example
 * historyProblem([1, 2], 3); // undefined
 * historyProblem([1], 3);    // 'history: ... version 2 is missing ...'
 */
export function historyProblem(kept: readonly number[], current: number): string | undefined {
  const sorted = [...kept].sort((a, b) => a - b);
  const tooNew = sorted.find((version) => version >= current);
  if (tooNew !== undefined) {
    return `history: holds version ${tooNew}, but the current version is ${current}; history keeps only older versions, so raise version: above ${tooNew} or remove ${tooNew} from history:`;
  }
  for (let version = sorted[0] ?? current; version < current; version += 1) {
    if (!sorted.includes(version)) {
      return `history: keeps version ${sorted[0]} but not version ${version}, so version ${version - 1}'s migration has nothing to return; add version ${version} (its schema and its migration to ${version + 1}) or drop the versions below it`;
    }
  }
  return undefined;
}

/** A version above 1 and history need this library's envelope to carry the version; Ktor's wire format has none. */
export function versionFormatProblem(ktorFormat: boolean, versioned: boolean): string | undefined {
  if (!ktorFormat || !versioned) return undefined;
  return "version: and history: need this library's envelope to carry the payload's version, and a session in Ktor's wire format has none (a Ktor service would misread it); version the native session that migrates from it instead";
}

/** A payload read under an older version and brought to the current one, or why it could not be. */
export type Migration =
  | { readonly ok: true; readonly value: unknown; readonly from: number }
  | { readonly ok: false; readonly reason: 'schema' }
  | { readonly ok: false; readonly reason: 'migration_failed'; readonly failure: MigrationFailure };

/** Which step of a migration failed and why, as the `rejected` event reports it: never payload data. */
export interface MigrationFailure {
  readonly fromVersion: number;
  readonly toVersion: number;
  readonly error: string;
}

interface Step {
  readonly version: number;
  readonly validate: PayloadValidator;
  readonly migrate: (payload: unknown) => unknown;
}

/**
 * One session's versions at run time: the current one, and the steps from each kept older version.
 *
 * @example
 * const versions = new PayloadVersions(definition, validateCurrent);
 * versions.upgrade(1, { name: 'Ada' }); // { ok: true, value: { userId: 'ada', name: 'Ada' }, from: 1 }
 */
export class PayloadVersions {
  readonly current: number;
  readonly #steps: ReadonlyMap<number, Step>;

  /** Throws `SessionConfigError` for a history `historyProblem` refuses or an entry with no validator or migration. */
  constructor(
    definition: SessionDefinition<unknown>,
    readonly validateCurrent: PayloadValidator,
  ) {
    const name = definition.name;
    this.current = definition.version ?? FIRST_VERSION;
    const history: readonly PayloadVersion[] = definition.history ?? [];
    const problem = historyProblem(
      history.map((entry) => entry.version),
      this.current,
    );
    if (problem !== undefined || !Number.isSafeInteger(this.current) || this.current < FIRST_VERSION) {
      throw new SessionConfigError(`session "${name}": ${problem ?? `version ${this.current} is not a whole number from 1`}; fix it in sessions.yaml`);
    }
    this.#steps = new Map(
      history.map((entry) => {
        if (typeof entry.migrate !== 'function') {
          throw new SessionConfigError(`session "${name}": history version ${entry.version} has no migration function; run \`npx typed-sessions gen\` to regenerate it`);
        }
        const migrate = entry.migrate as (payload: unknown) => unknown;
        return [entry.version, { version: entry.version, validate: payloadValidator(`${name}" version "${entry.version}`, entry.validate), migrate }];
      }),
    );
  }

  /**
   * `value`, written under `version`, checked under it; one of an older version is then migrated
   * step by step, each step's result checked under the next version. A version the spec no longer keeps (or
   * never had) is `schema`, as a payload that fits no declared schema; a migration that throws or returns
   * what the next version refuses is `migration_failed`, with the step and a message that holds no payload data.
   */
  upgrade(version: number, value: unknown): Migration {
    if (version === this.current) return this.validateCurrent(value) === undefined ? { ok: true, value, from: version } : { ok: false, reason: 'schema' };
    const first = this.#steps.get(version);
    if (first === undefined || first.validate(value) !== undefined) return { ok: false, reason: 'schema' };
    let payload = value;
    for (let step: Step | undefined = first; step !== undefined; step = this.#steps.get(step.version + 1)) {
      const to = step.version + 1;
      try {
        payload = step.migrate(payload);
      } catch (error) {
        return failed(step.version, `threw ${errorName(error)}`);
      }
      const failure = (to === this.current ? this.validateCurrent : this.#steps.get(to)!.validate)(payload);
      if (failure !== undefined) {
        return failed(step.version, `returned a payload version ${to} refuses at "${failure.path}": ${failure.detail}`);
      }
    }
    return { ok: true, value: payload, from: version };
  }

  /**
   * The payload `value` decoded from `envelope`, under the version the envelope says it was written under.
   * A migrated one comes with the envelope commit writes back: the payload re-encoded by `encode` under the
   * current version, times and cookie choice kept. A result `encode` refuses is a failed migration too.
   */
  read(envelope: Envelope, value: unknown, encode: (payload: unknown) => string): VersionedRead {
    const version = envelope.version ?? FIRST_VERSION;
    const migration = this.upgrade(version, value);
    if (!migration.ok) return migration;
    if (version === this.current) return { ok: true, value, envelope };
    let payload: string;
    try {
      payload = encode(migration.value);
    } catch (error) {
      return failed(this.current - 1, `returned a payload the serializer refuses (${errorName(error)})`);
    }
    return { ok: true, value: migration.value, envelope: { ...envelope, payload, version: this.current }, migratedFrom: version };
  }
}

/** The step from `fromVersion` failed with `error`. */
function failed(fromVersion: number, error: string): Extract<Migration, { ok: false }> {
  return { ok: false, reason: 'migration_failed', failure: { fromVersion, toVersion: fromVersion + 1, error } };
}

/** A payload as read from an envelope: current, or migrated with the envelope that writes it back; or refused. */
export type VersionedRead =
  | { readonly ok: true; readonly value: unknown; readonly envelope: Envelope; readonly migratedFrom?: number }
  | Extract<Migration, { ok: false }>;

/** The error's class name only: its message may quote the payload, and events never carry one. */
function errorName(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}
