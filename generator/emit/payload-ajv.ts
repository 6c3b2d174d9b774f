/**
 * The one Ajv payloads are compiled with, in a module of its own so that what needs only ajv (the tests'
 * hand-written definitions) does not load the emitters and ts-morph with it.
 */
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';

/**
 * An Ajv with the settings payloads are validated under: strict, no type coercion, no defaults filled in,
 * no `$data` (CVE-2025-69873), the first error only (docs/security.md, Payload safety), every format of
 * ajv-formats, and the source kept for standalone code. Tests compile hand-written definitions with it.
 *
 * @example
 * const validate = createPayloadAjv().compile({ type: 'string' });
 */
export function createPayloadAjv(): Ajv {
  const ajv = new Ajv({
    strict: true,
    // `type: [string, "null"]` is how the spec writes a nullable value (docs/spec.md).
    allowUnionTypes: true,
    allErrors: false,
    coerceTypes: false,
    useDefaults: false,
    $data: false,
    code: { source: true, esm: true },
  });
  addFormats.default(ajv);
  return ajv;
}
