// MemoryKV: an in-process MVCC store with etcd's semantics, for tests and throwaway servers.
//
// Every write appends one row to the log; each key keeps its rows in revision order, so reads at
// an older revision and watches from an older revision work until compaction removes what they
// need. Nothing survives the process.

import {
  KVError,
  type KV,
  type KeyValue,
  type RangeOptions,
  type RangeResult,
  type TxnResult,
  type Watch,
  type WatchEvent,
  type WatchHandler,
} from './kv.js';
import {
  DEFAULT_MAX_REQUEST_BYTES,
  EMPTY,
  checkRevision,
  checkWriteSize,
  copyBytes,
  inSpan,
  type KeySpan,
} from './util.js';
import { WatchHub, type LogEvent, type LogReader, type WatchHubOptions } from './watch-hub.js';

export interface MemoryKVOptions extends WatchHubOptions {
  /** Largest key + value accepted by a write (default: etcd's 1.5 MiB). */
  maxRequestBytes?: number;
}

/** One write. Tombstones (deleted) carry the deleted kv's createRevision and version. */
interface Row {
  revision: number;
  key: string;
  deleted: boolean;
  createRevision: number;
  version: number;
  value: Buffer;
  /** The live row this write replaced (updates and deletes), while history still has it. */
  prev: Row | undefined;
}

export class MemoryKV implements KV {
  readonly driver = 'memory' as const;
  private readonly maxRequestBytes: number;
  /** Every row still in history, ascending by revision (gaps after compaction). */
  private log: Row[] = [];
  /** Per key: its rows, ascending by revision. */
  private readonly history = new Map<string, Row[]>();
  /** Keys that have rows, sorted. */
  private keys: string[] = [];
  private revision = 0;
  private compacted = 0;
  private closed = false;
  private readonly hub: WatchHub;

  constructor(opts: MemoryKVOptions = {}) {
    this.maxRequestBytes = opts.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES;
    const reader: LogReader = {
      currentRevision: () => this.revision,
      readLog: (after, upTo, limit, span) => this.readLog(after, upTo, limit, span),
    };
    this.hub = new WatchHub(reader, opts);
  }

  async get(key: string, opts: { revision?: number } = {}): Promise<{ kv: KeyValue | undefined; revision: number }> {
    const at = this.readRevision(opts.revision);
    const row = this.rowAt(key, at);
    return { kv: row && !row.deleted ? kvOf(row, false) : undefined, revision: at };
  }

  async range(start: string, opts: RangeOptions = {}): Promise<RangeResult> {
    const at = this.readRevision(opts.revision);
    const span: KeySpan = { start, end: opts.end };
    const limit = opts.limit && opts.limit > 0 ? opts.limit : Infinity;
    const kvs: KeyValue[] = [];
    let count = 0;
    for (let i = lowerBound(this.keys, start); i < this.keys.length; i++) {
      const key = this.keys[i]!;
      if (!inSpan(key, span)) break;
      const row = this.rowAt(key, at);
      if (!row || row.deleted) continue;
      count++;
      if (!opts.countOnly && kvs.length < limit) kvs.push(kvOf(row, opts.keysOnly === true));
    }
    return { kvs, more: !opts.countOnly && count > kvs.length, count, revision: at };
  }

  async create(key: string, value: Uint8Array): Promise<TxnResult> {
    this.checkOpen();
    checkWriteSize(key, value, this.maxRequestBytes);
    const latest = this.latest(key);
    if (latest && !latest.deleted) return { succeeded: false, revision: this.revision, kv: kvOf(latest, false) };
    const row = this.append(key, false, 0, 0, copyBytes(value), undefined);
    return { succeeded: true, revision: row.revision, kv: kvOf(row, false) };
  }

  async update(key: string, value: Uint8Array, expectedModRevision: number): Promise<TxnResult> {
    this.checkOpen();
    checkWriteSize(key, value, this.maxRequestBytes);
    const latest = this.latest(key);
    const live = latest && !latest.deleted ? latest : undefined;
    if (!live || live.revision !== expectedModRevision) {
      return this.failed(live);
    }
    const row = this.append(key, false, live.createRevision, live.version, copyBytes(value), live);
    return { succeeded: true, revision: row.revision, kv: kvOf(row, false), prevKv: kvOf(live, false) };
  }

  async delete(key: string, expectedModRevision?: number): Promise<TxnResult> {
    this.checkOpen();
    const latest = this.latest(key);
    const live = latest && !latest.deleted ? latest : undefined;
    if (!live || (expectedModRevision !== undefined && live.revision !== expectedModRevision)) {
      return this.failed(live);
    }
    const row = this.append(key, true, live.createRevision, live.version, EMPTY, live);
    return { succeeded: true, revision: row.revision, prevKv: kvOf(live, false) };
  }

  async watch(prefix: string, fromRevision: number, handler: WatchHandler): Promise<Watch> {
    this.checkOpen();
    checkRevision('fromRevision', fromRevision);
    return this.hub.watch(prefix, fromRevision, handler);
  }

