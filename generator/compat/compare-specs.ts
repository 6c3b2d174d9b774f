/**
 * The breaking-change check of issue #13 as a pure function: two loaded specs in, one finding per change
 * that concerns a live session out, each at `FILE:LINE:COL` in the new spec (or the old one, for what the
 * new one removed). A change is breaking when a token or stored entry written under the old spec would be
 * "no session" under the new one, which logs its user out.
 */
import { isDeepStrictEqual } from 'node:util';
import type { KeyRingDefinition, TransformDefinition } from 'typed-sessions/rules';
import { createPayloadAjv } from '../emit/payload-ajv.js';
import type { SpecSource } from '../load.js';
import type { SessionNode, SpecModel } from '../model.js';
import { runtimeSchema } from '../payload-schema.js';
import type { SchemaComparison } from './compare-schemas.js';
import { comparePerUser } from './compare-per-user.js';
import { compareVersions } from './compare-versions.js';
import { FindingSink, type CompatFinding } from './finding.js';
import { describeStorage, duration, storagePlace, type SessionPair } from './session-pair.js';

/** A spec as the check reads it: its model (`loadSpecText` / `loadSpecFile`), and where it wrote each value. */
export interface ComparedSpec {
  readonly model: SpecModel;
  readonly positions: SpecSource;
}

/**
 * Every change from `before` to `after` that concerns a session, breaking or not, in spec order. The
 * breaking ones of a session whose `acknowledgeLogout` this change writes (absent or another text before)
 * are `acknowledged`; a stale note excuses nothing. A removed session has no note of its own any more, so
 * its removal is acknowledged by the note its last spec wrote.
 *
 * @example
 * const before = loadSpecText(oldText, 'sessions.yaml@HEAD~1');
 * const after = loadSpecText(newText, 'sessions.yaml');
 * if (before.ok && after.ok) compareSpecs(before, after).filter((finding) => finding.status === 'breaking');
 */
export function compareSpecs(before: ComparedSpec, after: ComparedSpec): CompatFinding[] {
  const sink = new FindingSink({ before: before.positions, after: after.positions });
  const ajv = createPayloadAjv();
  const acknowledged = new Map<string, string>();
  for (const old of before.model.sessions) {
    const now = after.model.sessions.find((session) => session.name === old.name);
    const note = now === undefined ? old.acknowledgeLogout : now.acknowledgeLogout === old.acknowledgeLogout ? undefined : now.acknowledgeLogout;
    if (note !== undefined) acknowledged.set(old.name, note);
    if (now === undefined) {
      sink.add('session-removed', old.name, 'before', ['sessions', old.name], 'session removed; its live tokens are no longer read');
      continue;
    }
    const pair: SessionPair = { sink, before: before.model, after: after.model, old, now, at: ['sessions', old.name] };
    compareTransport(pair);
    compareSealing(pair);
    compareStorage(pair);
    compareExpiry(pair);
    compareMigrateFrom(pair);
    compareVersions({ sink, session: old.name, types: { before: before.model.types, after: after.model.types }, ajv } satisfies SchemaComparison, old, now);
    compareFlash(pair);
    comparePerUser(pair);
  }
  for (const added of after.model.sessions.filter((session) => !before.model.sessions.some((old) => old.name === session.name))) {
    sink.add('session-added', added.name, 'after', ['sessions', added.name], 'session added');
  }
  return sink.findings(acknowledged);
}

