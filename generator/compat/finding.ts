/**
 * What the compatibility check reports: one finding per change between two specs, each positioned like a
 * spec error (`FILE:LINE:COL`), so the command can print it with `formatSpecErrors`' code frame.
 */
import type { SpecSource } from '../load.js';
import type { SpecError } from '../spec-error.js';
import type { SpecPath } from '../spec-path.js';

/** The way out of every breaking change: the spec says the logout is meant (`acknowledgeLogout`). */
export const acknowledgeFix = 'or write acknowledgeLogout: "why" on the session to accept the logout';
const SCHEMA_FIX = `raise version: and keep the old schema under history: with a migrate: to the next version, ${acknowledgeFix}`;
// What a revocation the new spec no longer reads does: no session ends, a revoked one comes back.
const REVOKED_OPEN = 'or write acknowledgeLogout: "why" on the session to accept that revoked cookies open again';
// A payload version migrates payloads, never tokens: a token the new wire settings cannot open has no version to read.
const SETTING_FIX = `keep the old setting, ${acknowledgeFix} (a payload version does not cover this)`;

/**
 * Every kind of change the check tells apart, and whether it ends live sessions: a token or stored entry
 * written under the old spec that the new one refuses is "no session" (reason `schema`, or a failed
 * seal), and its user is logged out. A breaking kind's `fix` ends its message: the ways out the user has.
 */
export const FINDING_KINDS = {
  'session-removed': { breaking: true, fix: 'keep the session, or write acknowledgeLogout: "why" on it in one change and remove it in the next' },
  'session-added': { breaking: false },
  'transport-changed': { breaking: true, fix: SETTING_FIX },
  'name-changed': { breaking: true, fix: SETTING_FIX },
  'cookie-scope-changed': { breaking: true, fix: SETTING_FIX },
  'serializer-changed': { breaking: true, fix: SETTING_FIX },
  'transforms-changed': { breaking: true, fix: SETTING_FIX },
  'key-ring-changed': { breaking: true, fix: SETTING_FIX },
  'storage-changed': { breaking: true, fix: SETTING_FIX },
  'prefix-changed': { breaking: true, fix: SETTING_FIX },
  'max-age-shortened': { breaking: true, fix: SETTING_FIX },
  'max-age-lengthened': { breaking: false },
  'idle-shortened': { breaking: true, fix: SETTING_FIX },
  'idle-lengthened': { breaking: false },
  'idle-shortened-in-storage': { breaking: false },
  'migrate-from-removed': { breaking: true, fix: `keep migrateFrom until the Ktor session's migrated events stop, ${acknowledgeFix}` },
  'migrate-from-added': { breaking: false },
  'version-raised': { breaking: false },
  'version-raised-without-history': { breaking: true, fix: `keep the old version under history: with its schema and a migrate: to the next one, ${acknowledgeFix}` },
  'version-lowered': { breaking: true, fix: `keep version: at least the old one, ${acknowledgeFix}` },
  'version-dropped': { breaking: true, fix: `keep it until the migrated events for that version stop, then remove it with acknowledgeLogout: "why"` },
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
  'flash-schema-changed': { breaking: false },
  'flash-key-removed': { breaking: false },
  'index-added': { breaking: false },
  'index-removed': { breaking: false },
  'index-changed': { breaking: true, fix: 'keep the old index: path (a new path holding the same values files the same), or write acknowledgeLogout: "why" on the session to accept that revokeAll() misses those sessions' },
  'summary-changed': { breaking: false },
  'max-per-user-lowered': { breaking: true, fix: `keep the old limit, ${acknowledgeFix}` },
  'max-per-user-raised': { breaking: false },
  'revocation-added': { breaking: false },
  'revocation-removed': { breaking: true, fix: `keep revocation: until expiry.maxAge has passed since the last revokeAll(), ${REVOKED_OPEN}` },
  'revocation-storage-changed': { breaking: true, fix: `keep the stamps' storage where it is, ${REVOKED_OPEN}` },
  'revocation-key-changed': { breaking: true, fix: `keep the old revocation.key (a new path holding the same user ids finds the same stamps), ${REVOKED_OPEN}` },
  'revocation-recheck-changed': { breaking: false },
  'revocation-fails-open': { breaking: true, fix: `keep onStoreDown: deny, ${REVOKED_OPEN}` },
  'revocation-fails-closed': { breaking: false },
} as const satisfies Readonly<Record<string, { readonly breaking: true; readonly fix: string } | { readonly breaking: false }>>;

