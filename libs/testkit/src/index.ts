export * from './store-battery.js';
export * from './ledger-battery.js';
export * from './transport-battery.js';
export * from './driver-conformance.js';
export * from './loopback.js';
export * from './readme-examples.js';
export * from './spawn-ts.js';
export * from './browser.js';
