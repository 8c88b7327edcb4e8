// Retrying a lost compare-and-swap. kube's etcd3 GuaranteedUpdate retries for as long as the
// request lives (only a failed precondition or the request's context ends it), so any number of
// concurrent writers of one key all succeed eventually. kapi bounds the retries by time, never by
// a count: a small count fails writers under ordinary contention (20 controllers updating one
// object), a deadline only fails them when the store cannot make progress at all.

/** How long one request keeps retrying lost compare-and-swaps (kube's request timeout is 60 s;
 * this leaves the gateway room to answer before its own deadline). */
export const CAS_RETRY_BUDGET_MS = 30_000;
/** Upper bound of one backoff step; the first retries wait (almost) nothing. */
const MAX_BACKOFF_MS = 50;

export class CasRetry {
  private attempts = 0;
  private readonly deadline: number;

  constructor(
    budgetMs = CAS_RETRY_BUDGET_MS,
    private readonly now: () => number = Date.now,
  ) {
    this.deadline = now() + budgetMs;
  }

  /**
   * Waits before the next attempt: full jitter over an exponentially growing window (1, 2, 4 ...
   * up to MAX_BACKOFF_MS), so writers that collided spread out instead of colliding again.
   * Resolves false, without waiting, once the deadline has passed.
   */
  async backoff(): Promise<boolean> {
    if (this.now() >= this.deadline) return false;
    const window = Math.min(MAX_BACKOFF_MS, 2 ** this.attempts);
    this.attempts++;
    const delay = Math.floor(Math.random() * window);
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    return true;
  }
}
