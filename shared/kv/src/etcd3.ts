// Etcd3KV: the KV on a real etcd cluster through the `etcd3` npm client's raw RPC clients.
//
// The builders of the etcd3 package hide what kapi needs (range_end + limit + revision together,
// failure branches of txns, prev_kv on watches, watch start revisions after a reconnect), so this
// driver talks to the KV, Watch and Maintenance services directly over the package's connection
// pool. The pool spreads calls over all endpoints, retries transport failures on another member
// and briefly skips a failing member (etcd3-policy.ts), so losing one member of three keeps the
// KV working.
//
// Writes are single txns: create = compare mod_revision == 0; update/delete = compare
// mod_revision == expected; the failure branch reads the key in the same txn, so a failed write
// returns the kv that beat it. Note that the pool retries a write whose member failed before
// answering; if the first attempt had been applied, the retry fails its compare and reports
// succeeded: false (a conflict) for a write that happened, never the reverse.

import { ConnectionPool } from 'etcd3/lib/connection-pool.js';
import {
  KVClient,
  MaintenanceClient,
  type IKeyValue,
  type IOptions,
  type IRangeRequest,
  type IResponseOp,
} from 'etcd3';
import {
  KVError,
  type KV,
  type KeyValue,
  type RangeOptions,
  type RangeResult,
  type TxnResult,
  type Watch,
  type WatchHandler,
} from './kv.js';
import { mapEtcdError, toKVError, versionSupportsRequestProgress } from './etcd3-errors.js';
import { faultHandling } from './etcd3-policy.js';
import { EtcdWatch, fromEtcdKv, type WatchStream, type WatchTransport } from './etcd3-watch.js';
import { DEFAULT_MAX_REQUEST_BYTES, checkRevision, checkWriteSize, copyBytes, prefixSpan } from './util.js';

export interface Etcd3KVOptions {
  /** Client URLs of the members, e.g. http://127.0.0.1:2379. */
  endpoints: string[];
  /** How long connect() waits for the cluster to answer (default 5000 ms). */
  dialTimeoutMs?: number;
  /** Deadline of each unary RPC attempt (default 10000 ms). */
  requestTimeoutMs?: number;
  /** How long a broken watch keeps reconnecting before it ends with Unavailable (default 30 s). */
  watchRetryMs?: number;
  /** Largest key + value a write may carry; the server's --max-request-bytes (default 1.5 MiB). */
  maxRequestBytes?: number;
}

/** A key no kapi object uses: its range is the cheapest way to read a header revision. */
const PROBE_KEY = Buffer.from([0]);
/** Idempotent reads are retried this long on Unavailable (leader elections take ~1-2 s). */
const READ_RETRY_MS = 3000;

export class Etcd3KV implements KV {
  readonly driver = 'etcd3' as const;
  private readonly pool: ConnectionPool;
  private readonly kv: KVClient;
  private readonly maintenance: MaintenanceClient;
  private readonly requestTimeoutMs: number;
  private readonly watchRetryMs: number;
  private readonly maxRequestBytes: number;
  private readonly watches = new Set<EtcdWatch>();
  private readonly transport: WatchTransport;
  /** A revision the store is known to be compacted to (a lower bound of the real one). */
  private knownCompacted = 0;
  private progressSupport: { value: boolean; until: number } | undefined;
  private progressCheck: Promise<boolean> | undefined;
  private closed = false;

  /** Connects and waits until the cluster answers a read (Unavailable after dialTimeoutMs). */
  static async connect(opts: Etcd3KVOptions): Promise<Etcd3KV> {
    const kv = new Etcd3KV(opts);
    const deadline = Date.now() + (opts.dialTimeoutMs ?? 5000);
    for (;;) {
      try {
        await kv.call(() => kv.kv.range({ key: PROBE_KEY, count_only: true }));
        return kv;
      } catch (err) {
        const mapped = mapEtcdError(err);
        if (!mapped || !['Unavailable', 'Timeout'].includes(mapped.code) || Date.now() > deadline) {
          await kv.close();
          throw mapped ?? err;
        }
        await sleep(100);
      }
    }
  }

