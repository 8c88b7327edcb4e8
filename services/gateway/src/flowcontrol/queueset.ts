// One priority level's queues (k8s.io/apiserver/pkg/util/flowcontrol/fairqueuing/queueset,
// reimplemented): a concurrency limit in seats, requests of a flow shuffle-sharded into `handSize`
// of `queues` queues (the least loaded of its hand), dispatched by fair queuing in virtual time,
// and rejected when their queue is full or their wait deadline passes.
//
// Fair queuing, as kube does it: virtual time R advances at min(seats demanded, limit) / active
// queues per real second (the rate at which each active queue would be served if the seats were
// shared equally). A queue that becomes active starts at the current R; each dispatch moves its
// next-dispatch R forward by the request's estimated work (seats × estimated service time), and
// the estimate is corrected by the real duration when the request finishes. The queue with the
// lowest next-dispatch R is served next, so a flow that has used more than its share waits
// while the others catch up.
//
// Everything is bounded: at most queues × queueLengthLimit requests wait, each with one timer.

/** The configuration of one level's queue set. `queues` 0 means LimitResponse Reject. */
export interface QueueSetConfig {
  name: string;
  /** Seats that may execute at once (the level's concurrency limit, at least 1). */
  concurrencyLimit: number;
  queues: number;
  handSize: number;
  queueLengthLimit: number;
}

export type RejectReason = 'queue-full' | 'concurrency-limit' | 'time-out' | 'cancelled';

export type Outcome = { kind: 'executing'; release: () => void } | { kind: 'rejected'; reason: RejectReason };

/** The service time each dispatch is first charged with; corrected at completion. */
const ESTIMATED_SERVICE_SECONDS = 0.1;

const MAX_TIMER_MS = 2 ** 31 - 1;

/** Largest hash entropy a hand may need (kube's MaxHashBits). */
const MAX_HASH_BITS = 60;

/**
 * Shuffle sharding (kube's shufflesharding.Dealer): deals `handSize` distinct cards out of
 * `deckSize` from a 64-bit hash, reading the hash as a mixed-radix number (deckSize,
 * deckSize-1, ...). The same hash always gets the same hand.
 */
export class Dealer {
  readonly deckSize: number;
  readonly handSize: number;

  constructor(deckSize: number, handSize: number) {
    if (!Number.isInteger(deckSize) || !Number.isInteger(handSize) || deckSize <= 0 || handSize <= 0) {
      throw new Error(`deckSize ${deckSize} and handSize ${handSize} must be positive integers`);
    }
    if (handSize > deckSize) throw new Error(`handSize ${handSize} is greater than deckSize ${deckSize}`);
    if (requiredEntropyBits(deckSize, handSize) > MAX_HASH_BITS) {
      throw new Error(`a hand of ${handSize} from a deck of ${deckSize} needs more than ${MAX_HASH_BITS} bits of hash`);
    }
    this.deckSize = deckSize;
    this.handSize = handSize;
  }

  /** The hand (queue indices) of a hash. */
  deal(hash: bigint): number[] {
    const digits: number[] = [];
    let h = BigInt.asUintN(64, hash);
    for (let i = 0; i < this.handSize; i++) {
      const radix = BigInt(this.deckSize - i);
      digits.push(Number(h % radix));
      h /= radix;
    }
    // Digit i picks among the cards digits 0..i-1 left; walking back over the earlier digits
    // shifts it past each one it is not below, which makes the cards distinct.
    const hand: number[] = [];
    for (let i = 0; i < digits.length; i++) {
      let card = digits[i]!;
      for (let j = i; j > 0; j--) if (card >= digits[j - 1]!) card++;
      hand.push(card);
    }
    return hand;
  }
}

/** log2(deck × (deck-1) × ... × (deck-hand+1)), rounded up. */
export function requiredEntropyBits(deckSize: number, handSize: number): number {
  return Math.ceil(Math.log2(deckSize) * handSize);
}

