export * from './service.js';
export * from './registry.js';
export * from './admitter.js';
export * from './object-store.js';
export * from './keys.js';
export type { ListRequestOptions } from './list.js';
export * from './serviceaccount-token.js';
