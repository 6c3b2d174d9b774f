import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A TCP proxy on loopback that injects faults between a client and a server (security.md #45-#48):
 * latency, a black hole, refused connections, dropped connections. Point the client at `port`.
 *
 * @example
 * const proxy = await FaultProxy.start(redis.port);
 * const storage = new RedisStorage(`redis://127.0.0.1:${proxy.port}`);
 * proxy.delay(5000); // every byte now arrives five seconds late
 */
export class FaultProxy {
  readonly #server: Server;
  readonly #targetPort: number;
  readonly #sockets = new Set<Socket>();
  #mode: 'pass' | 'blackhole' | 'refuse' = 'pass';
  #delayMs = 0;

  private constructor(server: Server, targetPort: number) {
    this.#server = server;
    this.#targetPort = targetPort;
    server.on('connection', (client) => this.#accept(client));
  }

  /** Listens on a free loopback port and forwards to `127.0.0.1:targetPort`. */
  static async start(targetPort: number): Promise<FaultProxy> {
    const server = createServer();
    const proxy = new FaultProxy(server, targetPort);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    return proxy;
  }

  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  /** Forwards everything as it comes, without delay: the state after `start`. */
  passThrough(): void {
    this.#mode = 'pass';
    this.#delayMs = 0;
  }

  /** Holds every chunk, in both directions and on open connections too, `ms` before forwarding it. */
  delay(ms: number): void {
    this.#mode = 'pass';
    this.#delayMs = ms;
  }

  /** Accepts connections and keeps them open, but forwards nothing either way: a silent network. */
  blackhole(): void {
    this.#mode = 'blackhole';
  }

  /** Closes every new connection as soon as it is accepted; open ones stay until `resetAll`. */
  refuse(): void {
    this.#mode = 'refuse';
  }

  /** Drops every open connection at once, as a network failure or a server restart would. */
  resetAll(): void {
    for (const socket of this.#sockets) socket.destroy();
  }

  /** Drops every connection and stops listening. */
  async close(): Promise<void> {
    this.resetAll();
    await new Promise((resolve) => this.#server.close(resolve));
  }

  #accept(client: Socket): void {
    if (this.#mode === 'refuse') {
      client.destroy();
      return;
    }
    const upstream = connect({ host: '127.0.0.1', port: this.#targetPort });
    for (const socket of [client, upstream]) {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    }
    this.#pipe(client, upstream);
    this.#pipe(upstream, client);
  }

  /** Forwards `from` to `to` in order, each chunk held for the delay in force when it arrived. */
  #pipe(from: Socket, to: Socket): void {
    let forwarded = Promise.resolve();
    from.on('data', (chunk) => {
      if (this.#mode === 'blackhole') return;
      const due = Date.now() + this.#delayMs;
      forwarded = forwarded.then(async () => {
        const wait = due - Date.now();
        // Unreferenced: chunks still held when a test ends do not keep the process alive.
        if (wait > 0) await sleep(wait, undefined, { ref: false });
        if (!to.destroyed) to.write(chunk);
      });
    });
    // An error or close on one side ends the other: the proxy never keeps a half connection alive.
    from.on('error', () => to.destroy());
    from.on('close', () => to.destroy());
  }
}
