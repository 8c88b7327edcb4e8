export * from './chain.js';
export * from './defaulter.js';
export * from './schema-validator.js';
export * from './pool.js';
export * from './service.js';
export type { AdmissionWorkerData, ReviewResult, ReviewTask } from './worker.js';
export * from './types/index.js';
export { resolveAdmissionPlugins, ALL_ORDERED_PLUGINS } from './plugins/index.js';
