// Preloaded (node --require) by every Medusa command of this example inside the Tijara monorepo.
//
// The workspace root holds graphql 17 for the Shopify app, so npm cannot hoist Medusa's graphql 16: it nests a
// copy of graphql and of @medusajs/utils under several @medusajs packages and hoists neither. Medusa's packages
// expect both hoisted: some fail with "Cannot find module '@medusajs/utils'", others meet schema objects made by
// another graphql copy ("from another module or realm"). This points every request for them at one copy each.
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
