/**
 * One benchmark server in a process of its own: `node --import tsx bench/server.ts <variant>`, with an
 * IPC channel to the parent (bench/server-process.ts). It listens on a free loopback port and answers:
 *
 *   parent -> { type: 'cpu' }   child -> { type: 'cpu', micros }   this process's CPU time so far (user + system)
 *   parent -> { type: 'stop' }  the child closes its server and exits (writing its --cpu-prof profile, if any)
 *
 * Its first message is { type: 'listening', port }.
 */
import type { AddressInfo } from 'node:net';
import { findVariant } from './variants.js';
import type { ParentMessage, ServerMessage } from './server-protocol.js';

const variant = findVariant(process.argv[2] ?? '');
const key = process.env.BENCH_SESSION_KEYS;
const redisUrl = process.env.BENCH_REDIS_URL;
if (key === undefined || redisUrl === undefined || process.send === undefined) {
  throw new Error('bench/server.ts is started by bench/run.ts, with BENCH_SESSION_KEYS, BENCH_REDIS_URL and an IPC channel');
}
const send = (message: ServerMessage) => process.send!(message);

const built = await variant.build({ key, redisUrl });
const server = built.app.listen(0, '127.0.0.1', () => {
  send({ type: 'listening', port: (server.address() as AddressInfo).port });
});
// Keep-alive connections from the load generator must outlive a measured window's pauses.
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
