/**
 * Stage 2b: the semantic rules, the checks a JSON Schema cannot express (references between sections,
 * uniqueness, cookie settings a browser would drop). One small function per rule, listed in `SPEC_RULES`.
 */
import { FORBIDDEN_HEADER_NAMES, HOST_PREFIX, MAX_COOKIE_AGE_SECONDS, SECURE_PREFIX } from 'typed-sessions/rules';
import { parseDuration } from './duration.js';
import type { SpecSource } from './load.js';
import type { SpecError, SpecWarning } from './model.js';
import { RESERVED_TYPE_NAMES, providerName, sessionTypeName } from './names.js';
import { SPEC_DEFAULTS } from './normalize.js';
import { KTOR_RULES, KTOR_WARNINGS } from './ktor-rules.js';
import { TRANSFORM_KINDS, transformRingRefs, transformSteps } from './transform-steps.js';
import { PAYLOAD_RULES } from './payload-rules.js';
import { formatSpecPath } from './spec-path.js';
import type { SpecPath } from './spec-path.js';
import { fieldsOf, unknownName, viewSpec } from './spec-view.js';
import type { NodeRef, SessionView, SpecRule, SpecView, SpecWarningRule } from './spec-view.js';


/** Words that cannot name an import binding (`import { default } from` is a syntax error). */
const RESERVED_WORDS = new Set(
  ('await break case catch class const continue debugger default delete do else enum export extends false finally ' +
    'for function if implements import in instanceof interface let new null package private protected public return ' +
    'static super switch this throw true try typeof var void while with yield').split(' '),
);

const unknownKeyRing: SpecRule = {
  refuses: 'a transform naming a key ring that keys: does not declare',
  check: (spec) =>
    spec.sessions.flatMap((session) =>
      transformRingRefs(session)
        .filter(({ ring }) => !spec.keyRings.includes(ring))
        .map(({ path, ring }) => spec.source.errorAt(path, unknownName(path, 'key ring', ring, spec.keyRings, 'keys'))),
    ),
};

const unknownStorage: SpecRule = {
  refuses: 'a session naming a storage that storages: does not declare',
  check: (spec) =>
    spec.sessions
      .filter((session) => typeof session.fields.storage === 'string' && !spec.storages.includes(session.fields.storage))
      .map((session) => {
        const path = [...session.path, 'storage'];
        return spec.source.errorAt(path, unknownName(path, 'storage', String(session.fields.storage), spec.storages, 'storages'));
      }),
};

const unprotectedByValue: SpecRule = {
  refuses: 'a by-value session with no sign or encrypt transform, unless insecure: true is written out',
  check: (spec) =>
    spec.sessions
      .filter((session) => session.fields.storage === undefined && session.fields.insecure !== true)
      .filter((session) => session.fields.transform === undefined || Array.isArray(session.fields.transform))
      .filter((session) => transformSteps(session).every(([step]) => TRANSFORM_KINDS.every((kind) => step[kind] === undefined)))
      .map((session) =>
        spec.source.errorAt(
          session.path,
          `${formatSpecPath(session.path)} travels by value (no storage) with no sign or encrypt transform, so a client could read and forge it; add transform: [{ encrypt: RING }] (or sign), or a storage, or write insecure: true to accept that`,
          'key',
        ),
      ),
};

const duplicateWireName: SpecRule = {
  refuses: 'two sessions with the same cookie name, or the same header name in any letter case',
  check: (spec) => {
    const firstUser = new Map<string, SessionView>();
    return spec.sessions.flatMap((session) => {
      if (session.wireName === undefined || session.transport === undefined) return [];
      // Header names are case-insensitive (RFC 9110 section 5.1); cookie names are not (RFC 6265 section 5.3).
      const id = `${session.transport}:${session.transport === 'header' ? session.wireName.toLowerCase() : session.wireName}`;
      const first = firstUser.get(id);
      if (first === undefined) {
        firstUser.set(id, session);
        return [];
      }
      const message = `${formatSpecPath(session.path)} uses ${session.transport} name "${session.wireName}", already used by ${formatSpecPath(first.path)}${session.transport === 'header' ? ' (header names ignore case)' : ''}; set a different name: on one of them`;
      return [spec.source.errorAt(session.wireNameAt.path, message, session.wireNameAt.part)];
    });
  },
};

