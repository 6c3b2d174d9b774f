/**
 * The part of an ioredis client (`Redis` or `Cluster`) that `RedisStorage` uses. Written out rather than
 * imported so the declarations an app compiles against never name ioredis, an optional peer: an app with no
 * Redis storage type-checks without it installed, even with `skipLibCheck: false`.
 */
export interface RedisClient {
  /** `ready` once connected; ioredis's other states mean commands would fail or wait. */
  readonly status: string;
  /** `true` on an ioredis `Cluster`: scripts may then touch only keys of one hash slot. */
  readonly isCluster?: boolean;
  evalsha(sha: string, numKeys: number, ...keysAndArgs: (string | number)[]): Promise<unknown>;
  eval(script: string, numKeys: number, ...keysAndArgs: (string | number)[]): Promise<unknown>;
  del(key: string): Promise<number>;
  /** An entry's fields, for a read that does not slide; without it (or see `options`) such a read is a script. */
  hmget?(key: string, ...fields: string[]): Promise<(string | null)[]>;
  /** An ioredis `Cluster`'s options: with `scaleReads` other than `master`, plain reads may go to a lagging replica. */
  readonly options?: unknown;
  /** An index's members with their join tokens, on a cluster whose entries spread over the slots. */
  hgetall(key: string): Promise<Record<string, string>>;
  quit(): Promise<unknown>;
  disconnect(reconnect?: boolean): void;
  on(event: 'ready' | 'error', listener: (error?: Error) => void): unknown;
  off(event: 'ready' | 'error', listener: (error?: Error) => void): unknown;
}
