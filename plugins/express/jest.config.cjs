module.exports = { ...require('../../jest.preset.cjs'), displayName: 'express', testTimeout: 30_000 };
