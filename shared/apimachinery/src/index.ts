export * from './types.js';
export * from './status.js';
export * from './errors.js';
export * from './names.js';
export * from './labels.js';
export * from './fields.js';
export * from './resource-version.js';
export * from './meta.js';
