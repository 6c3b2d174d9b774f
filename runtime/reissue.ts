/**
 * `migrateFrom` during a request (docs/ktor.md): a valid Ktor-format session that arrived without the
 * native session taking it over is re-issued as that session, and its own cookie expired unless
 * `keepSource`. Runs after loading, before the handler, so the handler already sees the native session.
 */
import type { Migration } from './ktor/migration.js';
import type { SessionPipeline } from './session-pipeline.js';

/** What re-issuing reads and changes of one request's sessions. */
export interface ReissuedSessions {
  set(name: string, value: unknown): void;
  clear(name: string): void;
}

/**
 * Re-issues every migration's source as its target, where the source's payload is there (`valueAt`, by
 * session index, never opening anything) and the target's is not. If re-issuing fails (the native token
 * would be too large), the user stays on the Ktor session and a `migration_failed` event says why.
 *
 * @example
 * reissueMigrated(installed, (index) => slots[index]?.value, requestSessions);
 */
export function reissueMigrated(
  { migrations, pipelines }: { readonly migrations: readonly Migration[]; readonly pipelines: readonly SessionPipeline<unknown>[] },
  valueAt: (index: number) => unknown,
  sessions: ReissuedSessions,
): void {
  for (const { target, source, keepSource, version } of migrations) {
    const from = valueAt(source);
    // A native session holding flash values alone has no payload to keep: the Ktor user still moves in.
    if (from === undefined || valueAt(target) !== undefined) continue;
    const pipeline = pipelines[target]!;
    const sourceName = pipelines[source]!.name;
    // The Ktor service writes what an older version of the target was: that version's migrations bring it up.
    const upgraded = pipeline.upgrade(version, from);
    if (!upgraded.ok) {
      pipeline.emit({ type: 'migration_failed', session: pipeline.name, from: sourceName, error: upgraded.reason === 'schema' ? 'SESSION_VALIDATION' : 'SESSION_MIGRATION_FAILED' });
      continue;
    }
    try {
      sessions.set(pipeline.name, upgraded.value);
    } catch (error) {
      const code = error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : 'UNKNOWN';
      pipeline.emit({ type: 'migration_failed', session: pipeline.name, from: sourceName, error: code });
      continue;
    }
    if (!keepSource) sessions.clear(sourceName);
    pipeline.emit({ type: 'migrated', session: pipeline.name, from: sourceName, keptSource: keepSource });
  }
}
