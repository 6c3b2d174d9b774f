/**
 * A session as written, in the shape the shared rules of `typed-sessions/rules` read (the runtime builds the
 * same facts from a generated definition), so `validate` and `installSessions()` judge one thing.
 */
import type { SessionFacts } from 'typed-sessions/rules';
import { cookiePersistentDefault } from './defaults.js';
import type { NodePart } from './load.js';
import { formatSpecPath, type SpecPath } from './spec-path.js';
import type { SessionView, SpecRule } from './spec-view.js';
import { TRANSFORM_KINDS, transformSteps } from './transform-steps.js';

/** How the spec names Ktor's serializers, and how a definition's `ktor` names them. */
const KTOR_SERIALIZERS = { 'ktor-json': 'json', 'ktor-reflection': 'reflection' } as const;

/**
 * The definition's `ktor.serializer` for a spec's `serializer:`, or `undefined` for a native session: the
 * one place that says which sessions are in Ktor's wire format.
 *
 * @example
 * ktorSerializerOf('ktor-json'); // 'json'
 * ktorSerializerOf({ module: './codec.js', export: 'codec' }); // undefined
 */
export function ktorSerializerOf(serializer: unknown): 'json' | 'reflection' | undefined {
  return typeof serializer === 'string' && Object.hasOwn(KTOR_SERIALIZERS, serializer) ? KTOR_SERIALIZERS[serializer as keyof typeof KTOR_SERIALIZERS] : undefined;
}

export function isKtorSession(session: SessionView): boolean {
  return ktorSerializerOf(session.fields.serializer) !== undefined;
}

/**
 * A rule that is one of the shared problems of `typed-sessions/rules` over a session's facts, reported at
 * `setting` under the session, on its value or (`part: 'key'`) its key.
 *
 * @example
 * const idleWithoutTimestamps = factsRule('expiry.idle on a by-value Ktor session', idleProblem, ['expiry', 'idle'], 'key');
 */
export function factsRule(refuses: string, problemOf: (facts: SessionFacts) => string | undefined, setting: SpecPath, part: NodePart = 'value'): SpecRule {
  return {
    refuses,
    check: (spec) =>
      spec.sessions.flatMap((session) => {
        const problem = problemOf(sessionFacts(session));
        return problem === undefined ? [] : [spec.source.errorAt([...session.path, ...setting], `${formatSpecPath(session.path)}: ${problem}`, part)];
      }),
  };
}

/**
 * @example
 * sessionFacts(view).transforms; // ['encrypt']
 */
export function sessionFacts(session: SessionView): SessionFacts {
  const byId = session.fields.storage !== undefined;
  const ktorFormat = isKtorSession(session);
  // A persistent: that is not a boolean is ajv's to report.
  const persistent = typeof session.cookie.persistent === 'boolean' ? session.cookie.persistent : cookiePersistentDefault({ ktorFormat, byId });
  return {
    name: session.key,
    byId,
    ktorFormat,
    transforms: transformSteps(session).flatMap(([step]) => TRANSFORM_KINDS.filter((kind) => Object.hasOwn(step, kind))),
    insecure: session.fields.insecure === true,
    hasIdle: session.expiry.idle !== undefined,
    hasFlash: Object.hasOwn(session.fields, 'flash'),
    loadsOnDemand: session.fields.load === 'lazy',
    chunked: session.transport === 'cookie' && session.cookie.chunked === true,
    browserSessionCookie: session.transport === 'cookie' && !persistent,
    versioned: (session.fields.version !== undefined && session.fields.version !== 1) || Object.hasOwn(session.fields, 'history'),
  };
}