  private constructor(private readonly opts: Etcd3KVOptions) {
    if (opts.endpoints.length === 0) throw new Error('etcd3: no endpoints');
    this.requestTimeoutMs = opts.requestTimeoutMs ?? 10_000;
    this.watchRetryMs = opts.watchRetryMs ?? 30_000;
    this.maxRequestBytes = opts.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES;
    this.pool = new ConnectionPool(poolOptions(opts.endpoints, this.requestTimeoutMs));
    this.kv = new KVClient(this.pool);
    this.maintenance = new MaintenanceClient(this.pool);
    this.transport = {
      open: () => this.openWatchStream(),
      supportsRequestProgress: () => this.supportsRequestProgress(),
      noteCompacted: (revision) => {
        this.knownCompacted = Math.max(this.knownCompacted, revision);
      },
      retryMs: this.watchRetryMs,
      startTimeoutMs: this.requestTimeoutMs,
    };
  }

  async get(key: string, opts: { revision?: number } = {}): Promise<{ kv: KeyValue | undefined; revision: number }> {
    const req: IRangeRequest = { key: Buffer.from(key) };
    if (opts.revision) {
      checkRevision('revision', opts.revision);
      req.revision = opts.revision;
    }
    const res = await this.read(() => this.kv.range(req));
    const kv = res.kvs[0];
    return { kv: kv ? fromEtcdKv(kv) : undefined, revision: opts.revision || Number(res.header.revision) };
  }

  async range(start: string, opts: RangeOptions = {}): Promise<RangeResult> {
    const req: IRangeRequest = { key: Buffer.from(start) };
    if (opts.end !== undefined) req.range_end = Buffer.from(opts.end);
    if (opts.limit && opts.limit > 0) req.limit = opts.limit;
    if (opts.revision) {
      checkRevision('revision', opts.revision);
      req.revision = opts.revision;
    }
    if (opts.keysOnly) req.keys_only = true;
    if (opts.countOnly) req.count_only = true;
    const res = await this.read(() => this.kv.range(req));
    return {
      kvs: res.kvs.map((kv) => fromEtcdKv(kv, opts.keysOnly === true)),
      more: res.more,
      count: Number(res.count),
      revision: opts.revision || Number(res.header.revision),
    };
  }

  async create(key: string, value: Uint8Array): Promise<TxnResult> {
    this.checkOpen();
    checkWriteSize(key, value, this.maxRequestBytes);
    const k = Buffer.from(key);
    const res = await this.call(() =>
      this.kv.txn({
        compare: [{ key: k, target: 'Mod', result: 'Equal', mod_revision: 0 }],
        success: [{ request_put: { key: k, value: asBuffer(value) } }],
        failure: [{ request_range: { key: k } }],
      }),
    );
    const revision = Number(res.header.revision);
    if (!res.succeeded) return failed(revision, res.responses[0]);
    return { succeeded: true, revision, kv: { key, value: copyBytes(value), createRevision: revision, modRevision: revision, version: 1 } };
  }

  async update(key: string, value: Uint8Array, expectedModRevision: number): Promise<TxnResult> {
    this.checkOpen();
    checkWriteSize(key, value, this.maxRequestBytes);
    if (!(expectedModRevision > 0)) return this.currentAsFailure(key);
    const k = Buffer.from(key);
    const res = await this.call(() =>
      this.kv.txn({
        compare: [{ key: k, target: 'Mod', result: 'Equal', mod_revision: expectedModRevision }],
        success: [{ request_put: { key: k, value: asBuffer(value), prev_kv: true } }],
        failure: [{ request_range: { key: k } }],
      }),
    );
    const revision = Number(res.header.revision);
    if (!res.succeeded) return failed(revision, res.responses[0]);
    const prev = res.responses[0]?.response_put?.prev_kv;
    const prevKv = prev ? fromEtcdKv(prev) : undefined;
    const result: TxnResult = {
      succeeded: true,
      revision,
      kv: {
        key,
        value: copyBytes(value),
        createRevision: prevKv ? prevKv.createRevision : revision,
        modRevision: revision,
        version: prevKv ? prevKv.version + 1 : 1,
      },
    };
    if (prevKv) result.prevKv = prevKv;
    return result;
  }

