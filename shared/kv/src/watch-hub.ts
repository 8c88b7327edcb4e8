// Watch delivery for stores that keep their own revision log (memory, sqlite).
//
// Like etcd's watchable store, watchers are either synced (they have seen every matching event
// up to `head`, and one shared read of the log feeds them all) or unsynced (they started from an
// older revision and catch up with their own range reads until they reach `head`, then join the
// synced group in the same tick). Every read is bounded by `batchSize` events and the pump yields
// to the event loop between rounds, so no buffer grows with the backlog: the log is the buffer.
//
// The reader's reads are synchronous (memory, better-sqlite3), which is what makes "catch up to
// head, then join" atomic without locks.

import { KVError, type KeyValue, type Watch, type WatchEvent, type WatchHandler } from './kv.js';
import { copyBytes, inSpan, prefixSpan, type KeySpan } from './util.js';

export interface LogEvent {
  revision: number;
  key: string;
  event: WatchEvent;
}

export interface LogReader {
  currentRevision(): number;
  /** Events with revision in (after, upTo], ascending, at most `limit`, only for keys in `span`
   * when given. Throws KVError Compacted when revision after + 1 is below the compacted
   * revision (checked against the same snapshot the events are read from). */
  readLog(after: number, upTo: number, limit: number, span?: KeySpan): LogEvent[];
}

export interface WatchHubOptions {
  /** Events per read and per onEvents call (default 500). */
  batchSize?: number;
  /** Shared-feed reads per pump before yielding to the event loop (default 8). */
  roundsPerPump?: number;
  /** Idle synced watchers get onProgress(head) this often, as with etcd's progress_notify
   * (default 5000 ms; 0 = never). */
  progressIntervalMs?: number;
  /** Look for revisions written by another process this often (default 0 = never; the owner
   * calls poke() after its own commits). */
  pollIntervalMs?: number;
}

class HubWatcher implements Watch {
  next: number;
  closed = false;
  progressPending = false;
  /** Set when events were delivered since the last periodic progress tick. */
  active = false;

  constructor(
    private readonly hub: WatchHub,
    readonly span: KeySpan,
    start: number,
    readonly handler: WatchHandler,
  ) {
    this.next = start;
  }

  requestProgress(): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    this.progressPending = true;
    this.hub.poke();
    return Promise.resolve(true);
  }

  close(): Promise<void> {
    this.hub.remove(this);
    return Promise.resolve();
  }
}

