const preset = require('../../jest.preset.cjs');
const shared = require('./scripts/medusa-shared-deps.cjs');

// One copy of graphql and of @medusajs/utils for Medusa (scripts/medusa-resolve.cjs says why). Medusa's test runner
// boots the whole app in this process: one file at a time.
module.exports = {
  ...preset,
  displayName: 'medusa-store',
  testMatch: ['<rootDir>/integration-tests/**/*.test.ts'],
  testTimeout: 120_000,
  maxWorkers: 1,
  setupFiles: ['<rootDir>/integration-tests/support/setup-env.ts'],
  setupFilesAfterEnv: ['<rootDir>/integration-tests/support/setup-medusa.ts'],
  modulePathIgnorePatterns: ['<rootDir>/.medusa/'],
  moduleNameMapper: {
    '^graphql$': `${shared.graphql}/index.js`,
    '^graphql/(.*)$': `${shared.graphql}/$1`,
    '^@medusajs/utils$': `${shared['@medusajs/utils']}/dist/index.js`,
    '^@medusajs/utils/(.*)$': `${shared['@medusajs/utils']}/$1`,
    ...preset.moduleNameMapper,
  },
};
