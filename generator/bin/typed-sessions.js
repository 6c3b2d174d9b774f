#!/usr/bin/env node
// The installed `typed-sessions` command: a thin launcher for the compiled CLI in dist/.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(cli)) {
  // Only a git checkout can get here: the published package always contains dist/.
  const root = fileURLToPath(new URL('..', import.meta.url));
  process.stderr.write(
    `typed-sessions: the package is not built (dist/cli.js is missing); run \`npm run build\` in ${root}\n`,
  );
  process.exit(1);
}
const { runCli } = await import(cli.href);
process.exitCode = await runCli(process.argv.slice(2));