interface Waiter {
  seats: number;
  queue: Queue;
  resolve: (o: Outcome) => void;
  timer: ReturnType<typeof setTimeout> | undefined;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

class Queue {
  readonly waiting: Waiter[] = [];
  waitingSeats = 0;
  seatsInUse = 0;
  executing = 0;
  nextDispatchR = 0;

  get active(): boolean {
    return this.waiting.length > 0 || this.executing > 0;
  }
}

export interface QueueSetStats {
  seatsInUse: number;
  executing: number;
  waiting: number;
  rejected: Record<RejectReason, number>;
  dispatched: number;
}

export class QueueSet {
  private config: QueueSetConfig;
  private dealer: Dealer | undefined;
  private queues: Queue[] = [];
  private seatsInUse = 0;
  private executing = 0;
  private waiting = 0;
  private currentR = 0;
  private lastAdvance: number;
  private robin = 0;
  private dispatched = 0;
  private readonly rejected: Record<RejectReason, number> = { 'queue-full': 0, 'concurrency-limit': 0, 'time-out': 0, cancelled: 0 };

  constructor(
    config: QueueSetConfig,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.config = config;
    this.lastAdvance = now();
    this.setConfig(config);
  }

  get name(): string {
    return this.config.name;
  }

  get concurrencyLimit(): number {
    return this.config.concurrencyLimit;
  }

  /** Applies a new configuration. Queues beyond a smaller count stay until they drain; waiting
   * requests keep their queue. */
  setConfig(config: QueueSetConfig): void {
    this.advance();
    if (config.queues > 0) this.dealer = new Dealer(config.queues, Math.min(config.handSize, config.queues));
    else this.dealer = undefined;
    this.config = { ...config, concurrencyLimit: Math.max(1, config.concurrencyLimit) };
    while (this.queues.length < config.queues) {
      const q = new Queue();
      q.nextDispatchR = this.currentR;
      this.queues.push(q);
    }
    this.trimQueues();
    this.dispatchAsMuchAsPossible();
  }

  stats(): QueueSetStats {
    return { seatsInUse: this.seatsInUse, executing: this.executing, waiting: this.waiting, rejected: { ...this.rejected }, dispatched: this.dispatched };
  }

  /**
   * Asks for `seats` seats for a request of the flow with `hash`. Resolves once it may execute
   * (call release() exactly when it is done; later calls are ignored), or with the reason it was
   * rejected: its queue (or, for Reject levels, the level) was full, `waitUntil` (a `now()` value)
   * passed while it waited, or `signal` aborted.
   */
  acquire(hash: bigint, seats: number, waitUntil: number, signal?: AbortSignal): Promise<Outcome> {
    seats = Math.max(1, Math.floor(seats));
    if (signal?.aborted) return Promise.resolve(this.reject('cancelled'));
    this.advance();
    if (!this.dealer) {
      // LimitResponse Reject: execute now or never
      if (this.canAccommodate(seats)) return Promise.resolve(this.startExecuting(seats, undefined));
      return Promise.resolve(this.reject('concurrency-limit'));
    }
    const queue = this.chooseQueue(hash, this.dealer);
    if (queue.waiting.length >= this.config.queueLengthLimit) return Promise.resolve(this.reject('queue-full'));
    if (waitUntil <= this.now()) return Promise.resolve(this.reject('time-out'));
    return new Promise<Outcome>((resolve) => {
      const w: Waiter = { seats, queue, resolve, timer: undefined, signal, onAbort: undefined };
      if (!queue.active) queue.nextDispatchR = this.currentR;
      queue.waiting.push(w);
      queue.waitingSeats += seats;
      this.waiting++;
      // no timer for an unbounded wait (tests); Node's timers cannot wait longer than 2^31-1 ms
      if (Number.isFinite(waitUntil)) w.timer = setTimeout(() => this.abandon(w, 'time-out'), Math.min(MAX_TIMER_MS, Math.max(0, waitUntil - this.now())));
      if (signal) {
        w.onAbort = () => this.abandon(w, 'cancelled');
        signal.addEventListener('abort', w.onAbort, { once: true });
      }
      this.dispatchAsMuchAsPossible();
    });
  }

