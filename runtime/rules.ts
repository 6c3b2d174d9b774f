/**
 * `typed-sessions/rules`: the rules the generator (`@typed-sessions/cli`) checks with a position and the
 * runtime checks at startup, each one pure function or constant that both import, so the two can never
 * disagree (security.md #65). For the generator; apps have no use for it.
 */

// Generated code: the format the generator stamps into it and the runtime reads, and the definition data it
// holds, which the generator's model is made of (generator/model.ts).
export { GENERATED_FORMAT } from './generated-format.js';
export type {
  CookieSettings,
  ExpiryDefinition,
  KeyRingDefinition,
  MigrationDefinition,
  RevocationDefinition,
  SessionSettings,
  StorageDefinition,
  TransformDefinition,
  TransportDefinition,
} from './definition.js';

// Payload versions: what history: must hold, and the formats that can carry a version.
export { historyProblem, versionFormatProblem } from './payload-versions.js';

// Cookies and headers: name, path and domain shapes, what browsers drop a cookie for, headers the HTTP stack owns.
export { COOKIE_DOMAIN_MAX_LENGTH, COOKIE_DOMAIN_PATTERN, COOKIE_NAME_PATTERN, COOKIE_PATH_PATTERN, cookieProblems, type CookieAttributes, type CookieProblem } from './transport/cookie-rules.js';
export { headerNameProblem } from './transport/header-rules.js';

// A session's settings as a whole: sealing, expiry, formats and key rings, chunked cookies, wire names.
export {
  chunkedProblem,
  concurrencyProblem,
  flashProblem,
  idleProblem,
  loadProblem,
  persistenceProblem,
  protectionProblem,
  ringEncodingProblem,
  transformFormatProblem,
  wireNameClashes,
  type ConcurrencyFacts,
  type SessionFacts,
  type TransformKind,
} from './session-rules.js';
export { expiryProblems } from './expiry-rules.js';

// Per-user settings: where an index and a revocation check can work, and the payload paths they name.
export {
  MAX_SESSIONS_PER_USER,
  indexPlacementProblem,
  recheckProblem,
  revocationPlacementProblem,
  summaryFieldProblem,
  userKeyProblem,
  versionSchemas,
  withoutIndexProblem,
  type PerUserPlacement,
} from './per-user-rules.js';
export type { PayloadSchemaAt } from './payload-path.js';

// Payloads: keys no payload may hold, and patterns that can backtrack for exponential time.
export { POLLUTING_KEYS } from './serializer/json.js';
export { findNestedQuantifier } from './nested-quantifier.js';

// Ktor interop: migrations, raw ids on shared stores, what the reflection format can write.
export { migrationIntegrity, migrationProblem, type MigrationIntegrity, type MigrationParty } from './ktor/migration.js';
export { rawIdSharing, rawIdSharingProblem, storeOf, type StoreLocation } from './ktor/raw-id-sharing.js';
export { reflectionSchemaProblem } from './ktor/reflection-serializer.js';
