// One client's watch: which events it gets and when (kube's cacheWatcher plus the cacher's Watch
// start logic), independent of how they are encoded and written.
//
// Start, by resourceVersion (kube's "Semantics for watch"):
//   unset     -> ADDED for the current state (a consistent read), then every change;
//   "0"       -> ADDED for the state of any (the cache's) revision, then every change;
//   N         -> every change after N (410 Expired "too old resource version" once N has left
//                the ring, sent as an ERROR event);
//   sendInitialEvents=true (resourceVersionMatch=NotOlderThan) -> ADDED for the state at a
//                revision not older than N, then a BOOKMARK annotated
//                k8s.io/initial-events-end: "true", then every change;
//   sendInitialEvents=false -> no initial events: changes after N, or after the current revision.
// The session registers with the resource's feed first and asks the cache for the start (state or
// events) at a revision not older than the feed's at registration; feed events are held until
// the start is known, then those after it follow. So nothing is missed or sent twice.
//
// Changes pass the selectors as kube's cacheWatcher.convertToWatchEvent decides: an object that
// starts matching is ADDED, one that stops matching is DELETED (its previous state with the
// change's resourceVersion), one that matches before and after is MODIFIED.

import { type KubeObject, type SelectionPredicate, isStatusError, newInternalError, type StatusError } from '@kapi/apimachinery';
import type { CacheEvent } from '@kapi/bus';
import { statusWireObject } from '../status.js';
import type { FeedListener, ResourceFeed } from './feed.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

/** Where a session's events go (the stream writer). */
export interface WatchOutput {
  /** One event; `object` is JSON bytes. False when the client cannot keep up: the session ends. */
  event(type: WatchEventType, object: Uint8Array): boolean;
  /** The stream is over (timeout, error sent, or the session was stopped). */
  end(): void;
}

export interface WatchSpec {
  apiVersion: string;
  kind: string;
  /** '' = all namespaces (or a cluster-scoped resource). */
  namespace: string;
  labelSelector: string;
  fieldSelector: string;
  predicate: SelectionPredicate;
  resourceVersion: string;
  /** Parsed resourceVersion (0 for "" and "0"). */
  revision: number;
  sendInitialEvents: boolean | undefined;
  allowWatchBookmarks: boolean;
  timeoutMs: number;
  /** How often a BOOKMARK is sent (kube: about every minute). */
  bookmarkIntervalMs?: number;
  /** Events held while the start is being read (default 10,000); beyond: 410. */
  maxHeldEvents?: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const INITIAL_EVENTS_END = 'k8s.io/initial-events-end';

/** Parsed objects, shared by every session that looks at the same event. */
const parsedObjects = new WeakMap<Uint8Array, KubeObject>();
function parse(bytes: Uint8Array): KubeObject {
  let parsed = parsedObjects.get(bytes);
  if (!parsed) {
    parsed = JSON.parse(decoder.decode(bytes)) as KubeObject;
    parsedObjects.set(bytes, parsed);
  }
  return parsed;
}

/** The Status of an ERROR event, as kube encodes a metav1.Status. */
function statusBytes(err: StatusError): Uint8Array {
  return encoder.encode(JSON.stringify(statusWireObject(err.status)));
}

export class WatchSession implements FeedListener {
  private held: CacheEvent[] | undefined = [];
  private startRevision = 0;
  /** The newest revision this client knows everything up to (for bookmarks). */
  private known = 0;
  private bookmarked = 0;
  private ended = false;
  private timers: NodeJS.Timeout[] = [];
  private readonly maxHeld: number;

  constructor(
    private readonly feed: ResourceFeed,
    private readonly spec: WatchSpec,
    private readonly out: WatchOutput,
  ) {
    this.maxHeld = spec.maxHeldEvents ?? 10_000;
  }

  get isEnded(): boolean {
    return this.ended;
  }

  /**
   * Registers with the feed and reads the start. Rejects with the Status a client gets as an
   * HTTP error (the stream has not begun); a 410 is not thrown but sent as an ERROR event, as
   * kube's cacher does for a too old resourceVersion. `begin` runs once, before the first event.
   */
  async start(begin: () => void): Promise<void> {
    const registered = await this.feed.add(this);
    try {
      await this.readStart(registered, begin);
    } catch (err) {
      if (isStatusError(err) && err.status.code === 410) {
        begin();
        this.fail(err);
        return;
      }
      this.stop();
      throw err;
    }
    if (this.ended) return;
    const held = this.held ?? [];
    this.held = undefined;
    for (const ev of held) this.handle(ev);
    this.armTimers();
  }