  /** The least loaded queue of the flow's hand (first of the hand on ties). */
  private chooseQueue(hash: bigint, dealer: Dealer): Queue {
    let best: Queue | undefined;
    let bestLoad = Infinity;
    for (const i of dealer.deal(hash)) {
      const q = this.queues[i]!;
      const load = q.waitingSeats + q.seatsInUse;
      if (load < bestLoad) {
        best = q;
        bestLoad = load;
      }
    }
    return best!;
  }

  /** A request fits when its seats are free, or when nothing executes (so a request wider than
   * the limit still runs, alone). */
  private canAccommodate(seats: number): boolean {
    return this.seatsInUse === 0 || this.seatsInUse + seats <= this.config.concurrencyLimit;
  }

  private reject(reason: RejectReason): Outcome {
    this.rejected[reason]++;
    return { kind: 'rejected', reason };
  }

  /** Moves virtual time to now. */
  private advance(): void {
    const now = this.now();
    const dt = (now - this.lastAdvance) / 1000;
    this.lastAdvance = now;
    if (dt <= 0) return;
    let active = 0;
    let demand = 0;
    for (const q of this.queues) {
      if (!q.active) continue;
      active++;
      demand += q.seatsInUse + q.waitingSeats;
    }
    if (active === 0) return;
    this.currentR += (dt * Math.min(demand, this.config.concurrencyLimit)) / active;
  }

  private removeWaiter(w: Waiter): boolean {
    const i = w.queue.waiting.indexOf(w);
    if (i < 0) return false;
    w.queue.waiting.splice(i, 1);
    w.queue.waitingSeats -= w.seats;
    this.waiting--;
    if (w.timer) clearTimeout(w.timer);
    if (w.signal && w.onAbort) w.signal.removeEventListener('abort', w.onAbort);
    return true;
  }

  private abandon(w: Waiter, reason: RejectReason): void {
    this.advance();
    if (!this.removeWaiter(w)) return;
    w.resolve(this.reject(reason));
    this.trimQueues();
    // the head of that queue may have been blocked behind nothing; others may now fit
    this.dispatchAsMuchAsPossible();
  }

  private startExecuting(seats: number, queue: Queue | undefined): Outcome {
    this.seatsInUse += seats;
    this.executing++;
    this.dispatched++;
    if (queue) {
      queue.seatsInUse += seats;
      queue.executing++;
      queue.nextDispatchR += seats * ESTIMATED_SERVICE_SECONDS;
    }
    const started = this.now();
    let released = false;
    return {
      kind: 'executing',
      release: () => {
        if (released) return;
        released = true;
        this.advance();
        this.seatsInUse -= seats;
        this.executing--;
        if (queue) {
          queue.seatsInUse -= seats;
          queue.executing--;
          const actual = (this.now() - started) / 1000;
          queue.nextDispatchR += seats * (actual - ESTIMATED_SERVICE_SECONDS);
        }
        this.trimQueues();
        this.dispatchAsMuchAsPossible();
      },
    };
  }

  /** Serves waiting requests, lowest next-dispatch R first, while their seats are free. */
  private dispatchAsMuchAsPossible(): void {
    this.advance();
    for (;;) {
      let best: Queue | undefined;
      const n = this.queues.length;
      for (let k = 0; k < n; k++) {
        const q = this.queues[(this.robin + k) % n]!;
        if (q.waiting.length === 0) continue;
        if (!best || q.nextDispatchR < best.nextDispatchR) best = q;
      }
      if (!best) return;
      const head = best.waiting[0]!;
      // the fairest request waits for its seats rather than letting narrower ones pass it
      if (!this.canAccommodate(head.seats)) return;
      this.removeWaiter(head);
      this.robin = (this.queues.indexOf(best) + 1) % n;
      head.resolve(this.startExecuting(head.seats, best));
    }
  }

  /** Drops idle queues beyond the configured count (after the count shrank). */
  private trimQueues(): void {
    while (this.queues.length > this.config.queues && !this.queues[this.queues.length - 1]!.active) this.queues.pop();
  }
}
