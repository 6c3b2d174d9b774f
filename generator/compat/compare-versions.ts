/**
 * A session's payload versions across two specs (docs/schema-evolution.md). A live payload carries the
 * version it was written under, and the new spec reads it under its schema for that version: its history
 * entry, or its current schema. So each version a live payload may carry (the old spec's current one and
 * every one its history keeps) is compared with what the new spec reads it as, and a change of the
 * current schema is covered when the new spec keeps the old current version with a migration.
 */
import type { PayloadVersionNode, SessionNode } from '../model.js';
import type { SpecPath } from '../spec-path.js';
import { compareSchemas, type SchemaAt, type SchemaComparison } from './compare-schemas.js';
import { acknowledgeFix } from './finding.js';

/**
 * Compares the payload schemas `old` and `now` read each live version under, adding the findings to `cx.sink`.
 *
 * @example
 * compareVersions(cx, oldUserNode, newUserNode);
 */
export function compareVersions(cx: SchemaComparison, old: SessionNode, now: SessionNode): void {
  const { sink, session } = cx;
  const at: SpecPath = ['sessions', session];
  const was = old.version ?? 1;
  const is = now.version ?? 1;
  const current: SchemaAt = { schema: now.schema, path: [...at, 'schema'] };
  const oldCurrent: SchemaAt = { schema: old.schema, path: [...at, 'schema'] };
  const historyAt = (entry: PayloadVersionNode): SchemaAt => ({ schema: entry.schema, path: [...at, 'history', entry.version, 'schema'] });
  const kept = (version: number): PayloadVersionNode | undefined => now.history?.find((entry) => entry.version === version);
  const comparedUnder = (entry: PayloadVersionNode, before: SchemaAt): void =>
    sink.within({ fix: historyFix(entry.version) }, () => compareSchemas(cx, before, historyAt(entry), `history ${entry.version} payload`));

  for (const entry of old.history ?? []) {
    const target = kept(entry.version);
    if (target !== undefined) comparedUnder(target, historyAt(entry));
    else if (entry.version === is) compareSchemas(cx, historyAt(entry), current);
    else sink.add('version-dropped', session, 'before', [...at, 'history', entry.version], `history ${entry.version} removed; sessions still written under version ${entry.version} end (reason schema)`);
  }

  if (is === was) return sink.within(now.ktor === undefined ? {} : { fix: KTOR_SCHEMA_FIX }, () => compareSchemas(cx, oldCurrent, current));
  if (is < was) {
    return sink.add('version-lowered', session, 'after', [...at, 'version'], `version lowered from ${was} to ${is}; live payloads written under version ${was} fit no declared version and are refused (reason schema)`);
  }
  const entry = kept(was);
  if (entry === undefined) {
    return sink.add('version-raised-without-history', session, 'after', [...at, 'version'], `version raised from ${was} to ${is} with no history ${was}; live payloads written under version ${was} are refused (reason schema)`);
  }
  sink.add('version-raised', session, 'after', [...at, 'version'], `version raised from ${was} to ${is}; live payloads of version ${was} are read under history ${was} and migrated`);
  // What the current schema changed is the migration's to bridge; what history `was` must hold is every payload live under it.
  sink.within({ coveredFrom: was }, () => compareSchemas(cx, oldCurrent, current));
  comparedUnder(entry, oldCurrent);
}

// Ktor's format has no envelope to carry a version in (runtime/payload-versions.ts `versionFormatProblem`).
const KTOR_SCHEMA_FIX = `a session in Ktor's format has no payload versions: keep the old schema, ${acknowledgeFix}`;

/** A history entry's schema is what payloads of its version were written under: a migration cannot widen it after the fact. */
function historyFix(version: number): string {
  return `history ${version} must accept every payload written under version ${version}: give it the schema version ${version} had, ${acknowledgeFix}`;
}
