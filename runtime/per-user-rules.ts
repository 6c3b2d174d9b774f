/**
 * The rules of the per-user settings (docs/spec.md): `index`, with `maxPerUser` and `summary`, lists and
 * revokes a user's sessions tracked by id; `revocation` revokes a user's by-value cookies. `typed-sessions
 * validate` checks each with a position and `installSessions()` checks them again, through these functions
 * (security.md #65); a problem follows "<where>: " on either side, as in session-rules.ts.
 */
import type { SessionDefinition } from './definition.js';
import { ownEntry } from './own-entry.js';
import { payloadPathProblem, type PayloadSchemaAt } from './payload-path.js';
import { formatSeconds } from './expiry-rules.js';

/** `maxPerUser` runs from 1 to this; spec-schema.json holds the same bounds. */
export const MAX_SESSIONS_PER_USER = 1000;

const CURRENT_SCHEMA = 'the current schema';

/**
 * The payload schemas a session may be written under, current first, each named as a problem names it.
 *
 * @example
 * versionSchemas(schema, [{ version: 1, schema: v1 }]).map(({ name }) => name); // ['the current schema', "history.1's schema"]
 */
export function versionSchemas(current: object, history: readonly { readonly version: number; readonly schema: object }[]): PayloadSchemaAt[] {
  return [{ name: CURRENT_SCHEMA, schema: current }, ...history.map((old) => ({ name: `history.${old.version}'s schema`, schema: old.schema, older: true }))];
}

/** Where a session lives and in which format, which decides which per-user settings it can have. */
export interface PerUserPlacement {
  readonly byId: boolean;
  readonly ktorFormat: boolean;
}

/**
 * An index lists a user's entries in the session's storage, under each entry's storage key. A Ktor-format
 * session files its entries under the raw id its cookie carries (docs/ktor.md), so the listing would hand
 * out live tokens, and a Ktor service writing the same store would leave the index behind.
 *
 * @example
 * indexPlacementProblem({ byId: false, ktorFormat: false }); // "index lists a user's sessions in their storage, ..."
 */
export function indexPlacementProblem(session: PerUserPlacement): string | undefined {
  if (!session.byId) {
    return "index lists a user's sessions in their storage, and this session travels by value (no storage:); add storage: to track it by id, or use revocation: { storage, key, recheck } to revoke its cookies";
  }
  if (session.ktorFormat) {
    return "index would list each session under its storage key, which in Ktor's format is the raw id the cookie carries, so the listing would hand out live tokens (and a Ktor service writing the store would not keep the index); remove index, or index a native session";
  }
  return undefined;
}

/**
 * Revocation seals the time of the last check and the stamp it saw beside the payload, in this library's
 * envelope: by id there is no cookie to seal it in (deleting the entry revokes it), and Ktor's format has no envelope.
 */
export function revocationPlacementProblem(session: PerUserPlacement): string | undefined {
  if (session.byId) {
    return "revocation is for sessions that travel by value; one tracked by id is revoked by deleting its entry, so use index: (the payload path of the user id) to list and revoke a user's sessions";
  }
  if (session.ktorFormat) {
    return "revocation seals the time of its last check in this library's envelope, which Ktor's wire format has no room for; remove revocation, or revoke a native session";
  }
  return undefined;
}

/** `maxPerUser` and `summary` say what the index keeps, so they mean nothing without one. */
export function withoutIndexProblem(setting: 'maxPerUser' | 'summary'): string {
  const what = setting === 'maxPerUser' ? 'limits how many sessions the index keeps per user' : "chooses what a listing of a user's sessions shows";
  return `${setting} ${what}, and there is no index:; add index: (the payload path of the user id), or remove ${setting}`;
}

/** A whole number of sessions from 1 to `MAX_SESSIONS_PER_USER`, which `maxPerUser` bounds each user by. */
export function maxPerUserProblem(limit: number): string | undefined {
  if (Number.isSafeInteger(limit) && limit >= 1 && limit <= MAX_SESSIONS_PER_USER) return undefined;
  return `maxPerUser must be a whole number from 1 to ${MAX_SESSIONS_PER_USER}, not ${limit}`;
}

/** A cookie goes unchecked for `recheck` seconds at most: from 1, and below `maxAge`, or it would never be rechecked. */
export function recheckProblem(recheck: number, maxAge: number): string | undefined {
  if (!(Number.isSafeInteger(recheck) && recheck >= 1)) return `revocation.recheck must be a whole number of seconds from 1, not ${recheck}`;
  if (recheck < maxAge) return undefined;
  return `revocation.recheck (${formatSeconds(recheck)}) must be less than maxAge (${formatSeconds(maxAge)}), or a cookie would expire before its first recheck and revocation would never reach it; shorten recheck`;
}

/**
 * The index key and the revocation key name the user: a string every payload holds, in the current schema
 * and in every older version a session may still be written under.
 */
export function userKeyProblem(setting: 'index' | 'revocation.key', path: readonly string[], schemas: readonly PayloadSchemaAt[]): string | undefined {
  return payloadPathProblem(setting, path, 'requiredString', schemas);
}

/** A `summary` entry names a field the current schema declares (a payload may lack it: the listing then does too). */
export function summaryFieldProblem(index: number, path: readonly string[], schema: object): string | undefined {
  return payloadPathProblem(`summary[${index}]`, path, 'field', [{ name: CURRENT_SCHEMA, schema }]);
}

/**
 * The first problem with a definition's per-user settings, for `installSessions()`; `storages` are the
 * spec's declared ones, which `revocation.storage` must name.
 *
 * @example
 * perUserProblem({ ...byValueDefinition, index: ['userId'] }, {}); // "index lists a user's sessions in their storage, ..."
 */
export function perUserProblem(definition: SessionDefinition<unknown>, storages: Readonly<Record<string, unknown>>): string | undefined {
  const placement = { byId: definition.storage !== undefined, ktorFormat: definition.ktor !== undefined };
  const schemas = versionSchemas(definition.schema, definition.history ?? []);
  return indexProblem(definition, placement, schemas) ?? revocationProblem(definition, placement, schemas, storages);
}

function indexProblem(definition: SessionDefinition<unknown>, placement: PerUserPlacement, schemas: readonly PayloadSchemaAt[]): string | undefined {
  const { index, maxPerUser, summary } = definition;
  if (index === undefined) {
    if (maxPerUser !== undefined) return withoutIndexProblem('maxPerUser');
    return summary === undefined ? undefined : withoutIndexProblem('summary');
  }
  return (
    indexPlacementProblem(placement) ??
    userKeyProblem('index', index, schemas) ??
    (maxPerUser === undefined ? undefined : maxPerUserProblem(maxPerUser)) ??
    summary?.map((path, at) => summaryFieldProblem(at, path, definition.schema)).find((problem) => problem !== undefined)
  );
}

function revocationProblem(
  definition: SessionDefinition<unknown>,
  placement: PerUserPlacement,
  schemas: readonly PayloadSchemaAt[],
  storages: Readonly<Record<string, unknown>>,
): string | undefined {
  const { revocation } = definition;
  if (revocation === undefined) return undefined;
  const undeclared = ownEntry(storages, revocation.storage) === undefined;
  return (
    revocationPlacementProblem(placement) ??
    (undeclared ? `revocation.storage names storage "${revocation.storage}", which storages: does not declare; declare it, or name a declared one` : undefined) ??
    userKeyProblem('revocation.key', revocation.key, schemas) ??
    recheckProblem(revocation.recheck, definition.expiry.maxAge)
  );
}
