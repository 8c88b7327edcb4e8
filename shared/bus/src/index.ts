export * from './bus.js';
export * from './messages.js';
export * from './codec.js';
export * from './subjects.js';
export * from './status-codec.js';
export * from './trace.js';
export * from './in-process-bus.js';
export * from './nats-bus.js';
export type { BusCommonOptions } from './dispatch.js';
