// Per-subscription admission of RPC work: at most `maxConcurrent` handlers run at once; up to
// `maxQueued` more requests (and `maxQueuedBytes` of their payloads) wait in FIFO order; beyond
// that submit() refuses and the bus answers TooManyRequests. A queued request whose requester
// has already given up (its deadline passed) is dropped instead of run.

export interface GateLimits {
  maxConcurrent: number;
  maxQueued: number;
  maxQueuedBytes: number;
}

interface Queued {
  run: () => Promise<void>;
  bytes: number;
  deadline: number;
}

export class WorkGate {
  private readonly limits: GateLimits;
  private readonly queue: (Queued | undefined)[] = [];
  private head = 0;
  private queuedBytes = 0;
  private running = 0;
  private idleWaiters: (() => void)[] = [];
  /** Queued requests dropped because their deadline passed first. */
  expired = 0;

  constructor(limits: GateLimits) {
    for (const [name, v] of Object.entries(limits)) {
      if (!(Number.isInteger(v) && v >= 0) || (name === 'maxConcurrent' && v < 1)) {
        throw new RangeError(`${name} must be a ${name === 'maxConcurrent' ? 'positive' : 'non-negative'} integer, got ${v}`);
      }
    }
    this.limits = { ...limits };
  }

  get active(): number {
    return this.running;
  }

  get queued(): number {
    return this.queue.length - this.head;
  }

  /** Runs `run` now or queues it. Returns false, running nothing, when the queue is full.
   * `run` must not reject (the gate swallows a rejection, but it would be lost). `deadline` is a
   * performance.now() value after which queued work is dropped (Infinity: never). */
  submit(run: () => Promise<void>, bytes: number, deadline = Infinity): boolean {
    if (this.running < this.limits.maxConcurrent && this.queued === 0) {
      this.start(run);
      return true;
    }
    if (this.queued >= this.limits.maxQueued || this.queuedBytes + bytes > this.limits.maxQueuedBytes) return false;
    this.queue.push({ run, bytes, deadline });
    this.queuedBytes += bytes;
    return true;
  }

  /** Resolves when nothing runs and nothing waits. */
  idle(): Promise<void> {
    if (this.running === 0 && this.queued === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private start(run: () => Promise<void>): void {
    this.running++;
    let p: Promise<void>;
    try {
      p = run();
    } catch {
      p = Promise.resolve();
    }
    p.catch(() => undefined).finally(() => {
      this.running--;
      this.pump();
    });
  }

  private pump(): void {
    const now = performance.now();
    while (this.running < this.limits.maxConcurrent && this.queued > 0) {
      const next = this.queue[this.head]!;
      this.queue[this.head++] = undefined;
      this.queuedBytes -= next.bytes;
      if (next.deadline < now) {
        this.expired++;
        continue;
      }
      this.start(next.run);
    }
    // Compact the array once its consumed prefix dominates.
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    } else if (this.queued === 0) {
      this.queue.length = 0;
      this.head = 0;
    }
    if (this.running === 0 && this.queued === 0 && this.idleWaiters.length > 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }
}