export class WatchHub {
  private readonly batchSize: number;
  private readonly roundsPerPump: number;
  private readonly progressIntervalMs: number;
  private readonly pollIntervalMs: number;
  /** Synced watchers have seen every matching event with revision <= head. */
  private head: number;
  private readonly synced = new Set<HubWatcher>();
  private readonly unsynced = new Set<HubWatcher>();
  private scheduled: NodeJS.Immediate | undefined;
  private pumping = false;
  private progressTimer: NodeJS.Timeout | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly reader: LogReader,
    opts: WatchHubOptions = {},
  ) {
    this.batchSize = opts.batchSize ?? 500;
    this.roundsPerPump = opts.roundsPerPump ?? 8;
    this.progressIntervalMs = opts.progressIntervalMs ?? 5000;
    this.pollIntervalMs = opts.pollIntervalMs ?? 0;
    this.head = reader.currentRevision();
  }

  /** Number of open watches (for tests and metrics). */
  get size(): number {
    return this.synced.size + this.unsynced.size;
  }

  watch(prefix: string, fromRevision: number, handler: WatchHandler): Watch {
    if (this.closed) throw new KVError('Closed', 'kv is closed');
    const current = this.reader.currentRevision();
    if (this.size === 0) this.head = Math.max(this.head, current);
    const start = fromRevision > 0 ? fromRevision : current + 1;
    const w = new HubWatcher(this, prefixSpan(prefix), start, handler);
    // A watcher starting after head needs nothing from the past: the shared feed skips the
    // events below its start. One starting at or before head must catch up first, and so must
    // one added from inside a callback, while a batch it is not part of is being delivered.
    if (start > this.head && !this.pumping) this.synced.add(w);
    else this.unsynced.add(w);
    this.startTimers();
    this.poke();
    return w;
  }

  /** Schedules a pump (coalesced): call after a commit. */
  poke(): void {
    if (this.closed || this.scheduled || this.size === 0) return;
    this.scheduled = setImmediate(() => {
      this.scheduled = undefined;
      this.pump();
    });
  }

  /** Brings synced watchers up to the current revision now; the owner calls it before a local
   * compaction so that compaction never overtakes the shared feed. No-op inside a callback. */
  flush(): void {
    if (this.pumping || this.closed) return;
    this.pumping = true;
    try {
      while (this.pumpShared()) {
        // each round reads at most batchSize events and advances head
      }
    } finally {
      this.pumping = false;
    }
  }

  /** Ends every watch with `err` and refuses new ones. */
  close(err: KVError): void {
    if (this.closed) return;
    this.closed = true;
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    for (const w of [...this.synced, ...this.unsynced]) this.end(w, err);
    this.stopTimers();
  }

  /** Forgets `w` without telling it (Watch.close). */
  remove(w: HubWatcher): void {
    w.closed = true;
    this.synced.delete(w);
    this.unsynced.delete(w);
    if (this.size === 0) this.stopTimers();
  }

  /** Ends `w` with `err`: its last callback. */
  private end(w: HubWatcher, err: KVError): void {
    if (w.closed) return;
    this.remove(w);
    try {
      w.handler.onError(err);
    } catch {
      // the watch is over either way
    }
  }

  private pump(): void {
    if (this.closed || this.pumping) return;
    this.pumping = true;
    let again = false;
    try {
      again = this.pumpRounds();
    } catch (err) {
      this.failAll(err);
    } finally {
      this.pumping = false;
    }
    if (!this.closed && (again || this.currentOr(this.head) > this.head)) this.poke();
  }

  /** Bounded work: some shared-feed reads, one catch-up step per unsynced watcher, requested
   * progress notifications. Returns true when work is left for another pump. */
  private pumpRounds(): boolean {
    let again = false;
    for (let round = 0; round < this.roundsPerPump; round++) {
      if (!this.pumpShared()) break;
      if (round === this.roundsPerPump - 1) again = true;
    }
    for (const w of [...this.unsynced]) {
      if (!w.closed && !this.catchUp(w)) again = true;
    }
    // A requested progress notification waits until the feed has caught up with the store, so
    // its revision is at least the store's revision when it was requested (as etcd's).
    if (!again && this.head >= this.reader.currentRevision()) {
      for (const w of [...this.synced]) {
        if (w.progressPending && !w.closed && this.head >= w.next - 1) {
          w.progressPending = false;
          this.call(w, () => w.handler.onProgress?.(this.head));
        }
      }
    }
    return again;
  }

  /** The store failed to answer (not a compaction): every watch ends with Unavailable, since
   * none can be sure to have seen everything. */
  private failAll(err: unknown): void {
    const message = err instanceof Error ? err.message : String(err);
    const failure = err instanceof KVError && err.code !== 'Compacted' ? err : new KVError('Unavailable', `watch read failed: ${message}`);
    for (const w of [...this.synced, ...this.unsynced]) this.end(w, failure);
    this.head = this.currentOr(this.head);
  }

  private currentOr(fallback: number): number {
    try {
      return this.reader.currentRevision();
    } catch {
      return fallback;
    }
  }

  /** One bounded read of the shared feed. Returns true when more may be waiting. */
  private pumpShared(): boolean {
    const current = this.reader.currentRevision();
    if (current <= this.head) return false;
    if (this.synced.size === 0) {
      this.head = current;
      return false;
    }
    let events: LogEvent[];
    try {
      events = this.reader.readLog(this.head, current, this.batchSize);
    } catch (err) {
      if (!(err instanceof KVError) || err.code !== 'Compacted') throw err;
      // Another process compacted past our head: watchers that still needed events below the
      // compacted revision cannot get them; the others continue from it.
      const compacted = err.compactRevision ?? current;
      for (const w of [...this.synced]) {
        if (w.next < compacted) this.end(w, err);
      }
      this.head = Math.max(this.head, compacted - 1);
      return true;
    }
    const last = events.length < this.batchSize ? current : events[events.length - 1]!.revision;
    // An event going to several watchers is copied for all but the first: each handler owns the
    // values it receives.
    const taken = new Set<LogEvent>();
    for (const w of [...this.synced]) {
      if (w.closed) continue;
      const mine: WatchEvent[] = [];
      for (const e of events) {
        if (e.revision < w.next || !inSpan(e.key, w.span)) continue;
        if (taken.has(e)) {
          mine.push(cloneEvent(e.event));
        } else {
          taken.add(e);
          mine.push(e.event);
        }
      }
      if (w.next <= last) w.next = last + 1;
      if (mine.length > 0) {
        w.active = true;
        this.call(w, () => w.handler.onEvents(mine));
      }
    }
    this.head = last;
    return last < current;
  }

  /** One catch-up step for an unsynced watcher. Returns true once it has joined the synced set
   * (or ended). */
  private catchUp(w: HubWatcher): boolean {
    let events: LogEvent[];
    try {
      events = this.reader.readLog(w.next - 1, this.head, this.batchSize, w.span);
    } catch (err) {
      this.end(w, err instanceof KVError ? err : new KVError('Unavailable', String(err)));
      return true;
    }
    const caughtUp = events.length < this.batchSize;
    w.next = caughtUp ? Math.max(w.next, this.head + 1) : events[events.length - 1]!.revision + 1;
    if (caughtUp) {
      this.unsynced.delete(w);
      this.synced.add(w);
    }
    if (events.length > 0) {
      w.active = true;
      this.call(w, () => w.handler.onEvents(events.map((e) => e.event)));
    }
    return caughtUp || w.closed;
  }

  private call(w: HubWatcher, fn: () => void): void {
    if (w.closed) return;
    try {
      fn();
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.end(w, new KVError('Closed', `watch handler threw: ${message}`));
    }
  }

  private startTimers(): void {
    if (this.progressIntervalMs > 0 && !this.progressTimer) {
      this.progressTimer = setInterval(() => this.progressTick(), this.progressIntervalMs);
      this.progressTimer.unref();
    }
    if (this.pollIntervalMs > 0 && !this.pollTimer) {
      this.pollTimer = setInterval(() => {
        if (this.currentOr(this.head) > this.head) this.poke();
      }, this.pollIntervalMs);
      this.pollTimer.unref();
    }
  }

  private stopTimers(): void {
    if (this.progressTimer) clearInterval(this.progressTimer);
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.progressTimer = undefined;
    this.pollTimer = undefined;
  }

  /** Periodic progress for synced watchers that received nothing since the last tick. */
  private progressTick(): void {
    if (this.closed || this.pumping) return;
    try {
      this.flush();
    } catch (err) {
      this.failAll(err);
      return;
    }
    if (this.head < this.currentOr(this.head)) return;
    for (const w of [...this.synced]) {
      if (w.closed) continue;
      if (w.active) {
        w.active = false;
        continue;
      }
      if (this.head >= w.next - 1) this.call(w, () => w.handler.onProgress?.(this.head));
    }
  }
}

function cloneKv(kv: KeyValue): KeyValue {
  return { ...kv, value: copyBytes(kv.value) };
}

function cloneEvent(e: WatchEvent): WatchEvent {
  const out: WatchEvent = { type: e.type, kv: cloneKv(e.kv) };
  if (e.prevKv) out.prevKv = cloneKv(e.prevKv);
  return out;
}
