// Where the one graphql 16 and the one @medusajs/utils of this install live: the copies @medusajs/framework
// uses. See medusa-resolve.cjs for why the Medusa commands (and jest.config.cjs for why the tests) need them.
const path = require('node:path');

// @medusajs/framework exports no ./package.json: its directory is the one above its dist/.
const entry = require.resolve('@medusajs/framework');
const framework = entry.slice(0, entry.lastIndexOf(`${path.sep}dist${path.sep}`));

function packageDir(name) {
  const resolved = require.resolve(name, { paths: [framework] });
  const marker = `${path.sep}node_modules${path.sep}${name.split('/').join(path.sep)}${path.sep}`;
  return resolved.slice(0, resolved.lastIndexOf(marker) + marker.length - 1);
}

module.exports = { graphql: packageDir('graphql'), '@medusajs/utils': packageDir('@medusajs/utils') };
