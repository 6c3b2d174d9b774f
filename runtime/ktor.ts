/** `typed-sessions/ktor`: Ktor's session wire format (docs/ktor.md), for sessions a Ktor service shares. */

// What generated code passes as `layers.ktor` for a spec with a session in Ktor's format.
export { ktorLayer } from './ktor/layer.js';
