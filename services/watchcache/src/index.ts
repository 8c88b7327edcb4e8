// The watchcache service: per-resource caches fed by KV watch, serving list/get/watch and
// publishing watch events on the bus (DESIGN.md "Read" and "Watch" paths).

export * from './ring.js';
export * from './resource-cache.js';
export * from './service.js';
export * from './watch-rpc.js';
export * from './publisher-leases.js';
export * from './read-rpc.js';
