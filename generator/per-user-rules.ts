/**
 * Semantic rules for the per-user settings (docs/spec.md): `index`, `maxPerUser` and `summary` on a session
 * tracked by id, `revocation` on one that travels by value, each path naming a payload field it can use.
 * The judgement is the runtime's own (runtime/per-user-rules.ts, through `typed-sessions/rules`); this file
 * only finds each setting in the spec and says where it is written.
 */
import {
  indexPlacementProblem,
  recheckProblem,
  revocationPlacementProblem,
  summaryFieldProblem,
  userKeyProblem,
  versionSchemas,
  withoutIndexProblem,
  type PayloadSchemaAt,
  type PerUserPlacement,
} from 'typed-sessions/rules';
import { SPEC_DEFAULTS } from './defaults.js';
import { parseDuration } from './duration.js';
import type { NodePart } from './load.js';
import { runtimeSchema, type TypeNode } from './payload-schema.js';
import { isKtorSession } from './session-facts.js';
import type { SpecError, SpecWarning } from './spec-error.js';
import { formatSpecPath, type SpecPath } from './spec-path.js';
import { entriesOf, fieldsOf, unknownName } from './spec-view.js';
import type { SessionView, SpecRule, SpecView, SpecWarningRule } from './spec-view.js';

/** The shape of a payload path, field names joined by dots; spec-schema.json holds the same pattern. */
export const PAYLOAD_PATH_PATTERN = /^[^.]+(?:\.[^.]+)*$/;

/** A payload path's field names; one of another shape is ajv's to report. */
function pathOf(value: unknown): string[] | undefined {
  return typeof value === 'string' && PAYLOAD_PATH_PATTERN.test(value) ? value.split('.') : undefined;
}

function placementOf(session: SessionView): PerUserPlacement {
  return { byId: session.fields.storage !== undefined, ktorFormat: isKtorSession(session) };
}

/** An error at a setting under the session, on its value or (`part: 'key'`) its key. */
function errorAt(spec: SpecView, session: SessionView, setting: SpecPath, problem: string, part: NodePart = 'value'): SpecError {
  return spec.source.errorAt([...session.path, ...setting], `${formatSpecPath(session.path)}: ${problem}`, part);
}

/**
 * The session's payload schemas as the runtime will hold them (self-contained, `$ref`s into `$defs`): the
 * current one and each kept in `history:`. One that is not a mapping is ajv's to report.
 */
function payloadSchemas(spec: SpecView, session: SessionView): { current: object | undefined; all: PayloadSchemaAt[] } {
  const types = spec.types.flatMap(([name, schema]): TypeNode[] => {
    const fields = fieldsOf(schema);
    return fields === undefined ? [] : [{ name, schema: fields }];
  });
  const selfContained = (schema: unknown) => {
    const fields = fieldsOf(schema);
    return fields === undefined ? undefined : runtimeSchema(fields, types);
  };
  const current = selfContained(session.fields.schema);
  const history = entriesOf(session.fields.history).flatMap(([version, entry]) => {
    const schema = selfContained(fieldsOf(entry)?.schema);
    // A version key that is no number is ajv's to report too.
    return schema === undefined || !Number.isSafeInteger(Number(version)) ? [] : [{ version: Number(version), schema }];
  });
  return { current, all: current === undefined ? [] : versionSchemas(current, history) };
}

const indexWhereItCannotWork: SpecRule = {
  refuses: "index: on a by-value session or one in Ktor's format, and maxPerUser: or summary: without index:",
  check: (spec) =>
    spec.sessions.flatMap((session) => {
      const written = (setting: string) => Object.hasOwn(session.fields, setting);
      if (!written('index')) {
        return (['maxPerUser', 'summary'] as const).filter(written).map((setting) => errorAt(spec, session, [setting], withoutIndexProblem(setting), 'key'));
      }
      const problem = indexPlacementProblem(placementOf(session));
      return problem === undefined ? [] : [errorAt(spec, session, ['index'], problem, 'key')];
    }),
};

