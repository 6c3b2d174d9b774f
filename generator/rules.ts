/**
 * Stage 2b: the semantic rules, the checks a JSON Schema cannot express (references between sections,
 * uniqueness, cookie settings a browser would drop). One small function per rule, listed in `SPEC_RULES`.
 */
import {
  chunkedProblem,
  concurrencyProblem,
  cookieProblems,
  expiryProblems,
  headerNameProblem,
  historyProblem,
  loadProblem,
  protectionProblem,
  versionFormatProblem,
  wireNameClashes,
  type CookieAttributes,
} from 'typed-sessions/rules';
import { SPEC_DEFAULTS } from './defaults.js';
import { parseDuration, parseTouchAfter } from './duration.js';
import type { SpecSource } from './load.js';
import type { SpecError, SpecWarning } from './spec-error.js';
import { RESERVED_TYPE_NAMES, flashTypeName, providerName, sessionTypeName, versionTypeName } from './names.js';
import { KTOR_RULES, KTOR_WARNINGS } from './ktor-rules.js';
import { factsRule, sessionFacts } from './session-facts.js';
import { transformRingRefs } from './transform-steps.js';
import { PAYLOAD_RULES } from './payload-rules.js';
import { PER_USER_RULES, PER_USER_WARNINGS } from './per-user-rules.js';
import { formatSpecPath } from './spec-path.js';
import type { SpecPath } from './spec-path.js';
import { entriesOf, fieldsOf, unknownName, viewSpec } from './spec-view.js';
import type { Fields, NodeRef, SessionView, SpecRule, SpecWarningRule } from './spec-view.js';


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
        .filter(({ ring }) => !spec.keyRings.has(ring))
        .map(({ path, ring }) => spec.source.errorAt(path, unknownName(path, 'key ring', ring, [...spec.keyRings.keys()], 'keys'))),
    ),
};

const unknownStorage: SpecRule = {
  refuses: 'a session naming a storage that storages: does not declare',
  check: (spec) =>
    spec.sessions
      .filter((session) => typeof session.fields.storage === 'string' && !spec.storages.has(session.fields.storage))
      .map((session) => {
        const path = [...session.path, 'storage'];
        return spec.source.errorAt(path, unknownName(path, 'storage', String(session.fields.storage), [...spec.storages.keys()], 'storages'));
      }),
};

const unprotectedByValue: SpecRule = {
  refuses: 'a by-value session with no sign or encrypt transform, unless insecure: true is written out',
  check: (spec) =>
    spec.sessions
      // A transform: that is not a list is ajv's to report.
      .filter((session) => session.fields.transform === undefined || Array.isArray(session.fields.transform))
      .flatMap((session) => {
        const problem = protectionProblem(sessionFacts(session));
        return problem === undefined ? [] : [spec.source.errorAt(session.path, `${formatSpecPath(session.path)}: ${problem}`, 'key')];
      }),
};

const lazyByValue = factsRule('load: lazy on a by-value session, which already opens only when the handler first uses it', loadProblem, ['load'], 'key');

