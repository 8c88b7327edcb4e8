export * from './service.js';
export * from './api-client.js';
export * from './leader-election.js';
export * from './namespaces.js';
export type { ApiserverEndpoint } from './kubernetes-service.js';
