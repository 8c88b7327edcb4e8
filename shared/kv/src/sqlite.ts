// SqliteKV: the embedded store (kapi up). One MVCC log table like kine's, in a WAL-mode SQLite
// file through better-sqlite3.
//
// Layout: every write appends a row whose id is the new revision (AUTOINCREMENT: an id is never
// reused, whatever compaction deletes; sqlite_sequence holds the current revision). A key's
// state at revision R is its row with the largest id <= R, absent when that row is a tombstone.
// prev_revision links a row to the live row it replaced, which gives watch events their prevKv
// without storing every old value twice (kine's old_value column): compaction at C only deletes
// rows superseded at or below C and tombstones below C, so the row an event above C points at
// is always still there. version is stored because etcd's KeyValue has it.
//
// Writes: better-sqlite3 is synchronous, so writes are queued and applied in groups, in order,
// inside one IMMEDIATE transaction (compare-and-swap per write, one commit and one fsync per
// group). A promise resolves only after its group committed. The queue is bounded.
//
// Durability (measured on this 2-core VM, ext4, 1 KiB values, medians of 3 runs while other
// work shared the machine): with 64 writes in flight and group commit, synchronous=FULL gave
// ~34,000 creates/s and ~27,000 updates/s, NORMAL ~39,000 and ~32,000; one write at a time,
// FULL ~1,700/s, NORMAL ~6,000/s (reads ~42,000 gets/s either way). In WAL mode NORMAL already
// survives a process crash (a committed transaction is in the OS page cache); FULL also survives
// power loss and kernel crashes. Group commit keeps FULL within ~15% of NORMAL under load, so
// FULL is the default: an acknowledged write survives the machine too, as with etcd.
//
// Watches read the log (see watch-hub.ts): woken after each local commit, plus a poll of the
// current revision so rows written by another process on the same file are seen too.

import Database from 'better-sqlite3';
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
  unbounded,
  type KeySpan,
} from './util.js';
import { WatchHub, type LogEvent, type LogReader, type WatchHubOptions } from './watch-hub.js';

export interface SqliteKVOptions extends WatchHubOptions {
  /** 'FULL' (default) survives power loss; 'NORMAL' survives a process crash only. */
  synchronous?: 'FULL' | 'NORMAL';
  /** Largest key + value accepted by a write (default: etcd's 1.5 MiB). */
  maxRequestBytes?: number;
  /** Writes waiting for their group commit; more fail with Unavailable (default 16384). */
  maxQueuedWrites?: number;
  /** Writes per transaction (default 512). */
  maxBatch?: number;
  /** How long a write waits for another process's lock before failing (default 5000 ms); the
   * wait is synchronous in better-sqlite3, so it blocks the event loop meanwhile. */
  busyTimeoutMs?: number;
}

type Op =
  | { kind: 'create'; key: string; value: Buffer }
  | { kind: 'update'; key: string; value: Buffer; expected: number }
  | { kind: 'delete'; key: string; expected: number | undefined };

interface QueuedWrite {
  op: Op;
  resolve(result: TxnResult): void;
  reject(err: unknown): void;
}

/** A row as selected for reads (value absent for keys-only reads). */
interface StateRow {
  id: number;
  name: string;
  deleted: number;
  create_revision: number;
  version: number;
  value?: Buffer;
}

