export * from './types.js';
export * from './catalogue.js';
export * from './openapi.js';
export * from './protobuf/index.js';
export * from './patch-types.js';
export * from './openapi-served.js';
export * as structuredMerge from './structured-merge/index.js';
