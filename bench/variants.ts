/**
 * The servers the request benchmark compares, as the parent process sees them: names, labels, what each
 * request does, and the variant each one's ratio is taken against. How each server is built lives in
 * bench/app/ (bench/app/builds.ts), which runs in the installed app, not here. Every variant serves the
 * same two routes with the same payload (bench/app/routes.ts):
 *
 *   POST /login?user=ID -> 204, and a session { userId: ID, count: 0 } (how the load generator gets its cookies)
 *   GET  /counter       -> { count }: read the session, add one, write it back (`writes: false`: read only)
 */

export type VariantName =
  | 'koa'
  | 'koa-headers'
  | 'floor-aes'
  | 'floor-aes-read'
  | 'encrypted'
  | 'encrypted-read'
  | 'koa-cookie'
  | 'untouched'
  | 'signed'
  | 'by-id-memory'
  | 'by-id-redis'
  | 'by-id-redis-indexed'
  | 'koa-session'
  | 'koa-session-memory'
  | 'koa-session-redis';

export interface Variant {
  /** What `server.js` is started with. */
  readonly name: VariantName;
  /** Row label in the report. */
  readonly label: string;
  /** Whether GET /counter writes the session back (or, for the header floor, sends its `Set-Cookie` line). */
  readonly writes: boolean;
  /** A write that sends no `Set-Cookie`: ours by id, where the entry changes and the browser keeps its cookie. */
  readonly keepsCookie?: boolean;
  /**
   * Whether /login creates a session that GET /counter reads: then many distinct sessions are logged in and
   * spread over the connections. Otherwise one login gives the cookie (if any) every request carries.
   */
  readonly keepsSession: boolean;
  /** Sessions logged in per user (default 1): more than one fills a per-user index. */
  readonly sessionsPerUser?: number;
  /** The variant this one's ratio is taken against, measured in the same round; none for bare Koa. */
  readonly against?: VariantName;
}

/** In report order; the first is bare Koa, the floor of the floors. */
export const VARIANTS: readonly Variant[] = [
  { name: 'koa', label: 'bare Koa 3 (no sessions)', writes: false, keepsSession: false },
  { name: 'koa-headers', label: 'floor: bare Koa + the same cookie headers, no session work', writes: true, keepsSession: false, against: 'koa' },
  { name: 'floor-aes', label: 'floor: hand-rolled AES-256-GCM cookie, read+write', writes: true, keepsSession: true, against: 'koa' },
  { name: 'floor-aes-read', label: 'floor: hand-rolled AES-256-GCM cookie, read only', writes: false, keepsSession: true, against: 'koa' },
  { name: 'encrypted', label: 'ours: encrypted cookie, read+write', writes: true, keepsSession: true, against: 'floor-aes' },
  { name: 'encrypted-read', label: 'ours: encrypted cookie, read only', writes: false, keepsSession: true, against: 'floor-aes-read' },
  { name: 'koa-cookie', label: 'bare Koa 3, requests carrying a session-sized cookie', writes: false, keepsSession: false, against: 'koa' },
  { name: 'untouched', label: 'ours: encrypted cookie, a route that uses no session', writes: false, keepsSession: true, against: 'koa-cookie' },
  { name: 'signed', label: 'ours: signed cookie, read+write', writes: true, keepsSession: true, against: 'koa-session' },
  { name: 'by-id-memory', label: 'ours: by id in memory, read+write', writes: true, keepsCookie: true, keepsSession: true, against: 'koa-session-memory' },
  { name: 'by-id-redis', label: 'ours: by id in Redis, read+write', writes: true, keepsCookie: true, keepsSession: true, against: 'koa-session-redis' },
  {
    name: 'by-id-redis-indexed',
    label: 'ours: by id in Redis, indexed by user (5 sessions each), read+write',
    writes: true,
    keepsCookie: true,
    keepsSession: true,
    sessionsPerUser: 5,
    against: 'by-id-redis',
  },
  { name: 'koa-session', label: 'koa-session: signed cookie, read+write', writes: true, keepsSession: true, against: 'koa' },
  { name: 'koa-session-memory', label: 'koa-session: Map store, read+write', writes: true, keepsSession: true, against: 'koa' },
  { name: 'koa-session-redis', label: 'koa-session: ioredis store, read+write', writes: true, keepsSession: true, against: 'koa' },
];

/** @example findVariant('signed').label; // 'ours: signed cookie, read+write' */
export function findVariant(name: string): Variant {
  const variant = VARIANTS.find((candidate) => candidate.name === name);
  if (variant === undefined) throw new Error(`no bench variant "${name}"; known: ${VARIANTS.map((entry) => entry.name).join(', ')}`);
  return variant;
}

/**
 * `names` with what their ratios are taken against (and so on down to bare Koa), in report order: what
 * `--only` runs.
 *
 * @example withBaselines(['encrypted']).map((variant) => variant.name); // ['koa', 'floor-aes', 'encrypted']
 */
export function withBaselines(names: readonly string[]): Variant[] {
  const wanted = new Set<VariantName>();
  for (const name of names) {
    for (let variant: Variant | undefined = findVariant(name); variant !== undefined; variant = variant.against && findVariant(variant.against))
      wanted.add(variant.name);
  }
  return VARIANTS.filter((variant) => wanted.has(variant.name));
}
