/**
 * A session as written, in the shape the shared rules of `typed-sessions/rules` read (the runtime builds the
 * same facts from a generated definition), so `validate` and `installSessions()` judge one thing.
 */
import type { SessionFacts } from 'typed-sessions/rules';
import { cookiePersistentDefault } from './defaults.js';
import type { SessionView } from './spec-view.js';
import { TRANSFORM_KINDS, transformSteps } from './transform-steps.js';

const KTOR_SERIALIZERS: ReadonlySet<unknown> = new Set(['ktor-json', 'ktor-reflection']);

export function isKtorSession(session: SessionView): boolean {
  return KTOR_SERIALIZERS.has(session.fields.serializer);
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
  };
}