export type FindingKind = keyof typeof FINDING_KINDS;

/**
 * `breaking`: live sessions end and nothing in the new spec accepts that; `acknowledged`: they end, and the
 * change writes the session's `acknowledgeLogout`; `compatible`: they live on, or a migration covers them.
 */
export type FindingStatus = 'breaking' | 'acknowledged' | 'compatible';

/** Which spec a finding's position is in: the new one, or the old one for what the new one no longer has. */
export type SpecSide = 'before' | 'after';

export interface CompatFinding extends SpecError {
  readonly kind: FindingKind;
  readonly status: FindingStatus;
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

/** How the findings of one comparison are judged, beyond their kind. */
export interface Judgment {
  /** The old version whose migration carries live payloads past these changes: breaking kinds become compatible. */
  readonly coveredFrom?: number;
  /** The way out, instead of the kind's own, where that one does not apply (a history entry's schema). */
  readonly fix?: string;
}

interface Draft extends Judgment {
  readonly kind: FindingKind;
  readonly session: string;
  readonly side: SpecSide;
  readonly path: SpecPath;
  readonly message: string;
}

/** Collects findings at positions in either spec; `findings` judges them once every comparison is done. */
export class FindingSink {
  readonly #drafts: Draft[] = [];
  #judgment: Judgment = {};

  constructor(private readonly positions: ComparedSpecSource) {}

  /**
   * Records a finding, judged by the comparison it is made in (`within`).
   *
   * @example
   * sink.add('max-age-shortened', 'user', 'after', ['sessions', 'user', 'expiry', 'maxAge'], 'maxAge shortened from 7d to 1d');
   */
  add(kind: FindingKind, session: string, side: SpecSide, path: SpecPath, message: string): void {
    this.#drafts.push({ kind, session, side, path, message, ...this.#judgment });
  }

  /**
   * Runs `compare` with every finding it adds judged by `judgment`.
   *
   * @example
   * sink.within({ coveredFrom: 1 }, () => compareSchemas(cx, oldCurrent, newCurrent));
   */
  within(judgment: Judgment, compare: () => void): void {
    const outer = this.#judgment;
    this.#judgment = judgment;
    try {
      compare();
    } finally {
      this.#judgment = outer;
    }
  }

  /**
   * The findings in the order they were added, each message ended by its judgment: how a breaking one is
   * fixed, or what covers or acknowledges it. `acknowledged` maps a session to its new `acknowledgeLogout`,
   * for the sessions whose value this change writes.
   *
   * @example
   * sink.findings(new Map([['user', '2026-12 roles redesigned']]));
   */
  findings(acknowledged: ReadonlyMap<string, string>): CompatFinding[] {
    return this.#drafts.map(({ kind, session, side, path, message, coveredFrom, fix }) => {
      const described: { readonly breaking: boolean; readonly fix?: string } = FINDING_KINDS[kind];
      const note = acknowledged.get(session);
      const [status, ending]: [FindingStatus, string] = !described.breaking
        ? ['compatible', '']
        : coveredFrom !== undefined
          ? ['compatible', `; covered by the migration from version ${coveredFrom}`]
          : note !== undefined
            ? ['acknowledged', `; acknowledged by acknowledgeLogout: ${JSON.stringify(note)}`]
            : ['breaking', `; ${fix ?? described.fix}`];
      const text = `session "${session}": ${message}${ending}`;
      return { ...this.positions[side].errorAt(path, text), kind, status, session, side, path };
    });
  }
}
