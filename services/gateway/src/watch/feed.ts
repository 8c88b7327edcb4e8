// The gateway's feed of one resource: one bus subscription (every namespace) shared by all of
// this gateway's watchers of the resource, which hands them the watch cache's events exactly
// once and in revision order.
//
// Ordering rests on the chain every event carries: the feed has delivered everything up to
// `delivered`; an event with prevRevision <= delivered < revision is the next one; revision <=
// delivered is a duplicate (another publisher, or a repair already delivered it); prevRevision >
// delivered means something was missed (a lost message, a publisher change). Then the feed stops,
// keeps what arrives (bounded), fetches the missing changes from a cache replica's ring
// (cache.watch "events"), and goes on. When the ring no longer has them, every listener is told
// (its client gets 410 and relists) and the feed starts over at the cache's revision.

import { WatchBufferBudget } from './budget.js';
import { isStatusError, newInternalError, type StatusError } from '@kapi/apimachinery';
import { type Bus, CacheRpc, cacheEventCodec, type CacheEvent, type CacheWatchReply, type CacheWatchRequest, type Subscription, watchSubjectAllNamespaces } from '@kapi/bus';

export interface FeedListener {
  /** The next event (or PROGRESS mark) after the listener's registration revision. */
  onEvent(event: CacheEvent): void;
  /** The feed lost events it cannot recover; the listener is already removed. */
  onExpired(err: StatusError): void;
  /** The gateway is shutting down: end without an error (clients rewatch elsewhere). */
  onClosed(): void;
}

export interface FeedOptions {
  /** Events kept while repairing a gap before every listener is expired (default 20,000). */
  maxPending?: number;
  /** Per-request bus timeout (default 20 s). */
  requestTimeoutMs?: number;
  /** How long an unused feed stays subscribed (default 30 s). */
  lingerMs?: number;
  /** How long repairs are retried when no cache answers before listeners are failed (default 15 s). */
  repairGiveUpMs?: number;
  /** Unsent watch output all of this gateway's watchers may hold together (default 256 MiB). */
  bufferBudgetBytes?: number;
}

const DEFAULT_BUFFER_BUDGET_BYTES = 256 * 1024 * 1024;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

export class ResourceFeed {
  private delivered = 0;
  private started: Promise<void> | undefined;
  private subscription: Subscription | undefined;
  private pending: CacheEvent[] = [];
  private repairing = false;
  private readonly listeners = new Set<FeedListener>();
  private lingerTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly maxPending: number;
  private readonly requestTimeoutMs: number;
  private readonly lingerMs: number;
  private readonly repairGiveUpMs: number;

  constructor(
    private readonly bus: Bus,
    readonly group: string,
    readonly version: string,
    readonly resource: string,
    private readonly onIdle: (feed: ResourceFeed) => void,
    opts: FeedOptions = {},
  ) {
    this.maxPending = opts.maxPending ?? 20_000;
    this.requestTimeoutMs = opts.requestTimeoutMs ?? 20_000;
    this.lingerMs = opts.lingerMs ?? 30_000;
    this.repairGiveUpMs = opts.repairGiveUpMs ?? 15_000;
  }

  /** The revision everything has been delivered up to. */
  get revision(): number {
    return this.delivered;
  }

  get listenerCount(): number {
    return this.listeners.size;
  }

  /** Registers a listener; resolves with the revision after which it gets every event. */
  async add(listener: FeedListener): Promise<number> {
    if (this.lingerTimer) {
      clearTimeout(this.lingerTimer);
      this.lingerTimer = undefined;
    }
    await this.start();
    this.listeners.add(listener);
    return this.delivered;
  }

  remove(listener: FeedListener): void {
    this.listeners.delete(listener);
    if (this.listeners.size === 0 && !this.lingerTimer && !this.closed) {
      this.lingerTimer = setTimeout(() => {
        this.lingerTimer = undefined;
        if (this.listeners.size === 0) this.onIdle(this);
      }, this.lingerMs);
      this.lingerTimer.unref();
    }
  }

  /** One cache.watch request for this resource (all namespaces). */
  request(fields: Partial<CacheWatchRequest>): Promise<CacheWatchReply> {
    const req: CacheWatchRequest = {
      ref: { group: this.group, version: this.version, resource: this.resource, namespace: '', name: '', subresource: '' },
      mode: 'revision',
      afterRevision: 0,
      minRevision: 0,
      consistent: false,
      labelSelector: '',
      fieldSelector: '',
      fromKey: '',
      atRevision: 0,
      notOlderThan: 0,
      ...fields,
    };
    return this.bus.request(CacheRpc.watch, req, { timeoutMs: this.requestTimeoutMs });
  }

