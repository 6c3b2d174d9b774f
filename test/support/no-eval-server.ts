/**
 * A Koa app on a generated module, for a child process under `node --disallow-code-generation-from-strings`
 * (test/runtime/precompiled-validators.test.ts). argv[2] is the generated index.ts. `PUT /NAME` sets the JSON
 * body as session NAME: 204, or 422 with `{ name, path, message }` of the error. `GET /NAME` answers
 * `{ value }`. Prints `listening PORT` once it serves.
 */
import { pathToFileURL } from 'node:url';
import Koa from 'koa';

// The premise of the test: this process cannot turn a string into code. Checked before our code loads.
try {
  new Function('');
  throw new Error('code generation from strings is allowed: run with --disallow-code-generation-from-strings');
} catch (error) {
  if (!(error instanceof EvalError)) throw error;
}

const entry = process.argv[2];
if (entry === undefined) throw new Error('usage: no-eval-server.ts <generated index.ts>');
const generated = (await import(pathToFileURL(entry).href)) as { installSessions(options: object): Koa.Middleware };

interface AnySessions {
  get(name: string): unknown;
  set(name: string, value: unknown): void;
}

const app = new Koa();
app.use(generated.installSessions({ env: {} }));
app.use(async function routes(ctx) {
  const name = ctx.path.slice(1);
  const sessions = ctx.sessions as unknown as AnySessions;
  if (ctx.method === 'GET') {
    ctx.body = { value: sessions.get(name) ?? null };
    return;
  }
  const chunks: Buffer[] = [];
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) chunks.push(chunk);
  try {
    sessions.set(name, JSON.parse(Buffer.concat(chunks).toString('utf8')));
    ctx.status = 204;
  } catch (error) {
    const { name: errorName, path, message } = error as { name: string; path?: string; message: string };
    ctx.status = 422;
    ctx.body = { name: errorName, path, message };
  }
});
const server = app.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (address !== null && typeof address === 'object') process.stdout.write(`listening ${address.port}\n`);
});
