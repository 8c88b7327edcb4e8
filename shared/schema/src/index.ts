export * from './types.js';
export * from './catalogue.js';
export * from './openapi.js';
export * from './openapi-served.js';
