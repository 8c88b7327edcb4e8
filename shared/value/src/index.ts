export * from './transformer.js';
