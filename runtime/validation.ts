import { Ajv, type ErrorObject } from 'ajv';
import formats from 'ajv-formats';
import { SessionConfigError } from './errors.js';
import { findNestedQuantifier } from './nested-quantifier.js';

/**
 * Payload validation against each session's JSON Schema, with ajv 8. One `PayloadValidation` (one Ajv
 * instance) per `createSessionsMiddleware`, and every schema compiled once at install time, never per
 * request. Settings are the safe ones (checklist #30, #34): no type coercion, no defaults filled in, no
 * `$data` (CVE-2025-69873), strict mode, and the first error only. A `pattern` with nested unbounded
 * repetition (`(a+)+`) is refused at compile time, as the generator does (checklist #34).
 */

/** Checks a payload; returns `undefined` when it is valid, else the first failure. */
export type PayloadValidator = (value: unknown) => PayloadFailure | undefined;

export interface PayloadFailure {
  /** JSON Pointer of the failing value (`""` for the root), from ajv's `instancePath`. */
  readonly path: string;
  /** What is wrong, e.g. `must be equal to one of the allowed values (admin, member)`. */
  readonly detail: string;
}

export interface PayloadValidation {
  /**
   * Compiles `schema` for session `session`. Throws `SessionConfigError` if ajv refuses the schema.
   *
   * @example
   * const validate = validation.compile('user', UserSessionProvider.definition.schema);
   * validate({ userId: 1 }); // { path: '/userId', detail: 'must be string' }
   */
  compile(session: string, schema: object): PayloadValidator;
}

const addFormats = formats.default;

/** @example const validation = createPayloadValidation(); */
export function createPayloadValidation(): PayloadValidation {
  const ajv = new Ajv({
    strict: true,
    // `type: [string, "null"]` is how the spec writes a nullable value (design.md section 2).
    allowUnionTypes: true,
    allErrors: false,
    coerceTypes: false,
    useDefaults: false,
    $data: false,
  });
  addFormats(ajv);
  return {
    compile(session, schema) {
      refuseNestedQuantifiers(session, schema);
      let validate;
      try {
        validate = ajv.compile(schema);
      } catch (error) {
        throw new SessionConfigError(
          `session "${session}": its schema does not compile: ${(error as Error).message}. Regenerate with \`npx typed-sessions gen\`.`,
          { cause: error },
        );
      }
      return (value) => {
        try {
          return validate(value) ? undefined : describeFailure(validate.errors?.[0]);
        } catch (error) {
          // ajv walks a recursive schema recursively: a value deep enough overflows the stack. It fails
          // validation like any other bad payload, never a 500 (checklist #31).
          if (error instanceof RangeError) return { path: '', detail: 'is nested too deeply to validate' };
          throw error;
        }
      };
    },
  };
}

/** Every `pattern` string in the schema, found by walking it; `const` and `enum` hold values, not schemas. */
function refuseNestedQuantifiers(session: string, schema: unknown): void {
  if (typeof schema !== 'object' || schema === null) return;
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'const' || key === 'enum') continue;
    const nested = key === 'pattern' && typeof value === 'string' ? findNestedQuantifier(value) : undefined;
    if (nested !== undefined) {
      throw new SessionConfigError(
        `session "${session}": pattern ${JSON.stringify(value)} repeats ${nested}, a repetition inside a repetition, which can take exponential time on a hostile string (ReDoS); rewrite it so each repeated part must match a fixed separator, and bound the string with maxLength`,
      );
    }
    refuseNestedQuantifiers(session, value);
  }
}

function describeFailure(error: ErrorObject | undefined): PayloadFailure {
  if (error === undefined) return { path: '', detail: 'is invalid' };
  return { path: error.instancePath, detail: `${error.message ?? 'is invalid'}${detailOf(error)}` };
}

/** The parameter ajv keeps out of its message, where a reader needs it to fix the payload. */
function detailOf(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'enum':
      return ` (${(params.allowedValues as unknown[]).map((value) => JSON.stringify(value).replace(/^"(.*)"$/, '$1')).join(', ')})`;
    case 'const':
      return ` (${JSON.stringify(params.allowedValue)})`;
    case 'additionalProperties':
      return ` (${String(params.additionalProperty)})`;
    default:
      return '';
  }
}
