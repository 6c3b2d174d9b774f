/**
 * What the compatibility check reports: one finding per change between two specs, each positioned like a
 * spec error (`FILE:LINE:COL`), so the command can print it with `formatSpecErrors`' code frame.
 */
import type { SpecSource } from '../load.js';
import type { SpecError } from '../spec-error.js';
import type { SpecPath } from '../spec-path.js';

const SCHEMA_FIX = 'add a payload version with a migration, or acknowledge the logout';
const SETTING_FIX = 'keep the old setting, or acknowledge the logout';

/**
 * Every kind of change the check tells apart, and whether it ends live sessions: a token or stored entry
 * written under the old spec that the new one refuses is "no session" (reason `schema`, or a failed
 * seal), and its user is logged out. A breaking kind's `fix` ends its message: the ways out the user has.
 */
export const FINDING_KINDS = {
  'session-removed': { breaking: true, fix: 'keep the session, or acknowledge the logout' },
  'session-added': { breaking: false },
  'transport-changed': { breaking: true, fix: SETTING_FIX },
  'name-changed': { breaking: true, fix: SETTING_FIX },
  'serializer-changed': { breaking: true, fix: SETTING_FIX },
  'transforms-changed': { breaking: true, fix: SETTING_FIX },
  'key-ring-changed': { breaking: true, fix: SETTING_FIX },
  'storage-changed': { breaking: true, fix: SETTING_FIX },
  'prefix-changed': { breaking: true, fix: SETTING_FIX },
  'max-age-shortened': { breaking: true, fix: SETTING_FIX },
  'max-age-lengthened': { breaking: false },
  'required-added': { breaking: true, fix: SCHEMA_FIX },
  'required-removed': { breaking: false },
  'property-added': { breaking: false },
  'property-removed': { breaking: true, fix: SCHEMA_FIX },
  'property-moved-to-map': { breaking: false },
  'type-narrowed': { breaking: true, fix: SCHEMA_FIX },
  'type-widened': { breaking: false },
  'enum-value-removed': { breaking: true, fix: SCHEMA_FIX },
  'enum-value-added': { breaking: false },
  'const-changed': { breaking: true, fix: SCHEMA_FIX },
  'bound-tightened': { breaking: true, fix: SCHEMA_FIX },
  'bound-relaxed': { breaking: false },
  'additional-properties-narrowed': { breaking: true, fix: SCHEMA_FIX },
  'additional-properties-relaxed': { breaking: false },
  unproven: { breaking: true, fix: SCHEMA_FIX },
} as const satisfies Readonly<Record<string, { readonly breaking: true; readonly fix: string } | { readonly breaking: false }>>;

export type FindingKind = keyof typeof FINDING_KINDS;

/** Which spec a finding's position is in: the new one, or the old one for what the new one no longer has. */
export type SpecSide = 'before' | 'after';

export interface CompatFinding extends SpecError {
  readonly kind: FindingKind;
  readonly breaking: boolean;
  /** The session whose live tokens or entries the change concerns. */
  readonly session: string;
  readonly side: SpecSide;
  /** Where the change is in that side's spec; `file`, `line` and `col` are its position. */
  readonly path: SpecPath;
}

/** Where each side's spec wrote what it holds. */
export interface ComparedSpecSource {
  readonly before: SpecSource;
  readonly after: SpecSource;
}


/** Builds findings at positions in either spec. */
export class FindingSink {
  readonly findings: CompatFinding[] = [];

  constructor(private readonly positions: ComparedSpecSource) {}

  /**
   * Records a finding; a breaking one's message gets how to fix it appended.
   *
   * @example
   * sink.add('max-age-shortened', 'user', 'after', ['sessions', 'user', 'expiry', 'maxAge'], 'maxAge shortened from 7d to 1d');
   */
  add(kind: FindingKind, session: string, side: SpecSide, path: SpecPath, message: string): void {
    const described: { readonly breaking: boolean; readonly fix?: string } = FINDING_KINDS[kind];
    const { breaking, fix } = described;
    const text = `session "${session}": ${message}${fix === undefined ? '' : `; ${fix}`}`;
    this.findings.push({ ...this.positions[side].errorAt(path, text), kind, breaking, session, side, path });
  }
}
