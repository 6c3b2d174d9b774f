/** Issue 15's seven targets, each measured in this run (same-round medians), and met or missed by how much. */
import type { ColdStartFigure } from './cold-start.js';
import { roundRatios, type VariantSummary } from './macro.js';
import { median } from './median.js';
import type { VariantName } from './variants.js';

export interface Target {
  readonly what: string;
  /** Undefined when this run did not measure it (`--only`). */
  readonly measured: number | undefined;
  /** A throughput ratio is wanted at least this high; a time ratio or a memory difference (`atMost`), at most. */
  readonly limit: number;
  readonly atMost: boolean;
  /** `×` for a ratio, `MiB` for a difference in memory. */
  readonly unit: '×' | 'MiB';
}

const REQUEST_TARGETS: readonly (readonly [string, VariantName, VariantName, number])[] = [
  ['encrypted cookie read+write / hand-rolled AES-GCM floor', 'encrypted', 'floor-aes', 1.0],
  ['encrypted cookie read only / floor read only', 'encrypted-read', 'floor-aes-read', 1.0],
  ['encrypted cookie read+write / koa-session signed', 'encrypted', 'koa-session', 1.5],
  ['by id in Redis / koa-session + ioredis store', 'by-id-redis', 'koa-session-redis', 1.5],
  ['by id in memory / koa-session Map store', 'by-id-memory', 'koa-session-memory', 1.5],
];

export function targets(summaries: readonly VariantSummary[], coldStart: readonly ColdStartFigure[]): Target[] {
  const byName = new Map(summaries.map((summary) => [summary.variant.name, summary]));
  const ours = coldStart.find((figure) => figure.name === 'ours');
  return [
    ...REQUEST_TARGETS.map(([what, name, against, limit]): Target => {
      const variant = byName.get(name);
      const other = byName.get(against);
      const measured = variant === undefined || other === undefined ? undefined : median(roundRatios(variant, other));
      return { what, measured, limit, atMost: false, unit: '×' };
    }),
    { what: 'process start to first response / koa-session (signed cookie)', measured: ours?.ratio, limit: 1.1, atMost: true, unit: '×' },
    { what: "peak RSS of that process, over koa-session's", measured: ours?.rssDelta, limit: 5, atMost: true, unit: 'MiB' },
  ];
}

/** `met`, `missed by 0.32×`, or why there is no verdict. */
export function verdict({ measured, limit, atMost, unit }: Target): string {
  if (measured === undefined || Number.isNaN(measured)) return 'not measured in this run';
  const met = atMost ? measured <= limit : measured >= limit;
  const short = Math.abs(measured - limit);
  return met ? 'met' : `missed by ${short < 0.005 ? 'less than 0.01' : short.toFixed(2)}${unit === '×' ? '×' : ' MiB'}`;
}
