// One kapi watch = one etcd gRPC watch stream, re-established after a member fails.
//
// Contract: events reach the handler in revision order, exactly once. `next` is the first
// revision not yet delivered (advanced by events and by progress notifications, which promise
// that nothing at or below their revision is still to come). A lost stream is re-created from
// `next` on whichever member the pool picks, so nothing is lost or repeated; events below `next`
// that a new stream might send again are dropped. The watch ends with onError when its start
// revision is compacted away (Compacted), when the cluster stays unreachable longer than
// retryMs (Unavailable), or when the handler throws (Closed).
//
// Streams carry etcd's "hasleader" metadata (as kube-apiserver's client does): a member that
// loses the leader cancels the stream instead of silently stopping, and the watch moves on.

import type { IEvent, IKeyValue, IWatchRequest, IWatchResponse } from 'etcd3';
import { KVError, type KeyValue, type Watch, type WatchEvent, type WatchHandler } from './kv.js';
import { mapEtcdError } from './etcd3-errors.js';
import { copyBytes } from './util.js';

export interface WatchStream {
  write(req: IWatchRequest): void;
  cancel(): void;
  on(event: 'data', fn: (res: IWatchResponse) => void): this;
  on(event: 'error', fn: (err: Error) => void): this;
  on(event: 'end', fn: () => void): this;
}

export interface WatchTransport {
  /** Opens a watch stream on some healthy member. `markFailed` reports a broken stream to the
   * pool's per-member circuit breaker. */
  open(): Promise<{ stream: WatchStream; markFailed(err: Error): void }>;
  supportsRequestProgress(): Promise<boolean>;
  /** Tells the owner about a compacted revision learnt from the server. */
  noteCompacted(revision: number): void;
  /** How long a broken watch keeps reconnecting before it ends with Unavailable. */
  readonly retryMs: number;
  /** How long watch() waits for the first stream to be created. */
  readonly startTimeoutMs: number;
}

const BACKOFF_MIN_MS = 50;
const BACKOFF_MAX_MS = 1000;

export class EtcdWatch implements Watch {
  /** First revision not delivered yet; 0 until the first stream pins "now". */
  private next: number;
  private stream: WatchStream | undefined;
  private created = false;
  private closed = false;
  private attempts = 0;
  private failingSince: number | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private progressWanted = false;
  private started: { resolve(): void; reject(err: unknown): void } | undefined;

  constructor(
    private readonly transport: WatchTransport,
    private readonly key: Buffer,
    private readonly rangeEnd: Buffer,
    fromRevision: number,
    private readonly handler: WatchHandler,
  ) {
    this.next = fromRevision;
  }

