export * from './common.js';
export * from './purchases.js';
export * from './clients.js';
export * from './billing.js';
export * from './account.js';
export * from './webhooks.js';
