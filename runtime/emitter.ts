/**
 * How events reach the app (`installSessions({ onEvent, onLifecycle, logger })`): the one `emit` every
 * session pipeline calls, the warnings it logs, and the default logger. The events themselves are events.ts.
 */
import type { LifecycleEvent, RuntimeEvent, SessionEvent, SessionLogger } from './events.js';

const LIFECYCLE: ReadonlySet<RuntimeEvent['type']> = new Set<LifecycleEvent['type']>(['created', 'destroyed', 'expired', 'regenerated']);

/**
 * One JSON line per warning on stderr: greppable, and parseable by log shippers.
 *
 * @example
 * stderrLogger.warn('session rejected', { session: 'user', reason: 'tampered' });
 * // {"level":"warn","message":"session rejected","session":"user","reason":"tampered"}
 */
export const stderrLogger: SessionLogger = {
  warn(message, fields) {
    process.stderr.write(`${JSON.stringify({ level: 'warn', message, ...fields })}\n`);
  },
};

const WARNINGS: Readonly<Record<SessionEvent['type'], string | undefined>> = {
  rejected: 'session rejected',
  store_unavailable: 'session storage unavailable',
  conflict: 'session changed by a concurrent request',
  busy: 'session busy with another request',
  refreshed: undefined,
  migrated: undefined,
  migration_failed: 'session migration failed',
  // Not a fault, and a flood would turn one line per eviction into a flood of log lines.
  evicted: undefined,
  flash_dropped: 'session flash values dropped',
  // The app's own doing (a logout everywhere, a session limit): no fault to warn about.
  revoked: undefined,
};

/**
 * The single `emit` every session pipeline calls: the app's `onEvent` sees every `SessionEvent` and the
 * logger its warnings; `onLifecycle` sees the lifecycle events, which are no warnings. A throwing hook or
 * logger is the app's bug, but must not turn a refused cookie into a 500, so it is caught and reported to
 * the logger.
 *
 * @example
 * const emit = createEmitter({ onEvent: (event) => metrics.count(event.type) }, stderrLogger);
 */
export function createEmitter(
  hooks: { readonly onEvent?: (event: SessionEvent) => void; readonly onLifecycle?: (event: LifecycleEvent) => void },
  logger: SessionLogger,
): (event: RuntimeEvent) => void {
  const call = <E extends RuntimeEvent>(hook: ((event: E) => void) | undefined, name: string, event: E): void => {
    if (hook === undefined) return;
    try {
      hook(event);
    } catch (error) {
      warnSafely(logger, `${name} hook threw`, { event: event.type, error: String(error) });
    }
  };
  return function emit(event) {
    if (isLifecycle(event)) return call(hooks.onLifecycle, 'onLifecycle', event);
    const warning = WARNINGS[event.type];
    if (warning !== undefined) {
      const { type: _type, ...fields } = event;
      warnSafely(logger, warning, fields);
    }
    call(hooks.onEvent, 'onEvent', event);
  };
}

function isLifecycle(event: RuntimeEvent): event is LifecycleEvent {
  return LIFECYCLE.has(event.type);
}

/** `logger.warn`, except that a throwing logger is swallowed: a warning must never fail the response. */
export function warnSafely(logger: SessionLogger, message: string, fields: Record<string, unknown>): void {
  try {
    logger.warn(message, fields);
  } catch {
    // A failing logger has nowhere left to report to; the response goes on.
  }
}