  private start(): Promise<void> {
    this.started ??= (async () => {
      this.repairing = true;
      try {
        this.subscription = await this.bus.subscribe(watchSubjectAllNamespaces(this.group, this.resource), cacheEventCodec, (ev) => this.receive(ev));
        const baseline = await this.request({ mode: 'revision' });
        this.delivered = baseline.revision;
      } catch (err) {
        this.started = undefined;
        const sub = this.subscription;
        this.subscription = undefined;
        await sub?.close().catch(() => undefined);
        this.repairing = false;
        this.pending = [];
        throw err;
      }
      this.repairing = false;
      this.drain();
    })();
    return this.started;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.lingerTimer) clearTimeout(this.lingerTimer);
    const listeners = [...this.listeners];
    this.listeners.clear();
    for (const l of listeners) l.onClosed();
    const sub = this.subscription;
    this.subscription = undefined;
    await sub?.close().catch(() => undefined);
  }

  private receive(ev: CacheEvent): void {
    if (this.closed) return;
    if (this.repairing) {
      this.keep(ev);
      return;
    }
    if (!this.process(ev)) {
      this.keep(ev);
      void this.repair();
    }
  }

  private keep(ev: CacheEvent): void {
    this.pending.push(ev);
    if (this.pending.length > this.maxPending) {
      // Too far behind to catch up from memory: start over (the ring repair below still runs).
      this.pending = this.pending.slice(-this.maxPending);
    }
  }

  /** Delivers `ev` if it is the next one (or drops a duplicate); false on a gap. */
  private process(ev: CacheEvent): boolean {
    if (ev.revision <= this.delivered) return true;
    if (ev.prevRevision > this.delivered) return false;
    this.deliver(ev);
    return true;
  }

  private deliver(ev: CacheEvent): void {
    this.delivered = ev.revision;
    for (const listener of this.listeners) listener.onEvent(ev);
  }

  private drain(): void {
    while (!this.repairing && this.pending.length > 0) {
      const ev = this.pending[0]!;
      if (!this.process(ev)) {
        void this.repair();
        return;
      }
      this.pending.shift();
    }
  }

  private expireAll(err: StatusError): void {
    const listeners = [...this.listeners];
    this.listeners.clear();
    for (const l of listeners) l.onExpired(err);
  }

  /** Fetches what was missed from a cache replica's ring, then drains what was kept. */
  private async repair(): Promise<void> {
    if (this.repairing) return;
    this.repairing = true;
    const giveUpAt = Date.now() + this.repairGiveUpMs;
    let backoff = 100;
    for (;;) {
      if (this.closed) return;
      try {
        const first = this.pending[0];
        const reply = await this.request({ mode: 'events', afterRevision: this.delivered, minRevision: first ? first.prevRevision : 0 });
        for (const ev of reply.events) if (ev.revision > this.delivered) this.deliver(ev);
        if (reply.revision > this.delivered) {
          this.deliver({ type: 'PROGRESS', revision: reply.revision, prevRevision: this.delivered, namespace: '', object: new Uint8Array(), prevObject: new Uint8Array(), key: '' });
        }
        if (reply.nextKey !== '') continue; // cut short: ask for the rest
        break;
      } catch (err) {
        const status = isStatusError(err) ? err : newInternalError(err);
        const expired = status.status.code === 410;
        if (expired || Date.now() > giveUpAt) {
          this.expireAll(status);
          // Start over at whatever the cache has now; kept events at or below it are dropped.
          try {
            const baseline = await this.request({ mode: 'revision' });
            this.delivered = Math.max(this.delivered, baseline.revision);
            this.pending = this.pending.filter((e) => e.revision > this.delivered);
            // A kept event that still does not chain belongs to the next repair round.
            if (this.pending[0] && this.pending[0].prevRevision > this.delivered) this.delivered = this.pending[0].prevRevision;
            break;
          } catch {
            // No cache answers at all: keep trying.
          }
        }
        await sleep(backoff);
        backoff = Math.min(backoff * 2, 2000);
      }
    }
    this.repairing = false;
    this.drain();
  }
}

/** The feeds of one gateway, created on a resource's first watcher and dropped when idle. */
export class WatchFeeds {
  private readonly feeds = new Map<string, ResourceFeed>();
  /** The gateway-wide bound on watchers' unsent output. */
  readonly budget: WatchBufferBudget;

  constructor(
    private readonly bus: Bus,
    private readonly opts: FeedOptions = {},
  ) {
    this.budget = new WatchBufferBudget(opts.bufferBudgetBytes ?? DEFAULT_BUFFER_BUDGET_BYTES);
  }

  feed(group: string, version: string, resource: string): ResourceFeed {
    const id = `${group}/${resource}`;
    let feed = this.feeds.get(id);
    if (!feed) {
      feed = new ResourceFeed(this.bus, group, version, resource, (idle) => {
        if (this.feeds.get(id) === idle) this.feeds.delete(id);
        void idle.close();
      }, this.opts);
      this.feeds.set(id, feed);
    }
    return feed;
  }

  async close(): Promise<void> {
    const feeds = [...this.feeds.values()];
    this.feeds.clear();
    await Promise.all(feeds.map((f) => f.close()));
  }
}