  private async readStart(registered: number, begin: () => void): Promise<void> {
    const spec = this.spec;
    const initial = spec.sendInitialEvents ?? (spec.resourceVersion === '' || spec.resourceVersion === '0');
    // The cache replica must have reached what this gateway has already delivered; the client's
    // resourceVersion is a separate not-older-than bound.
    const minRevision = registered;
    let begun = false;
    const once = () => {
      if (!begun) {
        begun = true;
        begin();
      }
    };
    if (initial) {
      // The state, page by page, all at the first page's revision.
      let at = 0;
      let fromKey = '';
      for (;;) {
        const reply = await this.feed.request({
          mode: 'state',
          ref: { group: this.feed.group, version: this.feed.version, resource: this.feed.resource, namespace: spec.namespace, name: '', subresource: '' },
          consistent: spec.resourceVersion === '',
          minRevision,
          labelSelector: spec.labelSelector,
          fieldSelector: spec.fieldSelector,
          fromKey,
          atRevision: at,
          notOlderThan: spec.revision,
        });
        at = reply.revision;
        once();
        for (const ev of reply.events) if (!this.emit('ADDED', ev.object)) return;
        if (reply.nextKey === '') break;
        fromKey = reply.nextKey;
      }
      this.startRevision = at;
      this.known = at;
      if (spec.sendInitialEvents === true) {
        this.emit('BOOKMARK', this.bookmarkObject(at, true));
        this.bookmarked = at;
      }
      return;
    }
    if (spec.resourceVersion === '' || spec.resourceVersion === '0') {
      const reply = await this.feed.request({ mode: 'revision', consistent: spec.resourceVersion === '', minRevision, notOlderThan: spec.revision });
      this.startRevision = reply.revision;
      this.known = reply.revision;
      once();
      return;
    }
    // Every change after N.
    let after = spec.revision;
    for (;;) {
      const reply = await this.feed.request({
        mode: 'events',
        ref: { group: this.feed.group, version: this.feed.version, resource: this.feed.resource, namespace: spec.namespace, name: '', subresource: '' },
        afterRevision: after,
        minRevision,
      });
      once();
      for (const ev of reply.events) {
        this.handle(ev, true);
        if (this.ended) return;
      }
      after = Math.max(after, reply.revision);
      if (reply.nextKey === '') break;
    }
    this.startRevision = after;
    this.known = Math.max(this.known, after);
  }

  // ---- FeedListener ----

  onEvent(ev: CacheEvent): void {
    if (this.ended) return;
    if (this.held) {
      if (this.held.length >= this.maxHeld) {
        this.fail(newInternalError(new Error('too many events while the watch was starting')));
        return;
      }
      this.held.push(ev);
      return;
    }
    this.handle(ev);
  }

  onExpired(err: StatusError): void {
    this.fail(err);
  }

  onClosed(): void {
    this.stop();
  }

  // ---- events ----

  private handle(ev: CacheEvent, fromStart = false): void {
    if (!fromStart && ev.revision <= this.startRevision) return;
    if (ev.revision > this.known) this.known = ev.revision;
    if (ev.type === 'PROGRESS') return;
    if (this.spec.namespace !== '' && ev.namespace !== this.spec.namespace) return;
    const predicate = this.spec.predicate;
    if (predicate.everything) {
      this.emit(ev.type as WatchEventType, ev.object);
      return;
    }
    const hasPrev = ev.prevObject.byteLength > 0;
    if (ev.type === 'DELETED') {
      // The deleted object's last state decides, as the previous object does in kube.
      if (predicate.matches(parse(ev.object))) this.emit('DELETED', ev.object);
      return;
    }
    const now = predicate.matches(parse(ev.object));
    const before = ev.type === 'MODIFIED' && hasPrev && predicate.matches(parse(ev.prevObject));
    if (now && before) this.emit('MODIFIED', ev.object);
    else if (now) this.emit('ADDED', ev.object);
    else if (before) this.emit('DELETED', this.withResourceVersion(parse(ev.prevObject), ev.revision));
  }

  private withResourceVersion(object: KubeObject, revision: number): Uint8Array {
    return encoder.encode(JSON.stringify({ ...object, metadata: { ...object.metadata, resourceVersion: String(revision) } }));
  }

  /** kube's bookmark: an empty object of the kind carrying only the resourceVersion (and, at
   * the end of the initial events, the annotation). */
  private bookmarkObject(revision: number, initialEnd = false): Uint8Array {
    const metadata: Record<string, unknown> = { resourceVersion: String(revision) };
    if (initialEnd) metadata.annotations = { [INITIAL_EVENTS_END]: 'true' };
    return encoder.encode(JSON.stringify({ kind: this.spec.kind, apiVersion: this.spec.apiVersion, metadata }));
  }

  private emit(type: WatchEventType, object: Uint8Array): boolean {
    if (this.ended) return false;
    if (this.out.event(type, object)) return true;
    // The client cannot keep up: kube's cacher closes such a watcher; it rewatches.
    this.stop();
    return false;
  }

  private bookmark(): void {
    if (!this.spec.allowWatchBookmarks || this.ended || this.held) return;
    const revision = this.known;
    if (revision <= 0) return;
    this.emit('BOOKMARK', this.bookmarkObject(revision));
    this.bookmarked = revision;
  }

  private armTimers(): void {
    if (this.ended) return;
    const timeout = setTimeout(() => {
      // A last bookmark before the timeout, so the client resumes from the newest revision.
      if (this.known > this.bookmarked) this.bookmark();
      this.stop();
    }, this.spec.timeoutMs);
    timeout.unref();
    this.timers.push(timeout);
    if (this.spec.allowWatchBookmarks) {
      const interval = setInterval(() => this.bookmark(), this.spec.bookmarkIntervalMs ?? 60_000);
      interval.unref();
      this.timers.push(interval);
    }
  }

  /** Sends an ERROR event with the Status, then ends. */
  fail(err: StatusError): void {
    if (this.ended) return;
    this.out.event('ERROR', statusBytes(err));
    this.stop();
  }

  /** Ends the watch (client gone, timeout, slow client). */
  stop(): void {
    if (this.ended) return;
    this.ended = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers = [];
    this.feed.remove(this);
    this.out.end();
  }
}
