/**
 * What a session's `transform:` steps say, read defensively for the semantic rules (the spec may also break
 * its JSON Schema): each step's fields, and every key ring a step names with where it is written.
 */
import type { SpecPath } from './spec-path.js';
import { entriesOf } from './spec-view.js';
import type { SessionView } from './spec-view.js';

export const TRANSFORM_KINDS = ['sign', 'encrypt', 'ktor-sign', 'ktor-encrypt'] as const;

export function transformSteps(session: SessionView): (readonly [Readonly<Record<string, unknown>>, number])[] {
  const steps = Array.isArray(session.fields.transform) ? (session.fields.transform as unknown[]) : [];
  return steps.map((step, index) => [Object.fromEntries(entriesOf(step)), index] as const);
}

/** A key ring a transform step names, and where: `{ sign: R }`, `{ ktor-sign: R }`, `{ ktor-encrypt: { encrypt: R, sign: R } }`. */
export interface RingRef {
  readonly path: SpecPath;
  readonly ring: string;
  /** The step's kind. */
  readonly kind: (typeof TRANSFORM_KINDS)[number];
}

export function transformRingRefs(session: SessionView): RingRef[] {
  return transformSteps(session).flatMap(([step, index]) =>
    TRANSFORM_KINDS.flatMap((kind): RingRef[] => {
      const path = [...session.path, 'transform', index, kind];
      if (typeof step[kind] === 'string') return [{ path, ring: step[kind], kind }];
      return kind === 'ktor-encrypt'
        ? entriesOf(step[kind]).flatMap(([role, ring]) => (typeof ring === 'string' ? [{ path: [...path, role], ring, kind }] : []))
        : [];
    }),
  );
}
