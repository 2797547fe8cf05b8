module.exports = { ...require('../../jest.preset.cjs'), displayName: 'express-store' };
