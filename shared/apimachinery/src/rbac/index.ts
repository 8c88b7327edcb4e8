export * from './types.js';
export * from './rules.js';
export * from './resolver.js';
export * from './escalation.js';