const unusablePayloadPath: SpecRule = {
  refuses:
    'an index: or revocation.key naming no required string of every payload version, and a summary: entry naming no field of the current payload (or any of them going into a list, a map or a union)',
  check: (spec) =>
    spec.sessions.flatMap((session) => {
      const placement = placementOf(session);
      const { current, all } = payloadSchemas(spec, session);
      if (current === undefined) return [];
      const revocation = fieldsOf(session.fields.revocation);
      const paths: [SpecPath, string[] | undefined, (path: string[]) => string | undefined][] = [];
      if (Object.hasOwn(session.fields, 'index') && indexPlacementProblem(placement) === undefined) {
        paths.push([['index'], pathOf(session.fields.index), (path) => userKeyProblem('index', path, all)]);
        const summary = Array.isArray(session.fields.summary) ? (session.fields.summary as unknown[]) : [];
        summary.forEach((entry, at) => paths.push([['summary', at], pathOf(entry), (path) => summaryFieldProblem(at, path, current)]));
      }
      if (revocation !== undefined && revocationPlacementProblem(placement) === undefined) {
        paths.push([['revocation', 'key'], pathOf(revocation?.key), (path) => userKeyProblem('revocation.key', path, all)]);
      }
      return paths.flatMap(([setting, path, problemOf]) => {
        const problem = path === undefined ? undefined : problemOf(path);
        return problem === undefined ? [] : [errorAt(spec, session, setting, problem)];
      });
    }),
};

const revocationWhereItCannotWork: SpecRule = {
  refuses: "revocation: on a session tracked by id or in Ktor's format, naming a storage storages: does not declare, or rechecking no sooner than maxAge",
  check: (spec) =>
    spec.sessions.flatMap((session): SpecError[] => {
      const revocation = fieldsOf(session.fields.revocation);
      if (revocation === undefined) return [];
      const placement = revocationPlacementProblem(placementOf(session));
      if (placement !== undefined) return [errorAt(spec, session, ['revocation'], placement, 'key')];
      const errors: SpecError[] = [];
      if (typeof revocation.storage === 'string' && !spec.storages.has(revocation.storage)) {
        const path = [...session.path, 'revocation', 'storage'];
        errors.push(spec.source.errorAt(path, unknownName(path, 'storage', revocation.storage, [...spec.storages.keys()], 'storages')));
      }
      // A malformed duration is ajv's to report; an unset maxAge is the default.
      const recheck = parseDuration(revocation.recheck);
      const maxAge = parseDuration(session.expiry.maxAge ?? SPEC_DEFAULTS.maxAge);
      const problem = recheck === undefined || maxAge === undefined ? undefined : recheckProblem(recheck, maxAge);
      if (problem !== undefined) errors.push(errorAt(spec, session, ['revocation', 'recheck'], problem));
      return errors;
    }),
};

export const PER_USER_RULES: readonly SpecRule[] = [indexWhereItCannotWork, unusablePayloadPath, revocationWhereItCannotWork];

const revocationFailsOpen: SpecWarningRule = {
  warns: 'revocation.onStoreDown: allow, which accepts cookies unchecked while the storage is down',
  check: (spec) =>
    spec.sessions.flatMap((session): SpecWarning[] => {
      if (fieldsOf(session.fields.revocation)?.onStoreDown !== 'allow') return [];
      const path = [...session.path, 'revocation', 'onStoreDown'];
      const message = `${formatSpecPath(path)}: allow accepts a cookie unchecked whenever its recheck finds the storage down, so a revoked cookie keeps working for as long as the outage lasts (anyone who can make the storage unreachable extends it), not only recheck longer; remove it to answer such requests with 503 (deny, the default)`;
      return [spec.source.errorAt(path, message)];
    }),
};

/** Accepted but risky: `gen` and `validate` print these as warnings. */
export const PER_USER_WARNINGS: readonly SpecWarningRule[] = [revocationFailsOpen];
