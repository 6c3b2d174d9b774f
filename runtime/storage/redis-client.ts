/**
 * The part of an ioredis client (`Redis` or `Cluster`) that `RedisStorage` uses. Written out rather than
 * imported so the declarations an app compiles against never name ioredis, an optional peer: an app with no
 * Redis storage type-checks without it installed, even with `skipLibCheck: false`.
 */
export interface RedisClient {
  /** `ready` once connected; ioredis's other states mean commands would fail or wait. */
  readonly status: string;
  evalsha(sha: string, numKeys: number, ...keysAndArgs: (string | number)[]): Promise<unknown>;
  eval(script: string, numKeys: number, ...keysAndArgs: (string | number)[]): Promise<unknown>;
  del(key: string): Promise<number>;
  quit(): Promise<unknown>;
  disconnect(reconnect?: boolean): void;
  on(event: 'ready' | 'error', listener: (error?: Error) => void): unknown;
  off(event: 'ready' | 'error', listener: (error?: Error) => void): unknown;
}
