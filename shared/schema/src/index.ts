export * from './types.js';
export * from './catalogue.js';
export * from './openapi.js';
export * as structuredMerge from './structured-merge/index.js';
