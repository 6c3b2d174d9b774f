/**
 * Stage 2: a loaded spec against spec-schema.json (validate-schema.ts) and the semantic rules (rules.ts),
 * both run every time so one run shows everything to fix. Only a spec that passes both comes out typed, as a
 * `SpecDocument` for `normalize`; the rules read the spec through the defensive `SpecView` instead, since
 * they run on a spec that may also break its schema.
 */
import type { SpecSource } from './load.js';
import { checkSpecRules, checkSpecWarnings } from './rules.js';
import type { SpecDocument } from './spec-document.js';
import { orderSpecErrors, type SpecError, type SpecWarning } from './spec-error.js';
import { validateSpecSchema } from './validate-schema.js';

/** Errors and warnings come sorted by position, each once. */
export type ValidationResult =
  | { readonly ok: true; readonly document: SpecDocument; readonly warnings: SpecWarning[] }
  | { readonly ok: false; readonly errors: SpecError[] };

/**
 * @example
 * const validated = validateSpec(loaded.source);
 * if (validated.ok) normalizeSpec(validated.document, 'sessions.yaml');
 */
export function validateSpec(source: SpecSource): ValidationResult {
  const schema = validateSpecSchema(source);
  const errors = [...(schema.ok ? [] : schema.errors), ...checkSpecRules(source)];
  if (!schema.ok || errors.length > 0) return { ok: false, errors: orderSpecErrors(errors) };
  return { ok: true, document: schema.document, warnings: orderSpecErrors(checkSpecWarnings(source)) };
}
