// The cache of one resource (kube's Cacher + watchCache + its reflector): filled by a consistent
// paged list of the resource's key prefix, kept current by a KV watch from the list's revision,
// every value passed back through the Transformer (decrypted) and decoded once. It records each
// change in an EventRing and reports changes and progress marks, in revision order, to `onChange`.
//
// `revision` is how current the cache is: every change of the prefix up to it has been applied.
// It advances with events and with the KV's progress notifications (requested every
// `progressIntervalMs`, as kube's watch cache requests progress for consistent reads).
//
// When the KV watch ends (history compacted, store lost), the cache lists again and restarts the
// ring at the new revision: readers asking for older events get 410, as kube's cacher does after
// its reflector relists.

import type { KubeObject } from '@kapi/apimachinery';
import { type KeyValue, type KV, type KVError, prefixEnd, type Watch, type WatchEvent } from '@kapi/kv';
import type { ResourceInfo } from '@kapi/schema';
import type { Transformer } from '@kapi/value';
import { type CachedEvent, EventRing, type RingOptions } from './ring.js';

/** One object as the cache holds it. */
export interface CacheEntry {
  key: string;
  namespace: string;
  /** modRevision: the object's resourceVersion. */
  revision: number;
  /** JSON with resourceVersion set. */
  object: Uint8Array;
  parsed: KubeObject;
}

export type CacheChange = { kind: 'event'; event: CachedEvent; prevRevision: number } | { kind: 'progress'; revision: number; prevRevision: number };

export interface ResourceCacheLogger {
  warn(message: string, fields?: Record<string, unknown>): void;
}

export interface ResourceCacheOptions {
  kv: KV;
  transformer: Transformer;
  info: ResourceInfo;
  /** The key prefix of the resource: `/registry/<storagePrefix>/`. */
  prefix: string;
  ring?: RingOptions;
  /** Every change and progress mark, in order. Must not throw. */
  onChange?: (change: CacheChange) => void;
  /** How often progress is requested from the KV (default 1000 ms; 0 = never). */
  progressIntervalMs?: number;
  /** Keys per KV read while listing (default 1000). */
  listPageSize?: number;
  /** Wait before listing again after the watch failed (default 1000 ms). */
  retryDelayMs?: number;
  log?: ResourceCacheLogger;
}

const decoder = new TextDecoder();
const encoder = new TextEncoder();

interface Waiter {
  revision: number;
  resolve: (reached: boolean) => void;
  timer: NodeJS.Timeout;
}

export class ResourceCache {
  readonly info: ResourceInfo;
  readonly prefix: string;
  private readonly kv: KV;
  private readonly transformer: Transformer;
  private readonly onChange: (change: CacheChange) => void;
  private readonly log: ResourceCacheLogger | undefined;
  private readonly progressIntervalMs: number;
  private readonly listPageSize: number;
  private readonly retryDelayMs: number;
  private readonly ringOptions: RingOptions;

  private objects = new Map<string, CacheEntry>();
  private current = 0;
  /** The revision of the last change reported through onChange (the chain's link). */
  private lastReported = 0;
  private ringStore: EventRing;
  private watch: Watch | undefined;
  private queue: Promise<void> = Promise.resolve();
  private closed = false;
  private progressTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private waiters: Waiter[] = [];
  private readyPromise: Promise<void> | undefined;
  /** Whether the KV answers progress requests (etcd >= 3.4.31); unknown until asked. */
  progressSupported = true;
  /** Bumped at every relist: events of an older generation are dropped. */
  private generation = 0;

  constructor(opts: ResourceCacheOptions) {
    this.kv = opts.kv;
    this.transformer = opts.transformer;
    this.info = opts.info;
    this.prefix = opts.prefix;
    this.onChange = opts.onChange ?? (() => undefined);
    this.log = opts.log;
    this.progressIntervalMs = opts.progressIntervalMs ?? 1000;
    this.listPageSize = opts.listPageSize ?? 1000;
    this.retryDelayMs = opts.retryDelayMs ?? 1000;
    this.ringOptions = opts.ring ?? {};
    this.ringStore = new EventRing(0, this.ringOptions);
  }

  /** Every change of the prefix up to this revision is applied. */
  get revision(): number {
    return this.current;
  }

  get ring(): EventRing {
    return this.ringStore;
  }

  get size(): number {
    return this.objects.size;
  }

