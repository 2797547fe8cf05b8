export * from './endpoint.js';
export * from './field-details.js';
export * from './client.js';
