const preset = require('../../jest.preset.cjs');

// Medusa's test runners share one process-wide metadata store and database connection: one file at a time.
module.exports = {
  ...preset,
  displayName: 'medusa',
  testTimeout: 60_000,
  maxWorkers: 1,
  setupFiles: ['<rootDir>/test/support/setup-env.ts'],
  setupFilesAfterEnv: ['<rootDir>/test/support/setup-medusa.ts'],
  modulePathIgnorePatterns: ['<rootDir>/.medusa/'],
};