function compareTransport({ sink, old, now, at }: SessionPair): void {
  const name = old.name;
  if (old.transport.kind !== now.transport.kind) {
    sink.add('transport-changed', name, 'after', [...at, 'transport'], `transport changed from ${old.transport.kind} to ${now.transport.kind}; live tokens arrive where the session no longer reads`);
    return;
  }
  if (old.transport.name !== now.transport.name) {
    sink.add('name-changed', name, 'after', [...at, 'name'], `${old.transport.kind} renamed from "${old.transport.name}" to "${now.transport.name}"; clients keep sending "${old.transport.name}", which is no longer read`);
  }
  const chunked = (session: SessionNode): boolean => session.transport.kind === 'cookie' && session.transport.cookie.chunked === true;
  if (chunked(old) !== chunked(now)) {
    sink.add('transport-changed', name, 'after', [...at, 'cookie', 'chunked'], `cookie.chunked turned ${chunked(now) ? 'on' : 'off'}; live tokens sit in cookies the session no longer reads (docs/spec.md, cookie)`);
  }
  if (old.transport.kind !== 'cookie' || now.transport.kind !== 'cookie') return;
  // A browser keys a cookie by name, domain and path (RFC 6265 section 5.3): a Set-Cookie of the new scope neither replaces nor expires the old one.
  for (const attribute of ['path', 'domain'] as const) {
    const was = old.transport.cookie[attribute];
    const is = now.transport.cookie[attribute];
    if (was === is) continue;
    const shown = (value: string | undefined): string => (value === undefined ? 'none (host only)' : `"${value}"`);
    sink.add('cookie-scope-changed', name, 'after', [...at, 'cookie', attribute], `cookie.${attribute} changed from ${shown(was)} to ${shown(is)}; browsers keep the live cookie under its old scope, which no Set-Cookie of the new one replaces or expires, and where the scopes overlap they send both, refused as ambiguous (security.md #4) until the old one expires`);
  }
}

/** The serializer, the transform steps, and the key rings behind them: a token sealed one way opens only the same way. */
function compareSealing({ sink, before, after, old, now, at }: SessionPair): void {
  const codec = (session: SessionNode): unknown => ({ module: session.serializer, ktor: session.ktor });
  if (!isDeepStrictEqual(codec(old), codec(now))) {
    sink.add('serializer-changed', old.name, 'after', [...at, 'serializer'], `serializer changed from ${describeCodec(old)} to ${describeCodec(now)}; live tokens were written by the old one`);
  }
  // A ring may be renamed freely: what seals is its keys, so steps are compared without ring names, and rings by their definition.
  if (!isDeepStrictEqual(old.transforms.map(withoutRings), now.transforms.map(withoutRings))) {
    sink.add('transforms-changed', old.name, 'after', [...at, 'transform'], `transform changed from [${old.transforms.map((step) => step.kind).join(', ')}] to [${now.transforms.map((step) => step.kind).join(', ')}]; live tokens were sealed by the old steps`);
    return;
  }
  now.transforms.forEach((step, index) => {
    const oldStep = old.transforms[index]!;
    for (const [oldRing, newRing] of ringsOf(oldStep).map((ring, slot) => [ring, ringsOf(step)[slot]!] as const)) {
      const was = before.keys[oldRing];
      const is = after.keys[newRing];
      if (isDeepStrictEqual(was, is)) continue;
      const path = oldRing === newRing ? ['keys', newRing] : [...at, 'transform', index];
      sink.add('key-ring-changed', old.name, 'after', path, `key ring of transform[${index}] changed from ${describeRing(oldRing, was)} to ${describeRing(newRing, is)}; live tokens were sealed with the old keys`);
    }
  });
}

function withoutRings(step: TransformDefinition): unknown {
  const { keys: _keys, ...rest } = step;
  if (rest.kind !== 'ktor-encrypt') return rest;
  const { signKeys: _signKeys, ...settings } = rest;
  return settings;
}

function ringsOf(step: TransformDefinition): readonly string[] {
  return step.kind === 'ktor-encrypt' ? [step.keys, step.signKeys] : [step.keys];
}

function describeRing(name: string, ring: KeyRingDefinition | undefined): string {
  return ring === undefined ? `"${name}"` : `"${name}" (env ${ring.env}${ring.encoding === 'hex' ? ', hex' : ''})`;
}

function describeCodec(session: SessionNode): string {
  if (session.serializer !== undefined) return `${session.serializer.module}#${session.serializer.export}`;
  return session.ktor === undefined ? 'json' : `ktor-${session.ktor.serializer}`;
}

