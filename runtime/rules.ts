/**
 * `typed-sessions/rules`: the rules the generator (`@typed-sessions/cli`) checks with a position and the
 * runtime checks at startup, each one pure function or constant that both import, so the two can never
 * disagree (security.md #65). For the generator; apps have no use for it.
 */

// Generated code: the format the generator stamps into it and the runtime reads.
export { GENERATED_FORMAT } from './generated-format.js';

// Cookies and headers: name, path and domain shapes, the prefixes browsers enforce, headers the HTTP stack owns.
export {
  COOKIE_DOMAIN_MAX_LENGTH,
  COOKIE_DOMAIN_PATTERN,
  COOKIE_NAME_PATTERN,
  COOKIE_PATH_PATTERN,
  HOST_PREFIX,
  SECURE_PREFIX,
} from './transport/cookie-rules.js';
export { FORBIDDEN_HEADER_NAMES } from './transport/header.js';

// Expiry: the longest lifetime browsers give a cookie.
export { MAX_COOKIE_AGE_SECONDS } from './lifetime.js';

// Payloads: keys no payload may hold, and patterns that can backtrack for exponential time.
export { POLLUTING_KEYS } from './serializer/json.js';
export { findNestedQuantifier } from './nested-quantifier.js';

// Ktor interop: migration integrity, raw ids on shared stores, what the reflection format can write.
export { migrationIntegrity, type MigrationIntegrity } from './ktor/migration.js';
export { rawIdSharing, rawIdSharingProblem, storeOf, type StoreLocation } from './ktor/raw-id-sharing.js';
export { reflectionSchemaProblem } from './ktor/reflection-serializer.js';