  async delete(key: string, expectedModRevision?: number): Promise<TxnResult> {
    this.checkOpen();
    const k = Buffer.from(key);
    if (expectedModRevision === undefined) {
      const res = await this.call(() => this.kv.deleteRange({ key: k, prev_kv: true }));
      const revision = Number(res.header.revision);
      const prev = res.prev_kvs[0];
      if (Number(res.deleted) === 0 || !prev) return { succeeded: false, revision };
      return { succeeded: true, revision, prevKv: fromEtcdKv(prev) };
    }
    if (!(expectedModRevision > 0)) return this.currentAsFailure(key);
    const res = await this.call(() =>
      this.kv.txn({
        compare: [{ key: k, target: 'Mod', result: 'Equal', mod_revision: expectedModRevision }],
        success: [{ request_delete_range: { key: k, prev_kv: true } }],
        failure: [{ request_range: { key: k } }],
      }),
    );
    const revision = Number(res.header.revision);
    if (!res.succeeded) return failed(revision, res.responses[0]);
    const prev = res.responses[0]?.response_delete_range?.prev_kvs[0];
    const result: TxnResult = { succeeded: true, revision };
    if (prev) result.prevKv = fromEtcdKv(prev);
    return result;
  }

  async watch(prefix: string, fromRevision: number, handler: WatchHandler): Promise<Watch> {
    this.checkOpen();
    checkRevision('fromRevision', fromRevision);
    const span = prefixSpan(prefix);
    const w = new EtcdWatch(this.transport, Buffer.from(span.start), Buffer.from(span.end ?? '\0'), fromRevision, {
      onEvents: (events) => handler.onEvents(events),
      onProgress: (revision) => handler.onProgress?.(revision),
      onError: (err) => {
        this.watches.delete(w);
        handler.onError(err);
      },
    });
    this.watches.add(w);
    try {
      await w.start();
    } catch (err) {
      this.watches.delete(w);
      throw toKVError(err);
    }
    return {
      requestProgress: () => w.requestProgress(),
      close: async () => {
        this.watches.delete(w);
        await w.close();
      },
    };
  }

  async compact(revision: number): Promise<void> {
    this.checkOpen();
    checkRevision('revision', revision);
    await this.call(() => this.kv.compact({ revision }));
    this.knownCompacted = Math.max(this.knownCompacted, revision);
  }

  async currentRevision(): Promise<number> {
    const res = await this.read(() => this.kv.range({ key: PROBE_KEY, count_only: true }));
    return Number(res.header.revision);
  }

  /** etcd does not report its compacted revision directly: find the oldest revision a read is
   * still allowed at (reads below the compacted revision fail), by binary search between the
   * last known compacted revision and the current one (a few cheap count-only reads). */
  async compactedRevision(): Promise<number> {
    const current = await this.currentRevision();
    let lo = Math.max(1, this.knownCompacted);
    let hi = current;
    if (lo > hi) return this.knownCompacted;
    if (await this.readableAt(lo)) return lo > 1 ? lo : this.knownCompacted;
    // readableAt(lo) is false and readableAt(hi) is true (the current revision is never compacted).
    while (hi - lo > 1) {
      const mid = lo + Math.floor((hi - lo) / 2);
      if (await this.readableAt(mid)) hi = mid;
      else lo = mid;
    }
    this.knownCompacted = Math.max(this.knownCompacted, hi);
    return hi;
  }

  /** Ends every watch (Closed) and closes the connections. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const err = new KVError('Closed', 'kv is closed');
    for (const w of [...this.watches]) w.endWith(err);
    this.watches.clear();
    this.pool.close();
  }

  // internals

  private checkOpen(): void {
    if (this.closed) throw new KVError('Closed', 'kv is closed');
  }

  /** Runs one RPC, mapping its errors; Compacted errors get the compacted revision. */
  private async call<T>(rpc: () => Promise<T>): Promise<T> {
    this.checkOpen();
    try {
      return await rpc();
    } catch (err) {
      const mapped = mapEtcdError(err);
      if (!mapped) throw err;
      if (mapped.code === 'Compacted' && mapped.compactRevision === undefined && !this.closed) {
        const compacted = await this.compactedRevision().catch(() => undefined);
        if (compacted !== undefined) throw new KVError('Compacted', mapped.message, compacted);
      }
      throw mapped;
    }
  }

