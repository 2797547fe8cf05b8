module.exports = { ...require('../../jest.preset.cjs'), displayName: 'shopify', testTimeout: 60_000 };