  /** Lists and starts watching; resolves once the cache holds the first list. */
  start(): Promise<void> {
    this.readyPromise ??= this.sync();
    if (this.progressIntervalMs > 0 && !this.progressTimer) {
      this.progressTimer = setInterval(() => void this.requestProgress(), this.progressIntervalMs);
      this.progressTimer.unref();
    }
    return this.readyPromise;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.progressTimer) clearInterval(this.progressTimer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    for (const w of this.waiters) {
      clearTimeout(w.timer);
      w.resolve(false);
    }
    this.waiters = [];
    const watch = this.watch;
    this.watch = undefined;
    await watch?.close().catch(() => undefined);
  }

  /** Asks the KV for a progress notification; false when it cannot send one. */
  async requestProgress(): Promise<boolean> {
    this.ringStore.evict();
    const watch = this.watch;
    if (!watch || this.closed) return false;
    try {
      const ok = await watch.requestProgress();
      this.progressSupported = ok;
      return ok;
    } catch {
      return false;
    }
  }

  /** Resolves true once the cache reached `revision`, false after `timeoutMs`. */
  waitForRevision(revision: number, timeoutMs: number): Promise<boolean> {
    if (this.current >= revision) return Promise.resolve(true);
    if (this.closed || timeoutMs <= 0) return Promise.resolve(false);
    void this.requestProgress();
    return new Promise<boolean>((resolve) => {
      const waiter: Waiter = {
        revision,
        resolve,
        timer: setTimeout(() => {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          resolve(false);
        }, timeoutMs),
      };
      this.waiters.push(waiter);
    });
  }

  /** The objects at the cache's current revision. */
  entries(): ReadonlyMap<string, CacheEntry> {
    return this.objects;
  }

  /** The objects as they were at `revision` (>= the ring's start, <= revision), reconstructed
   * by undoing the ring's later events; undefined when the ring no longer reaches back. */
  entriesAt(revision: number): ReadonlyMap<string, CacheEntry> | undefined {
    if (revision >= this.current) return this.objects;
    const later = this.ringStore.since(revision);
    if (!later) return undefined;
    if (later.length === 0) return this.objects;
    const out = new Map(this.objects);
    // Undo newest first: each key ends at its state before its earliest later change.
    for (let i = later.length - 1; i >= 0; i--) {
      const ev = later[i]!;
      if (ev.type === 'ADDED' || !ev.prevObject) {
        out.delete(ev.key);
      } else {
        const parsed = JSON.parse(decoder.decode(ev.prevObject)) as KubeObject;
        out.set(ev.key, {
          key: ev.key,
          namespace: ev.namespace,
          revision: Number(parsed.metadata?.resourceVersion ?? 0),
          object: ev.prevObject,
          parsed,
        });
      }
    }
    return out;
  }

  /** The namespace segment of a key ('' for cluster-scoped resources). */
  namespaceOf(key: string): string {
    if (!this.info.namespaced) return '';
    const rest = key.slice(this.prefix.length);
    const slash = rest.indexOf('/');
    return slash < 0 ? '' : rest.slice(0, slash);
  }

  /** Decodes a stored value: Transformer, JSON, resourceVersion = modRevision. */
  async decode(kv: KeyValue): Promise<{ object: Uint8Array; parsed: KubeObject }> {
    const { data } = await this.transformer.fromStorage(kv.value, { key: kv.key });
    const parsed = JSON.parse(decoder.decode(data)) as KubeObject;
    parsed.metadata ??= {};
    parsed.metadata.resourceVersion = String(kv.modRevision);
    return { object: encoder.encode(JSON.stringify(parsed)), parsed };
  }

  /** A consistent paged list of the prefix at one revision (0 = the current one). */
  async listFromKV(atRevision = 0): Promise<{ revision: number; entries: Map<string, CacheEntry> }> {
    const end = prefixEnd(this.prefix);
    const entries = new Map<string, CacheEntry>();
    let start = this.prefix;
    let revision = atRevision;
    for (;;) {
      const page = await this.kv.range(start, { end, limit: this.listPageSize, revision });
      revision = page.revision;
      for (const kv of page.kvs) {
        const { object, parsed } = await this.decode(kv);
        entries.set(kv.key, { key: kv.key, namespace: this.namespaceOf(kv.key), revision: kv.modRevision, object, parsed });
      }
      if (!page.more || page.kvs.length === 0) break;
      start = page.kvs[page.kvs.length - 1]!.key + '\0';
    }
    return { revision, entries };
  }

