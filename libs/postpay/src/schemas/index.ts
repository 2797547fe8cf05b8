export * from './common.js';
export * from './checkouts.js';
export * from './filters.js';
export * from './orders.js';
export * from './settlements.js';
export * from './hooks.js';