  /** call() for idempotent reads, retried with backoff while the cluster is between leaders. */
  private async read<T>(rpc: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + READ_RETRY_MS;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.call(rpc);
      } catch (err) {
        const retryable = err instanceof KVError && err.code === 'Unavailable';
        if (!retryable || this.closed || Date.now() > deadline) throw err;
        await sleep(Math.min(500, 50 * 2 ** attempt));
      }
    }
  }

  private async readableAt(revision: number): Promise<boolean> {
    try {
      await this.read(() => this.kv.range({ key: PROBE_KEY, revision, count_only: true }));
      return true;
    } catch (err) {
      if (err instanceof KVError && err.code === 'Compacted') return false;
      throw err;
    }
  }

  private async currentAsFailure(key: string): Promise<TxnResult> {
    const { kv, revision } = await this.get(key);
    return kv ? { succeeded: false, revision, kv } : { succeeded: false, revision };
  }

  private async openWatchStream(): Promise<{ stream: WatchStream; markFailed(err: Error): void }> {
    this.checkOpen();
    return this.pool.withConnection('Watch', ({ resource, client, metadata }) => {
      const md = metadata.clone();
      // etcd's rpctypes.MetadataRequireLeaderKey: cancel the stream when the member has no leader.
      md.set('hasleader', 'true');
      // The pool hands out the generic grpc.Client; the Watch service client generated from
      // etcd's rpc.proto has the bidirectional `watch(metadata, options)` method.
      const stream = (client as unknown as { watch(md: unknown, opts: object): WatchStream }).watch(md, {});
      return {
        stream,
        markFailed: (err: Error) => {
          const mapped = mapEtcdError(err);
          if (mapped && mapped.code !== 'Closed') this.pool.markFailed(resource, err);
        },
      };
    });
  }

  /** Whether every member runs an etcd whose RequestProgress answer is ordered after the events
   * it covers. Members that cannot be asked count as "no"; the answer is cached for 10 minutes
   * (30 s while some member did not answer). */
  private supportsRequestProgress(): Promise<boolean> {
    const cached = this.progressSupport;
    if (cached && Date.now() < cached.until) return Promise.resolve(cached.value);
    this.progressCheck ??= (async () => {
      let allAnswered = true;
      let supported = true;
      for (const endpoint of this.opts.endpoints) {
        const pool = new ConnectionPool(poolOptions([endpoint], 2000));
        try {
          const status = await new MaintenanceClient(pool).status();
          if (!versionSupportsRequestProgress(status.version)) supported = false;
        } catch {
          allAnswered = false;
          supported = false;
        } finally {
          pool.close();
        }
      }
      this.progressSupport = { value: supported, until: Date.now() + (allAnswered ? 600_000 : 30_000) };
      return supported;
    })().finally(() => {
      this.progressCheck = undefined;
    });
    return this.progressCheck;
  }

  /** The etcd version of some member (for diagnostics). */
  async serverVersion(): Promise<string> {
    const status = await this.call(() => this.maintenance.status());
    return status.version;
  }
}

function poolOptions(endpoints: string[], requestTimeoutMs: number): IOptions {
  return {
    hosts: endpoints,
    grpcOptions: {
      // Lists and watch batches can be far larger than gRPC's 4 MiB default (etcd's own client
      // allows 2 GiB).
      'grpc.max_receive_message_length': 2 ** 31 - 1,
      // kube-apiserver's keepalive: detect a dead member on an idle watch stream.
      'grpc.keepalive_time_ms': 30_000,
      'grpc.keepalive_timeout_ms': 10_000,
    },
    defaultCallOptions: (context) => (context.isStream ? {} : { deadline: Date.now() + requestTimeoutMs }),
    faultHandling: faultHandling(),
  };
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function failed(revision: number, response: IResponseOp | undefined): TxnResult {
  const current: IKeyValue | undefined = response?.response_range?.kvs[0];
  return current ? { succeeded: false, revision, kv: fromEtcdKv(current) } : { succeeded: false, revision };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