const collidingTypeName: SpecRule = {
  refuses: 'generated type names that collide with each other or with names the generated code uses',
  check: (spec) => {
    const owners = new Map<string, string>();
    // One error per entry: the first of its names that is taken.
    const claim = (path: SpecPath, names: readonly string[]): SpecError[] => {
      const where = formatSpecPath(path);
      const taken = names.find((name) => RESERVED_TYPE_NAMES.has(name) || owners.has(name));
      names.forEach((name) => owners.set(name, owners.get(name) ?? where));
      if (taken === undefined) return [];
      const message = RESERVED_TYPE_NAMES.has(taken)
        ? `${where} gives the TypeScript name ${taken}, which the generated code declares or imports itself; rename it`
        : `${where} gives the TypeScript name ${taken}, already given by ${String(owners.get(taken))}; rename one of them`;
      return [spec.source.errorAt(path, message, 'key')];
    };
    return [
      ...spec.types.flatMap(([name]) => claim(['types', name], [name])),
      ...spec.sessions.flatMap((session) => claim(session.path, [sessionTypeName(session.key), providerName(session.key)])),
    ];
  },
};

const cookieOnHeaderSession: SpecRule = {
  refuses: 'cookie: settings on a header-transport session',
  check: (spec) =>
    spec.sessions
      .filter((session) => session.transport === 'header' && Object.hasOwn(session.fields, 'cookie'))
      .map((session) =>
        spec.source.errorAt(
          [...session.path, 'cookie'],
          `${formatSpecPath(session.path)} has cookie: settings but uses transport: header, where they do nothing; remove cookie: or use transport: cookie`,
          'key',
        ),
      ),
};

const hostPrefixScope: SpecRule = {
  refuses: 'a __Host- cookie with a domain or a path other than /',
  check: (spec) =>
    cookieSessions(spec)
      .filter((session) => HOST_PREFIX.test(session.wireName ?? ''))
      .flatMap((session) => [
        ...(session.cookie.domain === undefined ? [] : [[...session.path, 'cookie', 'domain'] as const]),
        ...(session.cookie.path === undefined || session.cookie.path === '/' ? [] : [[...session.path, 'cookie', 'path'] as const]),
      ])
      .map((path) =>
        spec.source.errorAt(
          path,
          `${formatSpecPath(path)} is not allowed on a __Host- cookie: browsers drop __Host- cookies that set a Domain or a Path other than / (RFC 6265bis section 4.1.3.2); remove it, or drop the prefix`,
        ),
      ),
};

/** What makes a cookie need `secure: true`, in words, and where it is written. */
interface SecureDemand {
  readonly setting: string;
  readonly at: NodeRef;
}

/** Builds a rule for a cookie setting that browsers honour only with `Secure`. */
function requiresSecure(refuses: string, demand: (session: SessionView) => SecureDemand | undefined, why: string): SpecRule {
  return {
    refuses,
    check: (spec) =>
      cookieSessions(spec)
        .filter((session) => session.cookie.secure !== true)
        .flatMap((session) => {
          const found = demand(session);
          if (found === undefined) return [];
          const message = `${formatSpecPath(session.path)}: ${found.setting} needs secure: true, ${why}; secure: auto is not enough, as it leaves Secure off on plain-HTTP requests`;
          return [spec.source.errorAt(found.at.path, message, found.at.part)];
        }),
  };
}

/** A `cookie:` setting equal to `value`, as a demand for `secure: true`. */
function cookieSetting(session: SessionView, key: string, value: unknown): SecureDemand | undefined {
  return session.cookie[key] === value
    ? { setting: `${key}: ${String(value)}`, at: { path: [...session.path, 'cookie', key], part: 'value' } }
    : undefined;
}

const prefixNeedsSecure = requiresSecure(
  'a __Host- or __Secure- cookie without secure: true',
  (session) => {
    const prefix = SECURE_PREFIX.exec(session.wireName ?? '')?.[0];
    return prefix === undefined ? undefined : { setting: `the ${prefix} cookie name`, at: session.wireNameAt };
  },
  'since browsers drop prefixed cookies without Secure (RFC 6265bis section 4.1.3)',
);

const sameSiteNoneNeedsSecure = requiresSecure(
  'sameSite: none without secure: true',
  (session) => cookieSetting(session, 'sameSite', 'none'),
  'since browsers drop SameSite=None cookies without Secure',
);

const partitionedNeedsSecure = requiresSecure(
  'partitioned: true without secure: true',
  (session) => cookieSetting(session, 'partitioned', true),
  'since browsers drop Partitioned cookies without Secure (CHIPS)',
);