interface LogRow {
  id: number;
  name: string;
  deleted: number;
  create_revision: number;
  version: number;
  value: Buffer;
  p_id: number | null;
  p_create: number | null;
  p_version: number | null;
  p_value: Buffer | null;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS kv (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  created INTEGER NOT NULL,
  deleted INTEGER NOT NULL,
  create_revision INTEGER NOT NULL,
  prev_revision INTEGER NOT NULL,
  version INTEGER NOT NULL,
  value BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS kv_name_id ON kv (name, id, deleted);
CREATE TABLE IF NOT EXISTS kv_meta (
  name TEXT PRIMARY KEY,
  value INTEGER NOT NULL
) WITHOUT ROWID;
`;

/** Row ids examined per physical-compaction transaction. */
const COMPACT_WINDOW = 2000;

export class SqliteKV implements KV {
  readonly driver = 'sqlite' as const;
  private readonly db: Database.Database;
  private readonly maxRequestBytes: number;
  private readonly maxQueuedWrites: number;
  private readonly maxBatch: number;
  private readonly hub: WatchHub;
  private queue: QueuedWrite[] = [];
  private flushScheduled: NodeJS.Immediate | undefined;
  private compacting: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly stmt: ReturnType<typeof prepareStatements>;
  private readonly rangeStatements = new Map<string, Database.Statement>();
  private readonly applyBatch: (writes: QueuedWrite[]) => TxnResult[];
  private readonly readLogTxn: (after: number, upTo: number, limit: number, span?: KeySpan) => LogEvent[];
  private readonly getTxn: (key: string, revision: number | undefined) => { kv: KeyValue | undefined; revision: number };
  private readonly rangeTxn: (start: string, opts: RangeOptions) => RangeResult;

  constructor(readonly path: string, opts: SqliteKVOptions = {}) {
    this.maxRequestBytes = opts.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES;
    this.maxQueuedWrites = opts.maxQueuedWrites ?? 16384;
    this.maxBatch = opts.maxBatch ?? 512;
    this.db = new Database(path, { timeout: opts.busyTimeoutMs ?? 5000 });
    try {
      this.db.pragma('journal_mode = WAL');
      this.db.pragma(`synchronous = ${opts.synchronous ?? 'FULL'}`);
      this.db.pragma('cache_size = -16384');
      this.db.exec(SCHEMA);
      this.stmt = prepareStatements(this.db);
    } catch (err) {
      this.db.close();
      throw err;
    }
    const batchTxn = this.db.transaction((writes: QueuedWrite[]) => {
      let revision = this.revisionNow();
      const results: TxnResult[] = [];
      for (const w of writes) {
        const result = this.apply(w.op, revision);
        revision = result.revision;
        results.push(result);
      }
      return results;
    });
    this.applyBatch = (writes) => batchTxn.immediate(writes);
    // Deferred (read) transactions: the compacted-revision check and the rows come from one
    // snapshot, even when another process compacts meanwhile.
    this.readLogTxn = this.db.transaction((after: number, upTo: number, limit: number, span?: KeySpan) =>
      this.readLogNow(after, upTo, limit, span),
    );
    this.getTxn = this.db.transaction((key: string, revision: number | undefined) => this.getNow(key, revision));
    this.rangeTxn = this.db.transaction((start: string, opts: RangeOptions) => this.rangeNow(start, opts));
    const reader: LogReader = {
      currentRevision: () => this.revisionNow(),
      readLog: (after, upTo, limit, span) => this.readLogTxn(after, upTo, limit, span),
    };
    this.hub = new WatchHub(reader, { pollIntervalMs: 1000, ...opts });
  }

  async get(key: string, opts: { revision?: number } = {}): Promise<{ kv: KeyValue | undefined; revision: number }> {
    this.checkOpen();
    // A read at the current revision needs no snapshot: compaction never removes a key's
    // newest row unless it is a tombstone, which reads as absent anyway.
    return opts.revision ? this.getTxn(key, opts.revision) : this.getNow(key, undefined);
  }

  async range(start: string, opts: RangeOptions = {}): Promise<RangeResult> {
    this.checkOpen();
    return this.rangeTxn(start, opts);
  }

  create(key: string, value: Uint8Array): Promise<TxnResult> {
    return this.enqueue(() => {
      checkWriteSize(key, value, this.maxRequestBytes);
      return { kind: 'create', key, value: copyBytes(value) };
    });
  }

  update(key: string, value: Uint8Array, expectedModRevision: number): Promise<TxnResult> {
    return this.enqueue(() => {
      checkWriteSize(key, value, this.maxRequestBytes);
      return { kind: 'update', key, value: copyBytes(value), expected: expectedModRevision };
    });
  }

  delete(key: string, expectedModRevision?: number): Promise<TxnResult> {
    return this.enqueue(() => ({ kind: 'delete', key, expected: expectedModRevision }));
  }

  async watch(prefix: string, fromRevision: number, handler: WatchHandler): Promise<Watch> {
    this.checkOpen();
    checkRevision('fromRevision', fromRevision);
    return this.hub.watch(prefix, fromRevision, handler);
  }

  /** Marks history below `revision` compacted (reads and watches below it fail from then on),
   * then deletes the superseded rows in small transactions so writers are not held up. */
  compact(revision: number): Promise<void> {
    const run = this.compacting.then(() => this.compactNow(revision));
    this.compacting = run.catch(() => undefined);
    return run;
  }

  async currentRevision(): Promise<number> {
    this.checkOpen();
    return this.revisionNow();
  }

  async compactedRevision(): Promise<number> {
    this.checkOpen();
    return this.meta('compact_revision');
  }

  /** Commits queued writes, ends every watch (Closed) and closes the file. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.flushScheduled) clearImmediate(this.flushScheduled);
    this.flushScheduled = undefined;
    while (this.queue.length > 0) this.flush();
    await this.compacting;
    this.hub.close(new KVError('Closed', 'kv is closed'));
    this.db.close();
  }

  // writes

  private enqueue(build: () => Op): Promise<TxnResult> {
    return new Promise<TxnResult>((resolve, reject) => {
      if (this.closed) throw new KVError('Closed', 'kv is closed');
      if (this.queue.length >= this.maxQueuedWrites) {
        throw new KVError('Unavailable', `sqlite write queue is full (${this.maxQueuedWrites} writes)`);
      }
      this.queue.push({ op: build(), resolve, reject });
      this.flushScheduled ??= setImmediate(() => {
        this.flushScheduled = undefined;
        this.flush();
      });
    });
  }

  /** Applies one group of queued writes in one transaction, then settles their promises. */
  private flush(): void {
    const batch = this.queue.splice(0, this.maxBatch);
    if (batch.length === 0) return;
    let results: TxnResult[];
    try {
      results = this.applyBatch(batch);
    } catch (err) {
      // Rolled back: none of these writes happened.
      const failure = new KVError('Unavailable', `sqlite write failed: ${err instanceof Error ? err.message : String(err)}`);
      for (const w of batch) w.reject(failure);
      results = [];
    }
    for (let i = 0; i < results.length; i++) batch[i]!.resolve(results[i]!);
    if (results.length > 0) this.hub.poke();
    if (this.queue.length > 0 && !this.closed) {
      this.flushScheduled ??= setImmediate(() => {
        this.flushScheduled = undefined;
        this.flush();
      });
    }
  }

  /** One compare-and-swap write inside the group transaction; `revision` is the store revision
   * before it. */
  private apply(op: Op, revision: number): TxnResult {
    const latest = this.stmt.latest.get(op.key) as StateRow | undefined;
    const live = latest && !latest.deleted ? latest : undefined;
    const fail = (): TxnResult => (live ? { succeeded: false, revision, kv: kvOf(live) } : { succeeded: false, revision });
    const next = revision + 1;
    switch (op.kind) {
      case 'create': {
        if (live) return fail();
        this.stmt.insert.run(next, op.key, 1, 0, next, 0, 1, op.value);
        return { succeeded: true, revision: next, kv: { key: op.key, value: op.value, createRevision: next, modRevision: next, version: 1 } };
      }
      case 'update': {
        if (!live || live.id !== op.expected) return fail();
        const version = live.version + 1;
        this.stmt.insert.run(next, op.key, 0, 0, live.create_revision, live.id, version, op.value);
        return {
          succeeded: true,
          revision: next,
          kv: { key: op.key, value: op.value, createRevision: live.create_revision, modRevision: next, version },
          prevKv: kvOf(live),
        };
      }
      case 'delete': {
        if (!live || (op.expected !== undefined && live.id !== op.expected)) return fail();
        this.stmt.insert.run(next, op.key, 0, 1, live.create_revision, live.id, live.version, EMPTY);
        return { succeeded: true, revision: next, prevKv: kvOf(live) };
      }
    }
  }

  // compaction

  private async compactNow(revision: number): Promise<void> {
    this.checkOpen();
    checkRevision('revision', revision);
    // Deliver what the watches still need before rows can disappear under them.
    this.hub.flush();
    this.db.transaction(() => {
      const compacted = this.meta('compact_revision');
      if (revision <= compacted) {
        throw new KVError('Compacted', 'mvcc: required revision has been compacted', compacted);
      }
      if (revision > this.revisionNow()) {
        throw new KVError('FutureRevision', 'mvcc: required revision is a future revision');
      }
      this.stmt.setMeta.run('compact_revision', revision);
    }).immediate();
    // Physical deletion, resumable: compact_done records how far it got.
    const step = this.db.transaction((lo: number, hi: number) => {
      this.stmt.deleteSuperseded.run(lo, hi);
      this.stmt.deleteTombstones.run(lo, hi, revision);
      this.stmt.setMeta.run('compact_done', hi);
    });
    for (let lo = this.meta('compact_done'); lo < revision && !this.closed; ) {
      const hi = Math.min(lo + COMPACT_WINDOW, revision);
      step.immediate(lo, hi);
      lo = hi;
      if (lo < revision) await new Promise((resolve) => setImmediate(resolve));
    }
  }

  // reads

  private checkOpen(): void {
    if (this.closed) throw new KVError('Closed', 'kv is closed');
  }

  private revisionNow(): number {
    return (this.stmt.revision.get() as { seq: number } | undefined)?.seq ?? 0;
  }

  private meta(name: string): number {
    return (this.stmt.getMeta.get(name) as { value: number } | undefined)?.value ?? 0;
  }

  private readRevision(requested: number | undefined): number {
    const current = this.revisionNow();
    if (!requested) return current;
    checkRevision('revision', requested);
    const compacted = this.meta('compact_revision');
    if (requested < compacted) throw new KVError('Compacted', 'mvcc: required revision has been compacted', compacted);
    if (requested > current) throw new KVError('FutureRevision', 'mvcc: required revision is a future revision');
    return requested;
  }

  private getNow(key: string, revision: number | undefined): { kv: KeyValue | undefined; revision: number } {
    const at = this.readRevision(revision);
    const row = this.stmt.stateAt.get(key, at) as StateRow | undefined;
    return { kv: row && !row.deleted ? kvOf(row) : undefined, revision: at };
  }

  private rangeNow(start: string, opts: RangeOptions): RangeResult {
    const span: KeySpan = { start, end: opts.end };
    const at = this.readRevision(opts.revision);
    const params = { ...spanParams(span), rev: at };
    const count = (this.rangeStatement(span, 'count').get(params) as { n: number }).n;
    if (opts.countOnly) return { kvs: [], more: false, count, revision: at };
    const limit = opts.limit && opts.limit > 0 ? opts.limit : -1;
    const rows = this.rangeStatement(span, opts.keysOnly ? 'keys' : 'kvs').all({ ...params, limit }) as StateRow[];
    return { kvs: rows.map(kvOf), more: count > rows.length, count, revision: at };
  }

  private rangeStatement(span: KeySpan, shape: 'count' | 'keys' | 'kvs'): Database.Statement {
    const bound = span.end === undefined ? 'one' : unbounded(span) ? 'from' : 'between';
    const id = `${bound}/${shape}`;
    let stmt = this.rangeStatements.get(id);
    if (!stmt) {
      const nameCond =
        bound === 'one' ? 'k.name = @start' : bound === 'from' ? 'k.name >= @start' : 'k.name >= @start AND k.name < @end';
      // A row is the state at @rev when no newer row of its key is at or below @rev.
      const where = `${nameCond} AND k.id <= @rev AND k.deleted = 0
        AND NOT EXISTS (SELECT 1 FROM kv n WHERE n.name = k.name AND n.id > k.id AND n.id <= @rev)`;
      const columns = shape === 'kvs' ? 'k.id, k.name, k.create_revision, k.version, k.value' : 'k.id, k.name, k.create_revision, k.version';
      const sql =
        shape === 'count'
          ? `SELECT COUNT(*) AS n FROM kv k WHERE ${where}`
          : `SELECT ${columns} FROM kv k WHERE ${where} ORDER BY k.name LIMIT @limit`;
      stmt = this.db.prepare(sql);
      this.rangeStatements.set(id, stmt);
    }
    return stmt;
  }

  private readLogNow(after: number, upTo: number, limit: number, span?: KeySpan): LogEvent[] {
    const compacted = this.meta('compact_revision');
    if (after + 1 < compacted) throw new KVError('Compacted', 'mvcc: required revision has been compacted', compacted);
    const rows = (
      span
        ? this.stmt.logInSpan(span).all({ after, upTo, limit, ...spanParams(span) })
        : this.stmt.log.all({ after, upTo, limit })
    ) as LogRow[];
    return rows.map((row) => ({ revision: row.id, key: row.name, event: eventOf(row) }));
  }
}

function prepareStatements(db: Database.Database) {
  const logColumns = `c.id, c.name, c.deleted, c.create_revision, c.version, c.value,
    p.id AS p_id, p.create_revision AS p_create, p.version AS p_version, p.value AS p_value`;
  const logFrom = 'FROM kv c LEFT JOIN kv p ON p.id = c.prev_revision AND c.prev_revision > 0';
  const logSpan = new Map<string, Database.Statement>();
  return {
    revision: db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'kv'"),
    getMeta: db.prepare('SELECT value FROM kv_meta WHERE name = ?'),
    setMeta: db.prepare('INSERT INTO kv_meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value'),
    latest: db.prepare('SELECT id, name, deleted, create_revision, version, value FROM kv WHERE name = ? ORDER BY id DESC LIMIT 1'),
    stateAt: db.prepare(
      'SELECT id, name, deleted, create_revision, version, value FROM kv WHERE name = ? AND id <= ? ORDER BY id DESC LIMIT 1',
    ),
    insert: db.prepare(
      'INSERT INTO kv (id, name, created, deleted, create_revision, prev_revision, version, value) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    log: db.prepare(`SELECT ${logColumns} ${logFrom} WHERE c.id > @after AND c.id <= @upTo ORDER BY c.id LIMIT @limit`),
    logInSpan(span: KeySpan): Database.Statement {
      const bound = span.end === undefined ? 'one' : unbounded(span) ? 'from' : 'between';
      let stmt = logSpan.get(bound);
      if (!stmt) {
        const nameCond =
          bound === 'one' ? 'c.name = @start' : bound === 'from' ? 'c.name >= @start' : 'c.name >= @start AND c.name < @end';
        stmt = db.prepare(
          `SELECT ${logColumns} ${logFrom} WHERE c.id > @after AND c.id <= @upTo AND ${nameCond} ORDER BY c.id LIMIT @limit`,
        );
        logSpan.set(bound, stmt);
      }
      return stmt;
    },
    // Rows in (lo, hi] name the row they replaced; every such row is superseded at hi.
    deleteSuperseded: db.prepare(
      'DELETE FROM kv WHERE id IN (SELECT prev_revision FROM kv WHERE id > ? AND id <= ? AND prev_revision > 0)',
    ),
    // Tombstones below the compacted revision: the key is absent there without them. The lower
    // bound is inclusive because a tombstone exactly at the previous compacted revision was kept
    // (a watch from that revision still needed it) and is due now.
    deleteTombstones: db.prepare('DELETE FROM kv WHERE id >= ? AND id <= ? AND deleted = 1 AND id < ?'),
  };
}

/** Named parameters @start and @end for a span's statement. */
function spanParams(span: KeySpan): Record<string, string> {
  const params: Record<string, string> = { start: span.start };
  if (span.end !== undefined && !unbounded(span)) params['end'] = span.end;
  return params;
}

function kvOf(row: StateRow): KeyValue {
  return {
    key: row.name,
    value: row.value ?? Buffer.alloc(0),
    createRevision: row.create_revision,
    modRevision: row.id,
    version: row.version,
  };
}

function eventOf(row: LogRow): WatchEvent {
  const prevKv: KeyValue | undefined =
    row.p_id !== null
      ? { key: row.name, value: row.p_value ?? Buffer.alloc(0), createRevision: row.p_create ?? 0, modRevision: row.p_id, version: row.p_version ?? 0 }
      : undefined;
  const kv: KeyValue = row.deleted
    ? { key: row.name, value: Buffer.alloc(0), createRevision: 0, modRevision: row.id, version: 0 }
    : { key: row.name, value: row.value, createRevision: row.create_revision, modRevision: row.id, version: row.version };
  const event: WatchEvent = { type: row.deleted ? 'delete' : 'put', kv };
  if (prevKv) event.prevKv = prevKv;
  return event;
}
