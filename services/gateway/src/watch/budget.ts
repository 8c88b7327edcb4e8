// The gateway-wide bound on watch output waiting for slow clients. Each watcher already has its
// own bound (maxBufferedBytes); this one bounds their sum, so 10,000 watchers cannot hold
// 10,000 x that bound. When the sum would pass the budget, the watchers with the largest backlog
// are closed first (kube's cacher closes unresponsive watchers the same way: the client rewatches
// from its last resourceVersion, or relists after a 410). Frames shared between watchers are
// counted once per watcher that holds them: an upper bound on what the backlog keeps alive.

/** One watcher's unsent output, as the budget sees it. */
export interface BudgetedWatcher {
  /** Bytes written to the client's stream and not yet taken by the socket. */
  backlog(): number;
  /** Ends the watch now, releasing its backlog. */
  evict(): void;
}

/** After an eviction the total is brought down to this share of the limit. */
const LOW_WATER = 0.9;

export class WatchBufferBudget {
  private readonly accounted = new Map<BudgetedWatcher, number>();
  private totalBytes = 0;
  private evictions = 0;

  constructor(readonly limitBytes: number) {}

  /** Bytes currently accounted to all watchers. */
  get total(): number {
    return this.totalBytes;
  }

  /** Watchers closed for the budget so far. */
  get evicted(): number {
    return this.evictions;
  }

  get watchers(): number {
    return this.accounted.size;
  }

  /** Starts accounting a watcher (its backlog is 0). */
  add(watcher: BudgetedWatcher): void {
    if (!this.accounted.has(watcher)) this.accounted.set(watcher, 0);
  }

  /** Stops accounting a watcher (it ended). */
  remove(watcher: BudgetedWatcher): void {
    const bytes = this.accounted.get(watcher);
    if (bytes === undefined) return;
    this.accounted.delete(watcher);
    this.totalBytes -= bytes;
  }

  /**
   * Re-reads a watcher's backlog after it wrote or drained; when the total is over the limit,
   * evicts the largest backlogs (possibly this watcher's) until it is under 90% of the limit.
   * Returns whether `watcher` is still open.
   */
  update(watcher: BudgetedWatcher): boolean {
    const before = this.accounted.get(watcher);
    if (before === undefined) return false;
    const now = watcher.backlog();
    this.accounted.set(watcher, now);
    this.totalBytes += now - before;
    if (this.totalBytes <= this.limitBytes) return true;
    // Largest first, down to a low-water mark so that a gateway at its limit sorts its watchers
    // once per batch of evictions rather than once per write.
    const target = this.limitBytes * LOW_WATER;
    const bySize = [...this.accounted].sort((a, b) => b[1] - a[1]);
    for (const [candidate] of bySize) {
      if (this.totalBytes <= target) break;
      this.remove(candidate);
      this.evictions++;
      candidate.evict();
    }
    return this.accounted.has(watcher);
  }
}
