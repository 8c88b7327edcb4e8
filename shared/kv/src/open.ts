// openKV: the one place that turns configuration into a KV driver.

import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { KV } from './kv.js';
import { Etcd3KV, type Etcd3KVOptions } from './etcd3.js';
import { MemoryKV, type MemoryKVOptions } from './memory.js';
import { SqliteKV, type SqliteKVOptions } from './sqlite.js';

export type KVConfig =
  | ({ driver: 'memory' } & MemoryKVOptions)
  | ({ driver: 'sqlite'; path: string } & SqliteKVOptions)
  | ({ driver: 'etcd3'; endpoints: string[]; dialTimeoutMs?: number } & Omit<Etcd3KVOptions, 'endpoints'>);

/** Opens the configured store. sqlite creates the file's directory if needed; etcd3 resolves once
 * the cluster answered (KVError Unavailable after dialTimeoutMs). */
export async function openKV(config: KVConfig): Promise<KV> {
  switch (config.driver) {
    case 'memory': {
      const { driver: _driver, ...opts } = config;
      return new MemoryKV(opts);
    }
    case 'sqlite': {
      const { driver: _driver, path, ...opts } = config;
      if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
      return new SqliteKV(path, opts);
    }
    case 'etcd3': {
      const { driver: _driver, ...opts } = config;
      return Etcd3KV.connect(opts);
    }
    default: {
      const unknown: never = config;
      throw new Error(`unknown kv driver ${(unknown as { driver: string }).driver}`);
    }
  }
}
