// An informer inside the gateway: a complete, current copy of one resource (every namespace),
// kept from the watch cache — the state read once, then the events of the gateway's own feed for
// that resource (watch/feed.ts), in revision order. The authorizers (RBAC roles and bindings) and
// priority and fairness (FlowSchemas, PriorityLevelConfigurations) read it synchronously.
//
// Start: register with the feed first (so nothing published during the read is missed), read the
// state at a revision at least as new as the feed's, then apply the events held meanwhile that
// are newer than the state. When the feed loses events it cannot repair (expired), the copy is
// re-read the same way; when no cache answers, it retries with backoff until closed.

import type { KubeObject } from '@kapi/apimachinery';
import type { CacheEvent } from '@kapi/bus';
import type { FeedListener, ResourceFeed, WatchFeeds } from './watch/feed.js';

export interface InformerOptions {
  /** Called after every change of the copy (event or re-read), synchronously. */
  onChange?: () => void;
  /** Longest wait between retries of a failed read. Default 5 s. */
  maxBackoffMs?: number;
  /** Objects kept at most; a resource that grows beyond it fails the informer loudly rather
   * than growing the gateway without bound. Default 100,000. */
  maxObjects?: number;
}

const decoder = new TextDecoder();

function keyOf(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

export class Informer<T extends KubeObject = KubeObject> implements FeedListener {
  private readonly objects = new Map<string, T>();
  private readonly feed: ResourceFeed;
  private held: CacheEvent[] | undefined;
  private heldOverflow = false;
  private revision = 0;
  private closed = false;
  private running: Promise<void> | undefined;
  private resolveSynced!: () => void;
  /** Resolves once the first complete copy is in place. */
  readonly synced: Promise<void>;
  private isSynced = false;
  private readonly maxBackoffMs: number;
  private readonly maxObjects: number;

  constructor(
    feeds: WatchFeeds,
    readonly group: string,
    readonly version: string,
    readonly resource: string,
    private readonly opts: InformerOptions = {},
  ) {
    this.feed = feeds.feed(group, version, resource);
    this.synced = new Promise((resolve) => (this.resolveSynced = resolve));
    this.maxBackoffMs = opts.maxBackoffMs ?? 5_000;
    this.maxObjects = opts.maxObjects ?? 100_000;
  }

  get hasSynced(): boolean {
    return this.isSynced;
  }

  /** Starts (once) and keeps the copy current until close(). */
  start(): void {
    this.running ??= this.run();
  }

  list(): T[] {
    return [...this.objects.values()];
  }

  get(namespace: string, name: string): T | undefined {
    return this.objects.get(keyOf(namespace, name));
  }

  close(): void {
    this.closed = true;
    this.feed.remove(this);
  }

  private async run(): Promise<void> {
    for (let delay = 100; !this.closed; delay = Math.min(delay * 2, this.maxBackoffMs)) {
      try {
        await this.resync();
        return;
      } catch {
        this.feed.remove(this);
        this.held = undefined;
        await new Promise((resolve) => setTimeout(resolve, delay).unref());
      }
    }
  }

  /** Registers with the feed and reads the whole state at one revision (paged). */
  private async resync(): Promise<void> {
    this.held = [];
    this.heldOverflow = false;
    const registered = await this.feed.add(this);
    const state = new Map<string, T>();
    let at = 0;
    let fromKey = '';
    for (;;) {
      const reply = await this.feed.request({ mode: 'state', minRevision: registered, fromKey, atRevision: at });
      at = reply.revision;
      for (const ev of reply.events) {
        const obj = JSON.parse(decoder.decode(ev.object)) as T;
        state.set(keyOf(obj.metadata?.namespace ?? '', obj.metadata?.name ?? ''), obj);
        if (state.size > this.maxObjects) throw new Error(`informer for ${this.resource}: more than ${this.maxObjects} objects`);
      }
      if (reply.nextKey === '') break;
      fromKey = reply.nextKey;
    }
    if (this.closed) return;
    if (this.heldOverflow) throw new Error(`informer for ${this.resource}: too many events while reading the state`);
    this.objects.clear();
    for (const [k, v] of state) this.objects.set(k, v);
    this.revision = at;
    const held = this.held ?? [];
    this.held = undefined;
    for (const ev of held) this.apply(ev);
    // Synced before the change is told, so that a listener reading hasSynced sees the copy.
    const first = !this.isSynced;
    this.isSynced = true;
    this.opts.onChange?.();
    if (first) this.resolveSynced();
  }

  private apply(ev: CacheEvent): void {
    if (ev.type === 'PROGRESS' || ev.revision <= this.revision) return;
    this.revision = ev.revision;
    const obj = JSON.parse(decoder.decode(ev.object)) as T;
    const key = keyOf(obj.metadata?.namespace ?? '', obj.metadata?.name ?? '');
    if (ev.type === 'DELETED') this.objects.delete(key);
    else this.objects.set(key, obj);
  }

  // ---- FeedListener ----

  onEvent(ev: CacheEvent): void {
    if (this.held) {
      if (this.held.length < this.maxObjects) this.held.push(ev);
      else this.heldOverflow = true;
      return;
    }
    this.apply(ev);
    if (ev.type !== 'PROGRESS') this.opts.onChange?.();
  }

  onExpired(): void {
    if (this.closed) return;
    this.running = this.run();
  }

  onClosed(): void {
    this.closed = true;
  }
}
