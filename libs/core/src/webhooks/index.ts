export * from './transition.js';
export * from './pipeline.js';
export * from './reconciler.js';
export * from './signature.js';
