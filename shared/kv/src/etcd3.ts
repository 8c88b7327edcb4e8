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
// returns the kv that beat it.
//
// Nothing acknowledged may be lost and nothing may be applied twice, so writes do not go through
// the pool's retry policy (which resends reads after any transport failure). As etcd's clientv3
// does, a write is sent again only after a failure proving it never reached a member (no
// connection, refused stream; etcd3-policy.ts). Any other failure (the connection dropped after
// the request was sent, a timeout) leaves the outcome unknown: resending would fail the compare
// against our own write and report a conflict (or for generateName, make the registry create a
// second object). Such a write is resolved by linearizable reads of the key instead (resolve*
// below): our write took effect -> success with its revision and kvs; another write won -> the
// real failure; no way to tell -> KVError Unavailable (Timeout after a timeout), never a false
// "compare failed".

import { ConnectionPool } from 'etcd3/lib/connection-pool.js';
import type { CallOptions, Client as GrpcClient, Metadata } from '@grpc/grpc-js';
import {
  KVClient,
  MaintenanceClient,
  castGrpcError,
  type ICompactionRequest,
  type ICompactionResponse,
  type IKeyValue,
  type IOptions,
  type IRangeRequest,
  type IResponseOp,
  type ITxnRequest,
  type ITxnResponse,
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
import { faultHandling, retryUnsent, writeNotApplied } from './etcd3-policy.js';
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
/** When a write whose outcome is unknown left no trace on its key, the key is read again after
 * these pauses (a proposal may still be on its way to the leader) before the answer is
 * "unknown". */
const RESOLVE_DELAYS_MS = [0, 100, 400];

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
  /** The highest header revision of any response so far: a write sent after it was seen gets a
   * higher revision, which tells resolveCreate whether a key predates our create. */
  private seenRevision = 0;
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
    // Every revision seen before the txn is sent is below the txn's own revision.
    const floor = this.seenRevision;
    const res = await this.txnOrResolve(
      {
        compare: [{ key: k, target: 'Mod', result: 'Equal', mod_revision: 0 }],
        success: [{ request_put: { key: k, value: asBuffer(value) } }],
        failure: [{ request_range: { key: k } }],
      },
      () => this.resolveCreate(key, value, floor),
    );
    if (!isTxnResponse(res)) return res;
    const revision = Number(res.header.revision);
    if (!res.succeeded) return failed(revision, res.responses[0]);
    return { succeeded: true, revision, kv: { key, value: copyBytes(value), createRevision: revision, modRevision: revision, version: 1 } };
  }

  async update(key: string, value: Uint8Array, expectedModRevision: number): Promise<TxnResult> {
    this.checkOpen();
    checkWriteSize(key, value, this.maxRequestBytes);
    if (!(expectedModRevision > 0)) return this.currentAsFailure(key);
    const k = Buffer.from(key);
    const res = await this.txnOrResolve(
      {
        compare: [{ key: k, target: 'Mod', result: 'Equal', mod_revision: expectedModRevision }],
        success: [{ request_put: { key: k, value: asBuffer(value), prev_kv: true } }],
        failure: [{ request_range: { key: k } }],
      },
      () => this.resolveUpdate(key, value, expectedModRevision),
    );
    if (!isTxnResponse(res)) return res;
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
    if (expectedModRevision !== undefined) {
      if (!(expectedModRevision > 0)) return this.currentAsFailure(key);
      return this.deleteAt(key, expectedModRevision);
    }
    // Unconditionally: delete the version that is there, with a compare on it, so a write whose
    // outcome is unknown can be resolved like any conditional delete (a bare DeleteRange could
    // not tell "we deleted it" from "someone else did", nor say what it deleted).
    for (;;) {
      const { kv, revision } = await this.get(key);
      if (!kv) return { succeeded: false, revision };
      const result = await this.deleteAt(key, kv.modRevision);
      if (result.succeeded) return result;
      if (!result.kv) return { succeeded: false, revision: result.revision };
      // Written in between: delete the newer version.
    }
  }

  private async deleteAt(key: string, expectedModRevision: number): Promise<TxnResult> {
    const k = Buffer.from(key);
    const res = await this.txnOrResolve(
      {
        compare: [{ key: k, target: 'Mod', result: 'Equal', mod_revision: expectedModRevision }],
        success: [{ request_delete_range: { key: k, prev_kv: true } }],
        failure: [{ request_range: { key: k } }],
      },
      () => this.resolveDelete(key, expectedModRevision),
    );
    if (!isTxnResponse(res)) return res;
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
    // Not resolved when the outcome is unknown: compacting again is harmless (it fails with
    // Compacted, which the compactor expects).
    await this.call(() => this.mutate<ICompactionRequest, ICompactionResponse>('compact', { revision }));
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
      const res = await rpc();
      this.noteHeader(res);
      return res;
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

  private noteHeader(res: unknown): void {
    const revision = Number((res as { header?: { revision?: unknown } } | undefined)?.header?.revision);
    if (revision > this.seenRevision) this.seenRevision = revision;
  }

  /** Sends a mutating KV RPC on some member. Unlike the pool's exec() (used for reads), it is
   * sent again only after a failure proving it never reached a member (retryUnsent). Errors
   * come back unmapped (the etcd3 package's typed errors). */
  private mutate<Req, Res>(method: 'txn' | 'compact', req: Req): Promise<Res> {
    return retryUnsent(() =>
      this.pool.withConnection('KV', ({ client, metadata }) => unaryCall<Req, Res>(client, method, req, metadata, { deadline: Date.now() + this.requestTimeoutMs })),
    );
  }

  /** Runs a compare-and-swap txn. When it fails and may nevertheless have been applied,
   * `resolve` decides from the key's state what happened (undefined: it cannot tell yet);
   * its answer is returned instead of a txn response. */
  private async txnOrResolve(req: ITxnRequest, resolve: () => Promise<TxnResult | undefined>): Promise<ITxnResponse | TxnResult> {
    this.checkOpen();
    try {
      const res = await this.mutate<ITxnRequest, ITxnResponse>('txn', req);
      this.noteHeader(res);
      return res;
    } catch (err) {
      const mapped = mapEtcdError(err);
      if (!mapped) throw err;
      if ((mapped.code !== 'Unavailable' && mapped.code !== 'Timeout') || writeNotApplied(err)) throw mapped;
      return this.settle(mapped, resolve);
    }
  }

  /** Resolves a write whose outcome is unknown with linearizable reads: a write applied before
   * a read started is seen by it. One still on its way (a proposal the failed member forwarded
   * to the leader) can be applied after the read, so a key showing no trace of our write is read
   * again after a moment before the answer is "unknown" (Unavailable; Timeout after a timeout). */
  private async settle(original: KVError, resolve: () => Promise<TxnResult | undefined>): Promise<TxnResult> {
    let reason = 'the key shows no trace of it';
    for (const delay of RESOLVE_DELAYS_MS) {
      if (delay > 0) await sleep(delay);
      try {
        const result = await resolve();
        if (result) return result;
      } catch (err) {
        // History compacted away, or the cluster cannot answer reads either: undecidable.
        if (!(err instanceof KVError) || !['Unavailable', 'Timeout', 'Compacted', 'FutureRevision'].includes(err.code)) throw err;
        reason = `resolving it failed: ${err.message}`;
        break;
      }
    }
    throw new KVError(
      original.code === 'Timeout' ? 'Timeout' : 'Unavailable',
      `etcd write outcome unknown (${original.message}); ${reason}`,
    );
  }

  /** A create (compare mod_revision == 0, put `value`) whose outcome is unknown. */
  private async resolveCreate(key: string, value: Uint8Array, floor: number): Promise<TxnResult | undefined> {
    const { kv: current, revision } = await this.get(key);
    // Absent: not applied yet, or applied and deleted since: cannot tell.
    if (!current) return undefined;
    // Created before the txn was sent and never deleted since: the compare failed.
    if (current.createRevision <= floor) return { succeeded: false, revision, kv: current };
    // Created after the txn was sent: by us iff it was created with our bytes (updated since or
    // not). Values of creates are unique in practice (kube objects carry a uid).
    const created = current.createRevision === current.modRevision ? current : (await this.get(key, { revision: current.createRevision })).kv;
    if (created && created.modRevision === current.createRevision && sameBytes(created.value, value)) {
      const rev = current.createRevision;
      return { succeeded: true, revision: rev, kv: { key, value: copyBytes(value), createRevision: rev, modRevision: rev, version: 1 } };
    }
    return { succeeded: false, revision, kv: current };
  }

  /** An update (compare mod_revision == expected, put `value`) whose outcome is unknown: it took
   * effect iff the first write to the key after `expected` put our value. */
  private async resolveUpdate(key: string, value: Uint8Array, expected: number): Promise<TxnResult | undefined> {
    const current = await this.get(key);
    if (current.kv?.modRevision === expected) return undefined; // nothing written yet
    const first = await this.firstWriteAfter(key, expected, current);
    if (first === 'compacted') {
      // History gone: the same incarnation of the key, written since, now holding our bytes.
      const kv = current.kv;
      if (kv && kv.createRevision <= expected && kv.modRevision > expected && sameBytes(kv.value, value)) {
        return { succeeded: true, revision: kv.modRevision, kv };
      }
      return undefined;
    }
    if (first?.kv && sameBytes(first.kv.value, value)) {
      const result: TxnResult = { succeeded: true, revision: first.revision, kv: first.kv };
      if (first.before) result.prevKv = first.before;
      return result;
    }
    return currentAsFailed(current);
  }

  /** A delete (compare mod_revision == expected) whose outcome is unknown: it took effect iff the
   * first write to the key after `expected` deleted it. (A concurrent delete with the same
   * expectation is indistinguishable from ours, and leaves the store as ours would have.) */
  private async resolveDelete(key: string, expected: number): Promise<TxnResult | undefined> {
    const current = await this.get(key);
    if (current.kv?.modRevision === expected) return undefined; // nothing written yet
    const first = await this.firstWriteAfter(key, expected, current);
    if (first === 'compacted') {
      // History gone: the key is gone, or was deleted and created again, since `expected`.
      const kv = current.kv;
      if (!kv || kv.createRevision > expected) return { succeeded: true, revision: current.revision };
      return undefined;
    }
    if (first && !first.kv) {
      const result: TxnResult = { succeeded: true, revision: first.revision };
      if (first.before) result.prevKv = first.before;
      return result;
    }
    return currentAsFailed(current);
  }

  /**
   * The first write to `key` after revision `expected`, given the key's current state, which
   * shows that there was one. It is the only write a txn comparing mod_revision == expected can
   * be (afterwards the key never has that mod revision again). Found in the key's history: its
   * state at a revision r still has modRevision `expected` exactly while r is below that write,
   * so a binary search between `expected` and the key's last write finds it; the first probe
   * is just below the last write, which settles the common case (one write since) in one read.
   * Returns the write's revision, the key after it (undefined: deleted) and before it;
   * undefined when the key had no write at `expected` (the compare can never have held);
   * 'compacted' when that history is gone.
   */
  private async firstWriteAfter(
    key: string,
    expected: number,
    current: { kv: KeyValue | undefined; revision: number },
  ): Promise<{ revision: number; kv: KeyValue | undefined; before: KeyValue | undefined } | undefined | 'compacted'> {
    if (expected >= current.revision) return undefined;
    try {
      const before = (await this.get(key, { revision: expected })).kv;
      if (before?.modRevision !== expected) return undefined;
      // Invariant: the key is unchanged at lo and changed at hi, where it is hiKv.
      let lo = expected;
      let hi = current.kv ? current.kv.modRevision : current.revision;
      let hiKv = current.kv;
      let mid = hi - 1;
      while (hi - lo > 1) {
        const { kv } = await this.get(key, { revision: mid });
        if (kv?.modRevision === expected) lo = mid;
        else {
          hi = mid;
          hiKv = kv;
        }
        mid = lo + Math.floor((hi - lo) / 2);
      }
      return { revision: hi, kv: hiKv, before };
    } catch (err) {
      if (err instanceof KVError && err.code === 'Compacted') return 'compacted';
      throw err;
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

/** One unary call on a client of the pool (the pool's exec() without its retry policy). */
function unaryCall<Req, Res>(client: GrpcClient, method: string, req: Req, metadata: Metadata, options: CallOptions): Promise<Res> {
  return new Promise((resolve, reject) => {
    const fn = (client as unknown as Record<string, UnaryMethod<Req, Res>>)[method];
    if (typeof fn !== 'function') {
      reject(new Error(`etcd3: the KV service has no method ${method}`));
      return;
    }
    fn.call(client, req, metadata, options, (err, res) => {
      if (err) reject(castGrpcError(err));
      else resolve(res as Res);
    });
  });
}

type UnaryMethod<Req, Res> = (
  req: Req,
  metadata: Metadata,
  options: CallOptions,
  callback: (err: Error | null, res?: Res) => void,
) => unknown;

function currentAsFailed(current: { kv: KeyValue | undefined; revision: number }): TxnResult {
  return current.kv ? { succeeded: false, revision: current.revision, kv: current.kv } : { succeeded: false, revision: current.revision };
}

function isTxnResponse(res: ITxnResponse | TxnResult): res is ITxnResponse {
  return 'header' in res;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

function failed(revision: number, response: IResponseOp | undefined): TxnResult {
  const current: IKeyValue | undefined = response?.response_range?.kvs[0];
  return current ? { succeeded: false, revision, kv: fromEtcdKv(current) } : { succeeded: false, revision };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
