/**
 * The functions a V8 CPU profile (`node --cpu-prof`) spent most of its samples in, by self time: what
 * `npm run bench -- --profile DIR` prints for each server, and `tsx bench/profile-top.ts FILE... [N]` for the
 * busiest of the files given (a server's folder holds two: its main thread's and tsx's loader thread's).
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
}

export interface TopFrame {
  readonly frame: string;
  /** Share of all samples, 0..1. */
  readonly share: number;
}

/**
 * The `count` frames with the most self samples, folded by function and location; shares are of the
 * samples where the thread was busy (idle time left out).
 */
export async function topFrames(file: string, count: number): Promise<TopFrame[]> {
  const samples = await busySamples(file);
  const total = sampleCount(samples);
  return [...samples]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([frame, hits]) => ({ frame, share: hits / total }));
}

/** Of several profiles (one per thread), the one with the most busy samples: the server's main thread. */
export async function busiestProfile(files: readonly string[]): Promise<string | undefined> {
  let best: { file: string; busy: number } | undefined;
  for (const file of files) {
    const busy = sampleCount(await busySamples(file));
    if (best === undefined || busy > best.busy) best = { file, busy };
  }
  return best?.file;
}

async function busySamples(file: string): Promise<Map<string, number>> {
  const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
  const frameOf = new Map(profile.nodes.map((node) => [node.id, describe(node)]));
  const samples = new Map<string, number>();
  for (const id of profile.samples) {
    const frame = frameOf.get(id) ?? '(unknown)';
    if (frame !== '(idle)') samples.set(frame, (samples.get(frame) ?? 0) + 1);
  }
  return samples;
}

function sampleCount(samples: ReadonlyMap<string, number>): number {
  return [...samples.values()].reduce((sum, hits) => sum + hits, 0);
}

function describe({ callFrame }: ProfileNode): string {
  const name = callFrame.functionName === '' ? '(anonymous)' : callFrame.functionName;
  const where = callFrame.url === '' ? '' : ` ${callFrame.url.replace(/^.*\/(node_modules|runtime|bench)\//, '$1/')}:${callFrame.lineNumber + 1}`;
  return `${name}${where}`;
}

/** The frames as text lines, percentages first. */
export function formatTopFrames(file: string, frames: readonly TopFrame[]): string {
  return [`${basename(file)}:`, ...frames.map(({ frame, share }) => `  ${(share * 100).toFixed(1).padStart(5)}%  ${frame}`)].join('\n');
}

const [, script, ...args] = process.argv;
if (script !== undefined && basename(script) === 'profile-top.ts' && args.length > 0) {
  const count = /^\d+$/.test(args.at(-1) ?? '') ? Number(args.pop()) : 25;
  const file = await busiestProfile(args);
  if (file !== undefined) process.stdout.write(`${formatTopFrames(file, await topFrames(file, count))}\n`);
}