  async compact(revision: number): Promise<void> {
    this.checkOpen();
    checkRevision('revision', revision);
    if (revision <= this.compacted) {
      throw new KVError('Compacted', 'mvcc: required revision has been compacted', this.compacted);
    }
    if (revision > this.revision) throw new KVError('FutureRevision', 'mvcc: required revision is a future revision');
    this.hub.flush();
    this.compacted = revision;
    // Drop, per key, the rows superseded by a row at or below `revision`, and tombstones below
    // it: what remains answers every read at or after `revision` (a tombstone exactly at it
    // stays so a watch from `revision` still sees that delete).
    const dropped = new Set<Row>();
    for (const [key, rows] of this.history) {
      let newest = -1;
      for (let i = 0; i < rows.length && rows[i]!.revision <= revision; i++) newest = i;
      if (newest < 0) continue;
      const row = rows[newest]!;
      const keepFrom = row.deleted && row.revision < revision ? newest + 1 : newest;
      for (let i = 0; i < keepFrom; i++) dropped.add(rows[i]!);
      if (keepFrom === rows.length) this.history.delete(key);
      else if (keepFrom > 0) this.history.set(key, rows.slice(keepFrom));
    }
    if (dropped.size === 0) return;
    this.log = this.log.filter((row) => {
      if (row.prev && dropped.has(row.prev)) row.prev = undefined;
      return !dropped.has(row);
    });
    this.keys = this.keys.filter((key) => this.history.has(key));
  }

  async currentRevision(): Promise<number> {
    this.checkOpen();
    return this.revision;
  }

  async compactedRevision(): Promise<number> {
    this.checkOpen();
    return this.compacted;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.hub.close(new KVError('Closed', 'kv is closed'));
  }

  // internals

  private readLog(after: number, upTo: number, limit: number, span?: KeySpan): LogEvent[] {
    if (after + 1 < this.compacted) {
      throw new KVError('Compacted', 'mvcc: required revision has been compacted', this.compacted);
    }
    const out: LogEvent[] = [];
    for (let i = lowerBoundRevision(this.log, after + 1); i < this.log.length && out.length < limit; i++) {
      const row = this.log[i]!;
      if (row.revision > upTo) break;
      if (span && !inSpan(row.key, span)) continue;
      out.push({ revision: row.revision, key: row.key, event: eventOf(row) });
    }
    return out;
  }

  private checkOpen(): void {
    if (this.closed) throw new KVError('Closed', 'kv is closed');
  }

  private readRevision(requested: number | undefined): number {
    this.checkOpen();
    if (!requested) return this.revision;
    checkRevision('revision', requested);
    if (requested < this.compacted) {
      throw new KVError('Compacted', 'mvcc: required revision has been compacted', this.compacted);
    }
    if (requested > this.revision) throw new KVError('FutureRevision', 'mvcc: required revision is a future revision');
    return requested;
  }

  private failed(live: Row | undefined): TxnResult {
    const result: TxnResult = { succeeded: false, revision: this.revision };
    if (live) result.kv = kvOf(live, false);
    return result;
  }

  private latest(key: string): Row | undefined {
    const rows = this.history.get(key);
    return rows ? rows[rows.length - 1] : undefined;
  }

  /** The key's newest row at or below `revision`. */
  private rowAt(key: string, revision: number): Row | undefined {
    const rows = this.history.get(key);
    if (!rows) return undefined;
    let lo = 0;
    let hi = rows.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (rows[mid]!.revision <= revision) lo = mid + 1;
      else hi = mid;
    }
    return lo > 0 ? rows[lo - 1] : undefined;
  }

  private append(
    key: string,
    deleted: boolean,
    createRevision: number,
    version: number,
    value: Buffer,
    prev: Row | undefined,
  ): Row {
    const revision = ++this.revision;
    const row: Row = {
      revision,
      key,
      deleted,
      createRevision: prev ? createRevision : revision,
      version: deleted ? version : prev ? version + 1 : 1,
      value,
      prev,
    };
    this.log.push(row);
    let rows = this.history.get(key);
    if (!rows) {
      rows = [];
      this.history.set(key, rows);
      this.keys.splice(lowerBound(this.keys, key), 0, key);
    }
    rows.push(row);
    this.hub.poke();
    return row;
  }
}

function kvOf(row: Row, keysOnly: boolean): KeyValue {
  return {
    key: row.key,
    value: keysOnly ? Buffer.alloc(0) : copyBytes(row.value),
    createRevision: row.createRevision,
    modRevision: row.revision,
    version: row.version,
  };
}

function eventOf(row: Row): WatchEvent {
  if (row.deleted) {
    const kv: KeyValue = { key: row.key, value: Buffer.alloc(0), createRevision: 0, modRevision: row.revision, version: 0 };
    return row.prev ? { type: 'delete', kv, prevKv: kvOf(row.prev, false) } : { type: 'delete', kv };
  }
  const kv = kvOf(row, false);
  return row.prev ? { type: 'put', kv, prevKv: kvOf(row.prev, false) } : { type: 'put', kv };
}

/** First index in sorted `keys` whose key is >= `key`. */
function lowerBound(keys: string[], key: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index in `log` whose revision is >= `revision`. */
function lowerBoundRevision(log: Row[], revision: number): number {
  let lo = 0;
  let hi = log.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (log[mid]!.revision < revision) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