  /** Resolves when the server confirmed the watch; rejects (Unavailable) if no member did
   * within startTimeoutMs. */
  start(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.started = { resolve, reject };
      this.failingSince = Date.now();
      void this.connect();
    });
  }

  async requestProgress(): Promise<boolean> {
    if (this.closed) return false;
    if (!(await this.transport.supportsRequestProgress())) return false;
    if (this.closed) return false;
    if (this.stream && this.created) this.stream.write({ progress_request: {} });
    else this.progressWanted = true; // sent once the next stream is created
    return true;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const stream = this.stream;
    this.stream = undefined;
    stream?.cancel();
    this.started?.reject(new KVError('Closed', 'watch closed'));
    this.started = undefined;
  }

  /** Ends the watch from the store side: the handler's last callback. */
  endWith(err: KVError): void {
    if (this.closed) return;
    const started = this.started;
    this.started = undefined;
    void this.close();
    if (started) {
      // watch() has not resolved yet: the caller gets the error from there.
      started.reject(err);
      return;
    }
    try {
      this.handler.onError(err);
    } catch {
      // the watch is over either way
    }
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    let opened: Awaited<ReturnType<WatchTransport['open']>>;
    try {
      opened = await this.transport.open();
    } catch (err) {
      this.lost(err);
      return;
    }
    const { stream, markFailed } = opened;
    if (this.closed) {
      stream.cancel();
      return;
    }
    this.stream = stream;
    this.created = false;
    stream.on('data', (res) => {
      if (this.stream === stream) this.onResponse(res);
    });
    stream.on('error', (err) => {
      if (this.stream !== stream) return;
      this.stream = undefined;
      markFailed(err);
      this.lost(err);
    });
    stream.on('end', () => {
      if (this.stream !== stream) return;
      this.stream = undefined;
      this.lost(new KVError('Unavailable', 'etcd watch stream ended'));
    });
    stream.write({
      create_request: {
        key: this.key,
        range_end: this.rangeEnd,
        start_revision: this.next,
        prev_kv: true,
        progress_notify: true,
      },
    });
  }

  /** The stream broke: retry from `next` with backoff, or give up after retryMs. */
  private lost(err: unknown): void {
    if (this.closed) return;
    const mapped = mapEtcdError(err);
    if (mapped?.code === 'Closed') {
      this.endWith(mapped);
      return;
    }
    const now = Date.now();
    this.failingSince ??= now;
    const budget = this.started ? this.transport.startTimeoutMs : this.transport.retryMs;
    if (now - this.failingSince > budget) {
      const message = err instanceof Error ? err.message : String(err);
      this.endWith(new KVError('Unavailable', `etcd watch could not be re-established: ${message}`));
      return;
    }
    const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** this.attempts) * (0.5 + Math.random() / 2);
    this.attempts++;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.connect();
    }, delay);
  }

  private onResponse(res: IWatchResponse): void {
    if (res.created) {
      this.created = true;
      if (this.next === 0) this.next = Number(res.header.revision) + 1;
      this.attempts = 0;
      this.failingSince = undefined;
      const started = this.started;
      this.started = undefined;
      started?.resolve();
      if (this.progressWanted && this.stream) {
        this.progressWanted = false;
        this.stream.write({ progress_request: {} });
      }
    }
    if (res.canceled) {
      this.onCanceled(res);
      return;
    }
    if (res.created) return;
    if (res.events.length > 0) {
      const events: WatchEvent[] = [];
      for (const e of res.events) {
        if (Number(e.kv.mod_revision) >= this.next) events.push(toEvent(e));
      }
      if (events.length === 0) return;
      this.next = events[events.length - 1]!.kv.modRevision + 1;
      this.deliver(() => this.handler.onEvents(events));
      return;
    }
    // No events: a progress notification (periodic, or the answer to progress_request).
    const revision = Number(res.header.revision);
    if (revision >= this.next - 1 && revision > 0) {
      this.next = revision + 1;
      this.deliver(() => this.handler.onProgress?.(revision));
    }
  }

  private onCanceled(res: IWatchResponse): void {
    const compacted = Number(res.compact_revision);
    if (compacted > 0) {
      this.transport.noteCompacted(compacted);
      this.endWith(new KVError('Compacted', `etcd watch: revision ${this.next} has been compacted`, compacted));
      return;
    }
    const reason = res.cancel_reason || 'canceled by the server';
    // A member that lost its leader cancels watches; another member can serve them.
    if (/leader|unavailable|timed out/i.test(reason)) {
      const stream = this.stream;
      this.stream = undefined;
      stream?.cancel();
      this.lost(new KVError('Unavailable', reason));
      return;
    }
    this.endWith(new KVError('Unavailable', `etcd watch canceled: ${reason}`));
  }

  private deliver(fn: () => void): void {
    if (this.closed) return;
    try {
      fn();
    } catch (err) {
      this.endWith(new KVError('Closed', `watch handler threw: ${err instanceof Error ? err.message : String(err)}`));
    }
  }
}

/** Converts etcd's kv; values are copied out of the gRPC message buffer they are views into. */
export function fromEtcdKv(kv: IKeyValue, keysOnly = false): KeyValue {
  return {
    key: kv.key.toString('utf8'),
    value: keysOnly || !kv.value ? Buffer.alloc(0) : copyBytes(kv.value),
    createRevision: Number(kv.create_revision),
    modRevision: Number(kv.mod_revision),
    version: Number(kv.version),
  };
}

function toEvent(e: IEvent): WatchEvent {
  const kv = fromEtcdKv(e.kv);
  const type = e.type === 'Delete' ? 'delete' : 'put';
  const event: WatchEvent = { type, kv };
  if (e.prev_kv) event.prevKv = fromEtcdKv(e.prev_kv);
  return event;
}