const forbiddenHeaderName: SpecRule = {
  refuses: 'a session header named like a header the HTTP stack owns (Cookie, Host, Connection...)',
  check: (spec) =>
    spec.sessions
      .filter((session) => session.transport === 'header' && FORBIDDEN_HEADER_NAMES.has(session.wireName?.toLowerCase() ?? ''))
      .map((session) =>
        spec.source.errorAt(
          session.wireNameAt.path,
          `${formatSpecPath(session.path)} cannot use header "${String(session.wireName)}": the HTTP stack owns it (cookies, routing, framing or hop-by-hop), so the token would be lost or break the message; choose a name like X-Session`,
          session.wireNameAt.part,
        ),
      ),
};

const maxAgeOverLimit: SpecRule = {
  refuses: 'expiry.maxAge over 400 days',
  check: (spec) =>
    spec.sessions
      .filter((session) => (parseDuration(session.expiry.maxAge) ?? 0) > MAX_COOKIE_AGE_SECONDS)
      .map((session) => {
        const path = [...session.path, 'expiry', 'maxAge'];
        return spec.source.errorAt(
          path,
          `${formatSpecPath(path)} is ${String(session.expiry.maxAge)}, over the 400 days browsers allow a cookie to live (RFC 6265bis section 5.5); use 400d or less`,
        );
      }),
};

const idleNotBelowMaxAge: SpecRule = {
  refuses: 'expiry.idle not less than expiry.maxAge',
  check: (spec) =>
    spec.sessions.flatMap((session) => {
      const maxAge = session.expiry.maxAge ?? SPEC_DEFAULTS.maxAge;
      const [idleSeconds, maxAgeSeconds] = [parseDuration(session.expiry.idle), parseDuration(maxAge)];
      if (idleSeconds === undefined || maxAgeSeconds === undefined || idleSeconds < maxAgeSeconds) return [];
      const path = [...session.path, 'expiry', 'idle'];
      const maxAgeText = session.expiry.maxAge === undefined ? `${SPEC_DEFAULTS.maxAge}, the default` : String(maxAge);
      return [
        spec.source.errorAt(
          path,
          `${formatSpecPath(path)} (${String(session.expiry.idle)}) must be less than maxAge (${maxAgeText}), or it can never fire; shorten idle or raise maxAge`,
        ),
      ];
    }),
};

const reservedSerializerExport: SpecRule = {
  refuses: 'a serializer export named by a reserved word',
  check: (spec) =>
    spec.sessions.flatMap((session) => {
      const exported = fieldsOf(session.fields.serializer)?.export;
      if (typeof exported !== 'string' || !RESERVED_WORDS.has(exported)) return [];
      const path = [...session.path, 'serializer', 'export'];
      return [
        spec.source.errorAt(path, `${formatSpecPath(path)} is the reserved word "${exported}", which cannot be imported by name; export the codec under a name like userCodec`),
      ];
    }),
};

/** Every semantic rule, in the order their errors are produced (the final list is sorted by position). */
export const SPEC_RULES: readonly SpecRule[] = [
  unknownKeyRing,
  unknownStorage,
  unprotectedByValue,
  duplicateWireName,
  collidingTypeName,
  cookieOnHeaderSession,
  hostPrefixScope,
  prefixNeedsSecure,
  sameSiteNoneNeedsSecure,
  partitionedNeedsSecure,
  forbiddenHeaderName,
  maxAgeOverLimit,
  idleNotBelowMaxAge,
  reservedSerializerExport,
  ...PAYLOAD_RULES,
  ...KTOR_RULES,
];

/**
 * Runs every semantic rule over the spec as written.
 *
 * @example
 * checkSpecRules(source); // [{ file: 'sessions.yaml', line: 20, col: 16, message: 'sessions.user.storage names unknown storage "mme" (declared storages: mem); did you mean "mem"?' }]
 */
export function checkSpecRules(source: SpecSource): SpecError[] {
  const spec = viewSpec(source);
  return SPEC_RULES.flatMap((rule) => rule.check(spec));
}

/** Every warning rule, for a spec that passed every rule above. */
export const SPEC_WARNINGS: readonly SpecWarningRule[] = [...KTOR_WARNINGS];

/**
 * The warnings of a valid spec: settings it may write, each a risk it should know it takes.
 *
 * @example
 * checkSpecWarnings(source); // [{ file: 'sessions.yaml', line: 9, col: 40, message: 'sessions.user.migrateFrom.trustUnauthenticatedIv promotes ...' }]
 */
export function checkSpecWarnings(source: SpecSource): SpecWarning[] {
  const spec = viewSpec(source);
  return SPEC_WARNINGS.flatMap((rule) => rule.check(spec));
}

function cookieSessions(spec: SpecView): SessionView[] {
  return spec.sessions.filter((session) => session.transport === 'cookie');
}
