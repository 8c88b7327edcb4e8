export * from './ports.js';
export * from './etcd.js';
export * from './nats.js';
export * from './kv-conformance.js';