  /** List, then watch from the list's revision + 1. */
  private async sync(): Promise<void> {
    const generation = ++this.generation;
    const { revision, entries } = await this.listFromKV();
    if (this.closed) return;
    this.objects = entries;
    this.current = revision;
    this.lastReported = revision;
    this.ringStore = new EventRing(revision, this.ringOptions);
    this.watch = await this.kv.watch(this.prefix, revision + 1, {
      onEvents: (events) => this.enqueue(generation, () => this.applyEvents(events)),
      onProgress: (rev) => this.enqueue(generation, () => this.applyProgress(rev)),
      onError: (err) => this.enqueue(generation, () => this.restart(err)),
    });
    this.wake();
  }

  private enqueue(generation: number, work: () => Promise<void> | void): void {
    this.queue = this.queue
      .then(() => (generation === this.generation && !this.closed ? work() : undefined))
      .catch((err: unknown) => this.log?.warn('watch cache update failed', { resource: this.info.resource, err: String(err) }));
  }

  private async restart(err: KVError): Promise<void> {
    if (this.closed) return;
    this.log?.warn('KV watch ended; listing again', { resource: this.info.resource, code: err.code, message: err.message });
    const old = this.watch;
    this.watch = undefined;
    await old?.close().catch(() => undefined);
    const retry = async (): Promise<void> => {
      if (this.closed) return;
      try {
        await this.sync();
      } catch (e) {
        this.log?.warn('watch cache list failed; retrying', { resource: this.info.resource, err: String(e) });
        this.retryTimer = setTimeout(() => void retry(), this.retryDelayMs);
        this.retryTimer.unref();
      }
    };
    await retry();
  }

  private async applyEvents(events: WatchEvent[]): Promise<void> {
    for (const ev of events) {
      const key = ev.kv.key;
      const revision = ev.kv.modRevision;
      if (revision <= this.current) continue; // already applied (e.g. seen in the list)
      const previous = this.objects.get(key);
      let cached: CachedEvent;
      try {
        if (ev.type === 'put') {
          const { object, parsed } = await this.decode(ev.kv);
          const entry: CacheEntry = { key, namespace: this.namespaceOf(key), revision, object, parsed };
          this.objects.set(key, entry);
          cached = {
            type: previous ? 'MODIFIED' : 'ADDED',
            key,
            namespace: entry.namespace,
            revision,
            object,
            prevObject: previous?.object,
            receivedAt: Date.now(),
          };
        } else {
          let last = previous?.parsed;
          if (!last && ev.prevKv) last = (await this.decode(ev.prevKv)).parsed;
          this.objects.delete(key);
          if (!last) {
            // Deleted before the cache ever saw it: nobody watching could have seen it either.
            this.advance(revision);
            continue;
          }
          const deleted = { ...last, metadata: { ...last.metadata, resourceVersion: String(revision) } };
          cached = {
            type: 'DELETED',
            key,
            namespace: this.namespaceOf(key),
            revision,
            object: encoder.encode(JSON.stringify(deleted)),
            prevObject: previous?.object,
            receivedAt: Date.now(),
          };
        }
      } catch (err) {
        // A value that does not decode (corrupt, or a key the transformer cannot read) is
        // skipped, as kube's watch cache skips objects it cannot decode; the revision advances.
        this.log?.warn('skipping a value that does not decode', { key, revision, err: String(err) });
        this.advance(revision);
        continue;
      }
      this.ringStore.push(cached);
      const prevRevision = this.lastReported;
      this.lastReported = revision;
      this.advance(revision);
      this.onChange({ kind: 'event', event: cached, prevRevision });
    }
  }

  /** Reports a progress mark at the current revision now (a replica that just became the
   * publisher announces where its chain stands, so receivers find a gap at once). */
  announce(): void {
    this.enqueue(this.generation, () => {
      if (this.current > 0) this.onChange({ kind: 'progress', revision: this.current, prevRevision: this.lastReported });
    });
  }

  private applyProgress(revision: number): void {
    if (revision <= this.current) return;
    this.advance(revision);
    this.onChange({ kind: 'progress', revision, prevRevision: this.lastReported });
  }

  private advance(revision: number): void {
    if (revision > this.current) this.current = revision;
    this.wake();
  }

  private wake(): void {
    if (this.waiters.length === 0) return;
    const keep: Waiter[] = [];
    for (const w of this.waiters) {
      if (this.current >= w.revision) {
        clearTimeout(w.timer);
        w.resolve(true);
      } else {
        keep.push(w);
      }
    }
    this.waiters = keep;
  }
}
