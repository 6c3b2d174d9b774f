/** The benchmark's results as Markdown tables, as docs/benchmarks.md shows them. */
import type { ColdStartFigure } from './cold-start.js';
import type { GeneratorFigure } from './generator-cost.js';
import { medianRatio, type VariantSummary } from './macro.js';
import { YARDSTICK, type MicroFigure } from './micro.js';
import type { PromiseFigure } from './promises.js';

export interface Target {
  readonly what: string;
  readonly measured: number;
  /** A ratio of throughput is wanted at least this high; one of time (`atMost`), at most. */
  readonly limit: number;
  readonly atMost?: boolean;
}

/** The targets, each a ratio measured in this run. */
export function targets(summaries: readonly VariantSummary[], coldStart: readonly ColdStartFigure[]): Target[] {
  const byName = new Map(summaries.map((summary) => [summary.variant.name, summary]));
  const baseline = summaries[0]!;
  const wanted: [string, string, string, number][] = [
    ['encrypted cookie read+write / bare Koa', 'encrypted', baseline.variant.name, 0.7],
    ['encrypted cookie read only / bare Koa', 'encrypted-read', baseline.variant.name, 0.85],
    ['by id in Redis / koa-session with its Redis store', 'by-id-redis', 'koa-session-redis', 1.5],
  ];
  const ours = coldStart.find((figure) => figure.name === 'ours');
  return [
    ...wanted.flatMap(([what, name, against, limit]) => {
      const variant = byName.get(name);
      const other = byName.get(against);
      return variant === undefined || other === undefined ? [] : [{ what, measured: medianRatio(variant, other), limit }];
    }),
    ...(ours === undefined ? [] : [{ what: 'cold start to first response / koa-session', measured: ours.ratio, limit: 1.1, atMost: true }]),
  ];
}

export function macroTable(summaries: readonly VariantSummary[]): string {
  const baseline = summaries[0]!;
  return table(
    ['variant', 'req/s (median)', 'p50 ms', 'p99 ms', 'server CPU µs/req', `× ${baseline.variant.name} (median of rounds)`],
    summaries.map((summary) => [
      summary.variant.label,
      fixed(summary.requestsPerSecond, 0),
      fixed(summary.p50, 0),
      fixed(summary.p99, 0),
      fixed(summary.cpuMicrosPerRequest, 0),
      `${fixed(medianRatio(summary, baseline), 2)}×`,
    ]),
  );
}

export function targetTable(list: readonly Target[]): string {
  return table(
    ['target', 'measured', 'wanted', ''],
    list.map(({ what, measured, limit, atMost }) => [
      what,
      `${fixed(measured, 2)}×`,
      `${atMost ? '≤' : '≥'} ${limit}×`,
      (atMost ? measured <= limit : measured >= limit) ? 'met' : `missed by ${fixed(Math.abs(measured - limit), 2)}`,
    ]),
  );
}

export function coldStartTable(figures: readonly ColdStartFigure[]): string {
  return table(
    ['app (one session, first request POST /login)', 'ms to first response (median)', 'fastest', 'slowest', '× koa-session (median of runs)'],
    figures.map((figure) => [
      figure.label,
      fixed(figure.median, 0),
      fixed(Math.min(...figure.runs), 0),
      fixed(Math.max(...figure.runs), 0),
      `${fixed(figure.ratio, 2)}×`,
    ]),
  );
}

/** `requestMicros`: a bare Koa request's server CPU time, to show each operation's share of it. */
export function microTable(figures: readonly MicroFigure[], requestMicros: number | undefined): string {
  const yardstick = figures.find((figure) => figure.name === YARDSTICK)!;
  return table(
    ['operation', 'ops/s (per CPU second)', 'CPU ns/op', `× ${YARDSTICK}`, ...(requestMicros === undefined ? [] : ['share of a bare Koa request (CPU)'])],
    figures.map((figure) => [
      figure.name,
      fixed(figure.opsPerSecond, 0),
      fixed(figure.nanosPerOp, 0),
      `${fixed(figure.nanosPerOp / yardstick.nanosPerOp, 2)}×`,
      ...(requestMicros === undefined ? [] : [`${fixed(figure.nanosPerOp / 10 / requestMicros, 1)}%`]),
    ]),
  );
}

export function generatorTable(figures: readonly GeneratorFigure[]): string {
  return table(
    ['spec', '`gen` ms', '`gen --check` ms', 'import generated module ms', '`installSessions()` ms'],
    figures.map((figure) => [figure.spec, fixed(figure.genMs, 0), fixed(figure.checkMs, 0), fixed(figure.importMs, 0), fixed(figure.installMs, 1)]),
  );
}

export function promiseTable(figures: readonly PromiseFigure[]): string {
  const shown = (value: number, unit: PromiseFigure['unit']) => (unit === '×' ? `${fixed(value, 2)}×` : `${fixed(value, 1)} ${unit}`);
  return table(
    ['promise', 'measured', 'bound', ''],
    figures.map(({ what, measured, unit, bound, blownUp }) => [
      what,
      shown(measured, unit),
      `< ${shown(bound, unit)}`,
      measured < bound ? 'held' : measured < blownUp ? 'missed (noise, or a regression: rerun on a quiet machine)' : `**blown up** (fails the run at ${shown(blownUp, unit)})`,
    ]),
  );
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

function fixed(value: number, digits: number): string {
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}
