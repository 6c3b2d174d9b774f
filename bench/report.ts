/** The benchmark's results as Markdown tables, as docs/benchmarks.md shows them. */
import type { ColdStartFigure } from './cold-start.js';
import type { GeneratorFigure } from './generator-cost.js';
import { isNoisy, roundRatios, type RoundFigures, type VariantSummary } from './macro.js';
import { median } from './median.js';
import { YARDSTICK, type MicroFigure } from './micro.js';
import type { PromiseFigure } from './promises.js';
import { verdict, type Target } from './targets.js';

/** One row per variant: medians over rounds, noisy windows, and its ratio to its baseline per round and as their median. */
export function macroTable(summaries: readonly VariantSummary[]): string {
  const byName = new Map(summaries.map((summary) => [summary.variant.name, summary]));
  return table(
    ['variant', 'req/s (median)', 'p50 ms', 'p99 ms', 'server CPU µs/req', 'server core', 'load CPU', 'noisy windows', 'against', '× (median)', '× per round', 'CPU × (median)'],
    summaries.map((summary) => {
      const baseline = summary.variant.against === undefined ? undefined : byName.get(summary.variant.against);
      const ratios = baseline === undefined ? [] : roundRatios(summary, baseline);
      // Server CPU per request, the baseline's over this one's: what the server side costs, whichever core bounded the window.
      const cpuRatios = baseline === undefined ? [] : summary.windows.map((window, round) => baseline.windows[round]!.cpuMicrosPerRequest / window.cpuMicrosPerRequest);
      return [
        summary.variant.label,
        fixed(summary.requestsPerSecond, 0),
        fixed(summary.p50, 2),
        fixed(summary.p99, 2),
        fixed(summary.cpuMicrosPerRequest, 1),
        `${fixed(summary.coreShare * 100, 0)}%`,
        summary.loadCoreShare === undefined ? '' : `${fixed(summary.loadCoreShare * 100, 0)}%`,
        `${summary.windows.filter(isNoisy).length} of ${summary.windows.length}`,
        baseline?.variant.name ?? '',
        ratios.length === 0 ? '' : `${fixed(median(ratios), 2)}×`,
        ratios.map((ratio) => fixed(ratio, 2)).join(' '),
        cpuRatios.length === 0 ? '' : `${fixed(median(cpuRatios), 2)}×`,
      ];
    }),
  );
}

/** The load average around each round, and which windows of it were noisy. */
export function roundTable(rounds: readonly RoundFigures[]): string {
  return table(
    ['round', 'load average before', 'after', 'noisy windows (server < 95% of its core)'],
    rounds.map((round, index) => [
      String(index + 1),
      fixed(round.loadBefore, 2),
      fixed(round.loadAfter, 2),
      round.noisy.length === 0 ? 'none' : round.noisy.join(', '),
    ]),
  );
}

export function targetTable(list: readonly Target[]): string {
  return table(
    ['target', 'measured', 'wanted', ''],
    list.map((target) => [
      target.what,
      // Three decimals: a ratio shown as 1.00× may be 0.997×, and then the target is missed.
      target.measured === undefined ? '—' : target.unit === '×' ? `${fixed(target.measured, 3)}×` : `${signed(target.measured)} MiB`,
      target.unit === '×' ? `${target.atMost ? '≤' : '≥'} ${fixed(target.limit, 1)}×` : `≤ +${target.limit} MiB`,
      verdict(target),
    ]),
  );
}

export function coldStartTable(figures: readonly ColdStartFigure[]): string {
  return table(
    [
      'app (one session, first request POST /login)',
      'ms to first response (median)',
      'fastest',
      'slowest',
      'against',
      '× (median of runs)',
      'peak RSS MiB',
      'RSS − against, MiB',
    ],
    figures.map((figure) => [
      figure.label,
      fixed(figure.median, 0),
      fixed(Math.min(...figure.runs), 0),
      fixed(Math.max(...figure.runs), 0),
      figure.against,
      `${fixed(figure.ratio, 2)}×`,
      fixed(figure.peakRss, 1),
      signed(figure.rssDelta),
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
      measured < bound
        ? 'held'
        : measured < blownUp
          ? 'missed (noise, or a regression: rerun on a quiet machine)'
          : `**blown up** (fails the run at ${shown(blownUp, unit)})`,
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

function signed(value: number): string {
  return `${value >= 0 ? '+' : '−'}${fixed(Math.abs(value), 1)}`;
}
