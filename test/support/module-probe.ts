/**
 * Run in a fresh process as `node --conditions=source --import tsx test/support/module-probe.ts <generated
 * index.ts> <env as JSON>`: imports the generated module, then calls its `installSessions({ env })`, and
 * prints as one JSON line the files loaded by then, `{ imported, installed }`, each a list of paths.
 *
 * ES modules are seen through a module hook (Node's `module.register`) that reports every URL it loads;
 * CommonJS modules required from a CommonJS module (as ioredis requires its own files) never reach that
 * hook, so `require.cache` is read as well.
 */
import { createRequire, register } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';

const [entry, envJson] = process.argv.slice(2);
if (entry === undefined || envJson === undefined) throw new Error('usage: module-probe.ts <generated index.ts> <env as JSON>');

// Runs on the hooks thread: no access to this module's scope, so it reports through the port it is given.
const HOOKS = `
let port;
export function initialize(data) { port = data.port; }
export async function load(url, context, nextLoad) { port.postMessage(url); return nextLoad(url, context); }
`;
const { port1, port2 } = new MessageChannel();
register(`data:text/javascript,${encodeURIComponent(HOOKS)}`, { data: { port: port2 }, transferList: [port2] });

const requireCache = createRequire(import.meta.url).cache;
const seen = new Set<string>();
function loadedFiles(): string[] {
  for (let message = receiveMessageOnPort(port1); message !== undefined; message = receiveMessageOnPort(port1)) {
    const url = String(message.message);
    if (url.startsWith('file:')) seen.add(fileURLToPath(url));
  }
  for (const path of Object.keys(requireCache)) seen.add(path);
  return [...seen].sort();
}

const generated = (await import(pathToFileURL(entry).href)) as { installSessions(options: object): unknown };
const imported = loadedFiles();
generated.installSessions({ env: JSON.parse(envJson) as Record<string, string>, logger: { warn() {} } });
const installed = loadedFiles();
process.stdout.write(`${JSON.stringify({ imported, installed })}\n`);
// A Redis storage built from a URL keeps reconnecting; nothing else is left to wait for.
process.exit(0);
