module.exports = { ...require('../../jest.preset.cjs'), displayName: 'shopify-app', testTimeout: 90_000 };
