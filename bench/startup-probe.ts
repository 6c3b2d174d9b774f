/**
 * Run as `node --conditions=source --import tsx bench/startup-probe.ts <generated index.ts>` in a fresh
 * process: prints, as one JSON line, the milliseconds spent importing the generated module (with the
 * runtime it pulls in) and calling its `installSessions()`, which derives every key and builds every
 * session pipeline (the validators come compiled by `gen`).
 */
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { generateKey } from '../runtime/keygen.js';

const entry = process.argv[2];
if (entry === undefined) throw new Error('usage: bench/startup-probe.ts <path of a generated index.ts>');
// Every key ring the measured specs name: ours (base64url) and the demo's Ktor ring (hex, HMAC).
const env = {
  SESSION_KEYS: generateKey(),
  KTOR_SIGN_KEY: randomBytes(32).toString('hex'),
};

const importStart = performance.now();
const generated = (await import(pathToFileURL(entry).href)) as { installSessions(options: { env: typeof env }): unknown };
const installStart = performance.now();
generated.installSessions({ env });
const end = performance.now();
process.stdout.write(`${JSON.stringify({ importMs: installStart - importStart, installMs: end - installStart })}\n`);
