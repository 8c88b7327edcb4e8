export * from './kv.js';
export { DEFAULT_MAX_REQUEST_BYTES } from './util.js';
export { MemoryKV, type MemoryKVOptions } from './memory.js';
export { SqliteKV, type SqliteKVOptions } from './sqlite.js';
export { Etcd3KV, type Etcd3KVOptions } from './etcd3.js';
export { openKV, type KVConfig } from './open.js';
export { startCompactor, COMPACT_REV_KEY, type Compactor, type CompactorOptions } from './compactor.js';
export type { WatchHubOptions } from './watch-hub.js';