const duplicateWireName: SpecRule = {
  refuses: 'two sessions with the same cookie name, or the same header name in any letter case',
  check: (spec) => {
    const byKey = new Map(spec.sessions.map((session) => [session.key, session]));
    const names = spec.sessions.flatMap((session) =>
      session.wireName === undefined || session.transport === undefined
        ? []
        : [{ session: session.key, transport: session.transport, name: session.wireName, chunked: sessionFacts(session).chunked }],
    );
    return wireNameClashes(names).map(({ session, problem }) => {
      const { path, wireNameAt } = byKey.get(session)!;
      return spec.source.errorAt(wireNameAt.path, `${formatSpecPath(path)}: ${problem}`, wireNameAt.part);
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
      ...spec.sessions.flatMap((session) =>
        claim(session.path, [
          sessionTypeName(session.key),
          providerName(session.key),
          ...(Object.hasOwn(session.fields, 'flash') ? [flashTypeName(session.key)] : []),
          ...writtenVersions(session).map((version) => versionTypeName(session.key, version)),
          ...(Object.hasOwn(session.fields, 'index') ? [`${sessionTypeName(session.key)}Summary`] : []),
        ]),
      ),
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

const browserDropsCookie: SpecRule = {
  refuses: 'a __Host- cookie with a domain or a path other than /, and a prefixed, sameSite: none or partitioned cookie without secure: true',
  check: (spec) =>
    spec.sessions
      .filter((session) => session.transport === 'cookie' && session.wireName !== undefined)
      .flatMap((session) =>
        cookieProblems(session.wireName!, cookieAttributes(session.cookie)).map(({ setting, problem }) => {
          const at: NodeRef = setting === 'name' ? session.wireNameAt : { path: [...session.path, 'cookie', setting], part: 'value' };
          return spec.source.errorAt(at.path, `${formatSpecPath(session.path)}: ${problem}`, at.part);
        }),
      ),
};

/**
 * The payload versions a session's generated code names (`UserSessionV1`...): each kept in `history:` and the
 * current one, when there is a history or a version above 1. Versions that are not numbers are ajv's to report.
 */
function writtenVersions(session: SessionView): number[] {
  const kept = entriesOf(session.fields.history).map(([version]) => Number(version));
  const current = session.fields.version;
  const versions = typeof current === 'number' && (current !== SPEC_DEFAULTS.payloadVersion || kept.length > 0) ? [...kept, current] : kept;
  return versions.filter((version) => Number.isSafeInteger(version));
}

/** `cookie:` as written, with the defaults `normalize` fills in; a value of the wrong type is ajv's to report. */
function cookieAttributes(cookie: Fields): CookieAttributes {
  const sameSite = ['strict', 'lax', 'none'].find((value) => value === cookie.sameSite) as CookieAttributes['sameSite'] | undefined;
  return {
    path: typeof cookie.path === 'string' ? cookie.path : SPEC_DEFAULTS.cookie.path,
    domain: typeof cookie.domain === 'string' ? cookie.domain : undefined,
    secure: cookie.secure === true,
    sameSite: sameSite ?? SPEC_DEFAULTS.cookie.sameSite,
    partitioned: cookie.partitioned === true,
  };
}

const chunkedWithOneCookie = factsRule(
  "cookie.chunked on a session tracked by id (its id fits one cookie) or in Ktor's format (a Ktor service reads one cookie)",
  chunkedProblem,
  ['cookie', 'chunked'],
);

const forbiddenHeaderName: SpecRule = {
  refuses: 'a session header named like a header the HTTP stack owns (Cookie, Host, Connection...)',
  check: (spec) =>
    spec.sessions
      .filter((session) => session.transport === 'header' && session.wireName !== undefined)
      .flatMap((session) => {
        const problem = headerNameProblem(session.wireName!);
        if (problem === undefined) return [];
        return [spec.source.errorAt(session.wireNameAt.path, `${formatSpecPath(session.path)}: ${problem}`, session.wireNameAt.part)];
      }),
};

const badExpiry: SpecRule = {
  refuses: 'expiry.maxAge over 400 days, expiry.idle not less than expiry.maxAge, and expiry.touchAfter without idle, not less than it, or with rolling',
  check: (spec) =>
    spec.sessions.flatMap((session) => {
      // A malformed duration is ajv's to report; an unset maxAge is the default.
      const maxAge = parseDuration(session.expiry.maxAge ?? SPEC_DEFAULTS.maxAge);
      if (maxAge === undefined) return [];
      const idle = parseDuration(session.expiry.idle);
      // Against a malformed idle, touchAfter cannot be judged: "there is no idle" would mislead.
      const touchAfter = idle === undefined && session.expiry.idle !== undefined ? undefined : parseTouchAfter(session.expiry.touchAfter);
      const defaulted = session.expiry.maxAge === undefined ? ` (maxAge is not set, so it is the default ${SPEC_DEFAULTS.maxAge})` : '';
      return expiryProblems({ maxAge, idle, touchAfter, rolling: session.expiry.rolling === true }).map(({ setting, problem }) =>
        spec.source.errorAt([...session.path, 'expiry', setting], `${formatSpecPath(session.path)}: ${problem}${setting === 'touchAfter' ? '' : defaulted}`),
      );
    }),
};

const reservedImportName: SpecRule = {
  refuses: 'a serializer or migration export named by a reserved word',
  check: (spec) =>
    spec.sessions.flatMap((session) =>
      [
        { path: [...session.path, 'serializer', 'export'], exported: fieldsOf(session.fields.serializer)?.export, like: 'the codec under a name like userCodec' },
        ...entriesOf(session.fields.history).map(([version, entry]) => ({
          path: [...session.path, 'history', version, 'migrate', 'export'],
          exported: fieldsOf(fieldsOf(entry)?.migrate)?.export,
          like: 'the migration under a name like userV1toV2',
        })),
      ].flatMap(({ path, exported, like }) =>
        typeof exported === 'string' && RESERVED_WORDS.has(exported)
          ? [spec.source.errorAt(path, `${formatSpecPath(path)} is the reserved word "${exported}", which cannot be imported by name; export ${like}`)]
          : [],
      ),
    ),
};

const brokenHistory: SpecRule = {
  refuses: 'a history: with a version not below version:, or with a gap between its oldest version and the current one',
  check: (spec) =>
    spec.sessions.flatMap((session) => {
      const kept = entriesOf(session.fields.history).map(([version]) => Number(version));
      // A version: that is not a whole number is ajv's to report.
      const current = session.fields.version ?? SPEC_DEFAULTS.payloadVersion;
      if (kept.length === 0 || typeof current !== 'number' || !Number.isSafeInteger(current)) return [];
      const problem = historyProblem(kept, current);
      return problem === undefined ? [] : [spec.source.errorAt([...session.path, 'history'], `${formatSpecPath(session.path)}: ${problem}`, 'key')];
    }),
};

const versionWithoutEnvelope = factsRule(
  "version: or history: on a session in Ktor's format, which has no envelope to carry a version in",
  ({ ktorFormat, versioned }) => versionFormatProblem(ktorFormat, versioned),
  [],
  'key',
);

const concurrencyWithoutLock: SpecRule = {
  refuses: 'concurrency: serialize on a by-value session, or on one whose storage is memory or directory (no lock every process shares)',
  check: (spec) =>
    spec.sessions.flatMap((session) => {
      const { storage, concurrency } = session.fields;
      const storageKind = typeof storage === 'string' ? spec.storages.get(storage)?.kind : undefined;
      // A kind that is not one of the three is ajv's to report.
      const kind = storageKind === 'memory' || storageKind === 'directory' || storageKind === 'redis' ? storageKind : undefined;
      const problem = concurrencyProblem({ byId: storage !== undefined, concurrency, storageKind: kind });
      return problem === undefined ? [] : [spec.source.errorAt([...session.path, 'concurrency'], `${formatSpecPath(session.path)}: ${problem}`)];
    }),
};

/** Every semantic rule, in the order their errors are produced (the final list is sorted by position). */
export const SPEC_RULES: readonly SpecRule[] = [
  unknownKeyRing,
  unknownStorage,
  unprotectedByValue,
  lazyByValue,
  duplicateWireName,
  collidingTypeName,
  cookieOnHeaderSession,
  browserDropsCookie,
  chunkedWithOneCookie,
  forbiddenHeaderName,
  badExpiry,
  reservedImportName,
  brokenHistory,
  versionWithoutEnvelope,
  concurrencyWithoutLock,
  ...PAYLOAD_RULES,
  ...KTOR_RULES,
  ...PER_USER_RULES,
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
export const SPEC_WARNINGS: readonly SpecWarningRule[] = [...KTOR_WARNINGS, ...PER_USER_WARNINGS];

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