/** By id, live sessions are entries of a storage: another storage, or another key prefix in it, holds none of them. */
function compareStorage({ sink, before, after, old, now, at }: SessionPair): void {
  const was = old.storage === undefined ? undefined : before.storages[old.storage];
  const is = now.storage === undefined ? undefined : after.storages[now.storage];
  const { prefix: oldPrefix, ...oldPlace } = storagePlace(was);
  const { prefix: newPrefix, ...newPlace } = storagePlace(is);
  // Entries in memory do not outlive the process, so which memory storage holds them is no change.
  if (was?.kind === 'memory' && is?.kind === 'memory') return;
  if (!isDeepStrictEqual(oldPlace, newPlace)) {
    sink.add('storage-changed', old.name, 'after', [...at, 'storage'], `storage changed from ${describeStorage(old.storage, was)} to ${describeStorage(now.storage, is)}; live sessions are not where the session now looks`);
  } else if (oldPrefix !== newPrefix && now.storage !== undefined) {
    sink.add('prefix-changed', old.name, 'after', ['storages', now.storage, 'prefix'], `Redis prefix changed from "${oldPrefix}" to "${newPrefix}"; live entries are stored under the old prefix`);
  }
}

function compareExpiry({ sink, old, now, at }: SessionPair): void {
  const was = old.expiry.maxAge;
  const is = now.expiry.maxAge;
  if (is < was) {
    sink.add('max-age-shortened', old.name, 'after', [...at, 'expiry', 'maxAge'], `expiry.maxAge shortened from ${duration(was)} to ${duration(is)}; live sessions older than ${duration(is)} end at once`);
  } else if (is > was) {
    sink.add('max-age-lengthened', old.name, 'after', [...at, 'expiry', 'maxAge'], `expiry.maxAge lengthened from ${duration(was)} to ${duration(is)}`);
  }
  const idleWas = old.expiry.idle;
  const idleIs = now.expiry.idle;
  if (idleWas === idleIs) return;
  const path = [...at, 'expiry', 'idle'];
  if (idleIs === undefined) return sink.add('idle-lengthened', old.name, 'before', path, 'expiry.idle removed');
  const change = idleWas === undefined ? `expiry.idle: ${duration(idleIs)} added` : `expiry.idle ${idleIs < idleWas ? 'shortened' : 'lengthened'} from ${duration(idleWas)} to ${duration(idleIs)}`;
  if (idleWas !== undefined && idleIs > idleWas) return sink.add('idle-lengthened', old.name, 'after', path, change);
  // By id the idle clock is the entry's time to live (runtime/lifetime.ts): a live entry keeps the one it was written with, and its next read slides it.
  if (now.storage !== undefined) return sink.add('idle-shortened-in-storage', old.name, 'after', path, `${change}; by id a live entry keeps the time to live it was written with until its next read, so none ends sooner`);
  sink.add('idle-shortened', old.name, 'after', path, `${change}; live sessions idle for longer end at once`);
}

/**
 * A Ktor session's clients re-issued as this one (`migrateFrom`): a client that holds only the Ktor cookie
 * still has no native session, and without the migration it never gets one.
 */
function compareMigrateFrom({ sink, old, now, at }: SessionPair): void {
  const was = old.migrateFrom?.session;
  const is = now.migrateFrom?.session;
  if (was === is) return;
  if (was === undefined) {
    return sink.add('migrate-from-added', old.name, 'after', [...at, 'migrateFrom'], `migrateFrom ${is} added; a client holding only ${is}'s cookie is re-issued as ${old.name}`);
  }
  const change = is === undefined ? 'removed' : `changed to ${is}`;
  sink.add('migrate-from-removed', old.name, is === undefined ? 'before' : 'after', [...at, 'migrateFrom'], `migrateFrom ${was} ${change}; a client holding only ${was}'s cookie is no longer re-issued as ${old.name}`);
}

/**
 * Flash values are checked one by one as they are read, and one the new spec refuses is dropped, never the
 * session (runtime/flash.ts): a change of a flash schema is listed for what it drops, and never breaks.
 */
function compareFlash({ sink, before, after, old, now, at }: SessionPair): void {
  for (const [key, schema] of Object.entries(old.flash ?? {})) {
    const path = [...at, 'flash', key];
    const next = now.flash?.[key];
    if (next === undefined) {
      sink.add('flash-key-removed', old.name, 'before', path, `flash.${key} removed; a live ${key} value is dropped when read, the session stays`);
    } else if (!isDeepStrictEqual(runtimeSchema(schema, before.types), runtimeSchema(next, after.types))) {
      sink.add('flash-schema-changed', old.name, 'after', path, `flash.${key} schema changed; a live ${key} value it refuses is dropped when read, the session stays`);
    }
  }
}
