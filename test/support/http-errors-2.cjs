/**
 * Preloaded with `node --require` before Koa: resolves http-assert's `http-errors` to the http-errors 2 that
 * Koa itself depends on, as an npm `overrides` entry does in an app (`"overrides": { "http-assert":
 * { "http-errors": "^2.0.0" } }`). Koa 3.3 depends on http-assert 1.5, which pins http-errors 1.x, whose
 * depd 1.x builds a function with eval() as it loads: without this, Koa itself cannot load under
 * `node --disallow-code-generation-from-strings`. typed-sessions does not use http-assert; an app that calls
 * `ctx.assert(value, status, message)` would get a TypeError from http-errors 2 with this in place.
 */
const Module = require('node:module');
const { dirname, sep } = require('node:path');

const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function resolveHttpErrors2(request, parent, ...rest) {
  const fromHttpAssert = request === 'http-errors' && parent?.filename?.includes(`${sep}http-assert${sep}`);
  if (!fromHttpAssert) return resolveFilename.call(this, request, parent, ...rest);
  // Resolve as from the folder that holds http-assert, which is where Koa's own http-errors is found.
  const besideHttpAssert = dirname(dirname(dirname(parent.filename)));
  return resolveFilename.call(this, request, { ...parent, paths: Module._nodeModulePaths(besideHttpAssert) }, ...rest);
};
