module.exports = { ...require('../../jest.preset.cjs'), displayName: 'express-store', testTimeout: 60_000 };
