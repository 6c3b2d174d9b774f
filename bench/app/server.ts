/**
 * One benchmark server in a process of its own, as plain JavaScript in the installed app:
 * `node server.js <variant>`, started by the parent (bench/server-process.ts) with an IPC channel. It
 * listens on a free loopback port and answers:
 *
 *   parent -> { type: 'cpu' }   child -> { type: 'cpu', micros }   this process's CPU time so far (user + system)
 *   parent -> { type: 'stop' }  the child closes its server and exits (writing its --cpu-prof profile, if any)
 *
 * Its first message is { type: 'listening', port }.
 */
import type { AddressInfo } from 'node:net';
import type { VariantName } from '../variants.js';
import { BUILDS } from './builds.js';
import type { ParentMessage, ServerMessage } from './protocol.js';

const name = process.argv[2] ?? '';
const build = Object.hasOwn(BUILDS, name) ? BUILDS[name as VariantName] : undefined;
const key = process.env.BENCH_SESSION_KEYS;
const redisUrl = process.env.BENCH_REDIS_URL;
if (build === undefined || key === undefined || redisUrl === undefined || process.send === undefined) {
  throw new Error('server.js <variant> is started by bench/run.ts, with BENCH_SESSION_KEYS, BENCH_REDIS_URL and an IPC channel');
}
const send = (message: ServerMessage) => process.send!(message);

const built = await (await build())({ key, redisUrl });
const server = built.app.listen(0, '127.0.0.1', () => {
  send({ type: 'listening', port: (server.address() as AddressInfo).port });
});
// Keep-alive connections from the load generator must outlive the pauses between its windows.
server.keepAliveTimeout = 60_000;

process.on('message', (message: ParentMessage) => {
  if (message.type === 'cpu') {
    const usage = process.cpuUsage();
    send({ type: 'cpu', micros: usage.user + usage.system });
  } else if (message.type === 'stop') {
    server.closeAllConnections();
    server.close(() => void built.close().finally(() => process.exit(0)));
  }
});
