// The ring of recent events of one resource (kube's watchCache cyclic buffer): what a watch from
// an older resourceVersion, or a gateway that missed an event, is served from.
//
// Sizing, as kube's watch cache after its dynamic-capacity change: events younger than
// `minRetentionMs` (75 s, kube's eventFreshDuration) are kept so that a client that relists and
// rewatches within that window is not sent 410; older ones are dropped once more than `softCount`
// are held. `maxEvents` and `maxBytes` are hard bounds that win over retention: memory never
// grows past them whatever the write rate.

/** One change, as every consumer of the cache sees it. */
export interface CachedEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  key: string;
  namespace: string;
  /** KV revision of the change. */
  revision: number;
  /** The object as JSON with resourceVersion set (for DELETED: the last state, with the delete's
   * revision as resourceVersion). */
  object: Uint8Array;
  /** The state before the change (MODIFIED and DELETED). */
  prevObject: Uint8Array | undefined;
  /** Date.now() when the cache received it. */
  receivedAt: number;
}

export interface RingOptions {
  minRetentionMs?: number;
  softCount?: number;
  maxEvents?: number;
  maxBytes?: number;
  now?: () => number;
}

export const DEFAULT_MIN_RETENTION_MS = 75_000;
export const DEFAULT_SOFT_COUNT = 1_000;
export const DEFAULT_MAX_EVENTS = 50_000;
export const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;

/** Approximate memory of an event: its bytes plus a fixed overhead for the record. */
function sizeOf(event: CachedEvent): number {
  return event.object.byteLength + (event.prevObject?.byteLength ?? 0) + event.key.length * 2 + 96;
}

export class EventRing {
  private readonly minRetentionMs: number;
  private readonly softCount: number;
  private readonly maxEvents: number;
  private readonly maxBytes: number;
  private readonly now: () => number;
  private events: CachedEvent[] = [];
  private head = 0;
  private bytes = 0;
  /** Every change with a revision above this one is in the ring. */
  private start: number;

  constructor(startRevision: number, opts: RingOptions = {}) {
    this.start = startRevision;
    this.minRetentionMs = opts.minRetentionMs ?? DEFAULT_MIN_RETENTION_MS;
    this.softCount = opts.softCount ?? DEFAULT_SOFT_COUNT;
    this.maxEvents = opts.maxEvents ?? DEFAULT_MAX_EVENTS;
    this.maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
    this.now = opts.now ?? Date.now;
  }

  /** The revision the ring is complete after: changes with revision > startRevision are here. */
  get startRevision(): number {
    return this.start;
  }

  get size(): number {
    return this.events.length - this.head;
  }

  get byteSize(): number {
    return this.bytes;
  }

  /** Appends an event (revisions must increase) and evicts what the bounds say must go. */
  push(event: CachedEvent): void {
    this.events.push(event);
    this.bytes += sizeOf(event);
    this.evict();
  }

  /** Drops events past the bounds (also called on a timer, so that retention applies without
   * writes). */
  evict(): void {
    const oldestAllowed = this.now() - this.minRetentionMs;
    while (this.size > 0) {
      const oldest = this.events[this.head]!;
      const overHard = this.size > this.maxEvents || this.bytes > this.maxBytes;
      const stale = this.size > this.softCount && oldest.receivedAt < oldestAllowed;
      if (!overHard && !stale) break;
      this.events[this.head] = undefined as unknown as CachedEvent;
      this.head++;
      this.bytes -= sizeOf(oldest);
      this.start = oldest.revision;
    }
    if (this.head > 1024 && this.head * 2 > this.events.length) {
      this.events = this.events.slice(this.head);
      this.head = 0;
    }
  }

  /** Every event with revision > afterRevision, oldest first, or undefined when some of them
   * were already evicted (the caller answers 410). */
  since(afterRevision: number): CachedEvent[] | undefined {
    if (afterRevision < this.start) return undefined;
    // Binary search for the first event with revision > afterRevision.
    let lo = this.head;
    let hi = this.events.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.events[mid]!.revision > afterRevision) hi = mid;
      else lo = mid + 1;
    }
    return this.events.slice(lo);
  }

  /** Forgets everything: the cache relisted at `startRevision`. */
  reset(startRevision: number): void {
    this.events = [];
    this.head = 0;
    this.bytes = 0;
    this.start = startRevision;
  }
}
