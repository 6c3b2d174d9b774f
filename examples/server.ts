/**
 * Starts the demo app: `npm run demo`. Without SESSION_KEYS it makes a throw-away development key and
 * says so; with NODE_ENV=production it refuses to start without one. With REDIS_URL set, the cart's
 * sessions live in Redis (shared by every instance of the app); without it, in memory.
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { RedisStorage, SessionConfigError, generateKey } from 'typed-sessions';
import { createApp } from './app.js';

const port = Number(process.env.PORT ?? 3000);
const production = process.env.NODE_ENV === 'production';
const keys: Record<string, string> = {};
if (!process.env.SESSION_KEYS && !production) {
  keys.main = generateKey();
  console.log(
    'SESSION_KEYS is not set: using a throw-away development key, so sessions end when the server stops.\n' +
      'For real use: export SESSION_KEYS=$(npx typed-sessions keygen)\n',
  );
}
// The Ktor service's signing key (hex, as in its install(Sessions) block); a throw-away one stands in for development.
if (!process.env.KTOR_SIGN_KEY && !production) {
  keys.ktor_sign = randomBytes(32).toString('hex');
  console.log('KTOR_SIGN_KEY is not set: using a throw-away Ktor key for the migration demo.\n');
}

// sessions.yaml declares the cart's storage `mem` as memory; an instance passed here takes its place.
const redisUrl = process.env.REDIS_URL;
const redis = redisUrl ? new RedisStorage(redisUrl) : undefined;
if (redis) {
  const where = new URL(redisUrl!).host;
  try {
    await redis.ready();
  } catch (error) {
    console.error(`Cannot start: Redis at ${where} is unreachable (${(error as Error).message})`);
    process.exit(1);
  }
  console.log(`Cart sessions: Redis at ${where} (REDIS_URL).\n`);
} else {
  console.log('Cart sessions: in memory. To keep them in Redis: export REDIS_URL=redis://127.0.0.1:6379\n');
}

let app;
try {
  app = createApp({ keys, storages: redis ? { mem: redis } : undefined });
} catch (error) {
  if (!(error instanceof SessionConfigError)) throw error;
  console.error(`Cannot start: ${error.message}`);
  process.exit(1);
}

const server = app.listen(port, '127.0.0.1', () => {
  const url = `http://localhost:${(server.address() as AddressInfo).port}`;
  console.log(`typed-sessions demo on ${url}

Log in and out in a browser: ${url}/
Sign in from two browsers as one name, then sign one out from the other: ${url}/devices
Or with curl (the user session is an encrypted cookie):
  curl -i -c jar -d name=Ada ${url}/login
  curl -b jar ${url}/me
  curl -i -b jar -c jar -X POST ${url}/logout

Moving off Ktor: POST /ktor/login plays the Ktor service and issues user_session in Ktor's format;
the next request re-issues the user as USER_SESSION and expires user_session:
  curl -i -c jar -d name=Ada ${url}/ktor/login
  curl -i -b jar -c jar ${url}/me

The cart is carried by the X-Cart-Session header, by id in memory storage:
  curl -i -X POST '${url}/cart/items?sku=apple&qty=2'        # note the X-Cart-Session response header
  curl -H 'X-Cart-Session: <id>' -X POST '${url}/cart/items?sku=pear&qty=1'
  curl -H 'X-Cart-Session: <id>' ${url}/cart

Ctrl-C to stop.`);
});
