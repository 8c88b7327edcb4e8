// Periodic compaction, as kube-apiserver's compactor does it.
//
// Every interval, compact to the revision observed at the previous tick, so at least one
// interval of history stays available for watches that resume and for reads at a recent
// revision. Several replicas may run a compactor against the same store: they coordinate
// through the key `compact_rev_key` (the key kube-apiserver uses), written with a
// compare-and-swap on its mod revision. Only the replica whose write wins compacts in that
// interval; the others learn the key's new mod revision and the store revision and try again
// next interval. A tick where nothing but our own bookkeeping was written is skipped, so an idle
// store is neither written nor compacted.

import { KVError, type KV } from './kv.js';

export const COMPACT_REV_KEY = 'compact_rev_key';

export interface CompactorOptions {
  intervalMs: number;
  /** Called with errors other than "already compacted" (default: ignore; the next tick retries). */
  onError?: (err: unknown) => void;
  /** Called after each compaction this replica performed. */
  onCompacted?: (revision: number) => void;
}

export interface Compactor {
  /** Stops the timer and waits for a running tick. */
  stop(): Promise<void>;
}

export function startCompactor(kv: KV, opts: CompactorOptions): Compactor {
  if (!(opts.intervalMs > 0)) throw new RangeError('intervalMs must be positive');
  // The mod revision of compact_rev_key as we last saw it (0 = absent or unknown), the store
  // revision observed then, and the store revision right after our own last write.
  let keyRevision = 0;
  let observed = 0;
  let afterOwnWrite = -1;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();

  const tick = async (): Promise<void> => {
    if ((await kv.currentRevision()) === afterOwnWrite) return; // idle since our last tick
    const value = new TextEncoder().encode(String(observed));
    const result =
      keyRevision === 0 ? await kv.create(COMPACT_REV_KEY, value) : await kv.update(COMPACT_REV_KEY, value, keyRevision);
    if (!result.succeeded) {
      // Another replica wrote the key (or we started without knowing it): adopt its state.
      keyRevision = result.kv?.modRevision ?? 0;
      observed = result.revision;
      afterOwnWrite = -1;
      return;
    }
    const target = observed;
    keyRevision = result.revision;
    observed = result.revision;
    afterOwnWrite = result.revision;
    if (target === 0) return; // first tick: nothing observed yet, nothing to compact
    try {
      await kv.compact(target);
      opts.onCompacted?.(target);
    } catch (err) {
      if (!(err instanceof KVError && err.code === 'Compacted')) throw err;
    }
  };

  const schedule = (): void => {
    if (stopped) return;
    timer = setTimeout(() => {
      timer = undefined;
      running = tick()
        .catch((err: unknown) => opts.onError?.(err))
        .finally(schedule);
    }, opts.intervalMs);
    timer.unref();
  };
  schedule();

  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      await running;
    },
  };
}
