/**
 * `typed-sessions/validators`: what the payload validators `gen` writes (`<out>/validators.ts`, ajv's
 * standalone code) import at run time, in place of ajv's and ajv-formats' modules. Internal: only
 * generated code imports it.
 */

// ajv's runtime helpers: code-point length (minLength, maxLength) and deep equality (const, enum, uniqueItems).
export { equal, ucs2length } from './ajv-runtime.js';

// ajv-formats' format checks that are functions rather than regular expressions.
export { formats } from './formats.js';
