import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Where `cutAt` cuts the exchange of the command it picks out: `command`, before the server sees it;
 * `reply`, after the server ran it, before its client hears so; `none`, not at all (the reply is delivered,
 * after `then` has run).
 */
export type CutPoint = 'command' | 'reply' | 'none';

interface ArmedCut {
  readonly marker: Buffer;
  readonly drop: CutPoint;
  readonly then: () => void;
  readonly fired: () => void;
  /** The connection (its server side) the picked command went out on, once it has. */
  sentOn?: Socket;
}

/**
 * A TCP proxy on loopback that injects faults between a client and a server (security.md #45-#48):
 * latency, a black hole, refused connections, dropped connections, and a cut at one chosen command.
 * Point the client at `port`.
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
  #armed: ArmedCut | undefined = undefined;

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

  /** Forwards everything as it comes, without delay, and disarms `cutAt`: the state after `start`. */
  passThrough(): void {
    this.#mode = 'pass';
    this.#delayMs = 0;
    this.#armed = undefined;
  }

  /**
   * Arms a one-shot fault at the next command from a client whose bytes hold `marker` (a Lua script's SHA
   * picks out one step of a write that takes several): every open connection drops and new ones are refused
   * (until `passThrough`) at `drop`, as a network failure or a crashed server there would, and `then` runs at
   * that moment, before anything more passes this proxy (to fail another server at the same point). The reply
   * is the next bytes the server sends on that connection, which holds while a client's commands on it go one
   * at a time. Resolves once it has fired.
   *
   * @example
   * const lost = proxy.cutAt(joinScript.sha, 'reply'); // the index write lands; its client never hears so
   */
  cutAt(marker: string, drop: CutPoint, then: () => void = () => {}): Promise<void> {
    return new Promise((fired) => {
      this.#armed = { marker: Buffer.from(marker), drop, then, fired };
    });
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
    this.#pipe(client, upstream, (chunk) => this.#atCommand(chunk, upstream));
    this.#pipe(upstream, client, () => this.#atReply(upstream));
  }

  /** Whether `chunk`, on its way to the server over `upstream`, is the armed command and stops here. */
  #atCommand(chunk: Buffer, upstream: Socket): boolean {
    const armed = this.#armed;
    if (armed === undefined || armed.sentOn !== undefined || !chunk.includes(armed.marker)) return false;
    if (armed.drop !== 'command') {
      armed.sentOn = upstream;
      return false;
    }
    this.#fire(armed);
    return true;
  }

  /** Whether the bytes `upstream` sends now, the reply to the armed command, stop here. */
  #atReply(upstream: Socket): boolean {
    const armed = this.#armed;
    if (armed?.sentOn !== upstream) return false;
    this.#fire(armed);
    return armed.drop === 'reply';
  }

  #fire(armed: ArmedCut): void {
    this.#armed = undefined;
    armed.then();
    if (armed.drop !== 'none') {
      this.refuse();
      this.resetAll();
    }
    armed.fired();
  }

  /**
   * Forwards `from` to `to` in order, each chunk held for the delay in force when it arrived, unless `stops`
   * says a fault keeps it from going on.
   */
  #pipe(from: Socket, to: Socket, stops: (chunk: Buffer) => boolean): void {
    let forwarded = Promise.resolve();
    from.on('data', (chunk: Buffer) => {
      if (this.#mode === 'blackhole' || stops(chunk)) return;
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
