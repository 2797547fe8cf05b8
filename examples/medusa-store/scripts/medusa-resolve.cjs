// Preloaded (node --require) by every Medusa command of this example inside the Tijara monorepo.
//
// In this monorepo npm installs @medusajs/utils nested under several @medusajs packages (their exact pins differ
// from what the workspace root resolves first) and hoists none, which Medusa does not expect: some commands fail
// with "Cannot find module '@medusajs/utils'". The root keeps one graphql (16, pinned by `overrides` in the root
// package.json, so Medusa and the Shopify app's fake never meet schema objects of two copies). This points every
// request for either at the copy @medusajs/framework uses.
// A Medusa app installed on its own (outside this monorepo) does not need it.
const Module = require('node:module');
const targets = require('./medusa-shared-deps.cjs');

function redirect(request) {
  for (const [name, dir] of Object.entries(targets)) {
    if (request === name || request.startsWith(`${name}/`)) return dir + request.slice(name.length);
  }
  return request;
}

// Both hooks: `require()` (ts-node's resolver replaces _resolveFilename without calling back into it) and
// `require.resolve()`, which goes through _resolveFilename.
const load = Module.prototype.require;
Module.prototype.require = function requireMedusaShared(request) {
  return load.call(this, redirect(request));
};
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function resolveMedusaShared(request, ...rest) {
  return resolveFilename.call(this, redirect(request), ...rest);
};
