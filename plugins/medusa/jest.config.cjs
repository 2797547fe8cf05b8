const path = require('node:path');
const preset = require('../../jest.preset.cjs');

// The workspace root holds graphql 17 (for the Shopify app), so npm nests a graphql 16 under each Medusa package,
// and Medusa then meets schema objects from another graphql copy ("another module or realm"). Every graphql
// import in these tests resolves to the one copy @medusajs/framework uses.
const graphql = path.dirname(
  require.resolve('graphql/package.json', { paths: [require.resolve('@medusajs/framework')] }),
);

// Medusa's test runners share one process-wide metadata store and database connection: one file at a time.
module.exports = {
  ...preset,
  moduleNameMapper: {
    '^graphql$': path.join(graphql, 'index.js'),
    '^graphql/(.*)$': `${graphql}/$1`,
    ...preset.moduleNameMapper,
  },
  displayName: 'medusa',
  testTimeout: 60_000,
  maxWorkers: 1,
  setupFiles: ['<rootDir>/test/support/setup-env.ts'],
  setupFilesAfterEnv: ['<rootDir>/test/support/setup-medusa.ts'],
  modulePathIgnorePatterns: ['<rootDir>/.medusa/'],
};
