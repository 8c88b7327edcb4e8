export * from './path-element.js';
export * from './field-set.js';
export * from './schema-types.js';
export * from './typed-value.js';
export * from './updater.js';
export * from './managed-fields.js';
