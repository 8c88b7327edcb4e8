// The admission worker pool: piscina threads running worker.ts, fed in batches, with a bounded
// queue.
//
// A piscina task costs a thread hand-off (measured: ~7k no-op tasks/s for two threads on a
// 2-core machine), more than reviewing a Pod costs (~30-50 µs). So a review goes straight to a
// thread only while one is idle; otherwise it waits in the pool's own FIFO, and whenever a batch
// comes back the waiting reviews leave in batches: a fair share per thread, up to maxBatch, with
// at most two batches per thread out at once (one running, one ready behind it). Under light
// load nothing waits; under heavy load one hand-off carries many reviews. A review that finds
// maxQueue reviews already waiting is refused at once with 429 TooManyRequests (as
// kube-apiserver sheds load), never queued without bound.

import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { StatusError, newInternalError, newServiceUnavailable, newTooManyRequests } from '@kapi/apimachinery';
import type { AdmissionRequest, AdmissionResponse } from '@kapi/bus';
import { type ReviewResult, decodeResults, encodeRequests } from './batch-codec.js';
import type { AdmissionWorkerData } from './worker.js';

export interface AdmissionPoolOptions {
  /** Worker threads (default: os.availableParallelism()). */
  workers?: number;
  /** Reviews that may wait for a thread (default: max(64, 32 per thread)). */
  maxQueue?: number;
  /** Most reviews handed to a thread in one task (default 32). */
  maxBatch?: number;
  /** Admission plugin modules every thread loads (see AdmissionWorkerData). */
  pluginModules?: string[];
  /** The built-in admission plugins every thread runs, in order (see AdmissionWorkerData). */
  admissionPlugins?: string[];
  /** The cluster-access bridge's channel (access/bridge.ts); without one, plugins that read the
   * cluster are not available. */
  accessChannel?: string;
}

export interface PoolStats {
  threads: number;
  /** Reviews waiting for a thread. */
  queued: number;
  maxQueue: number;
  /** Reviews waiting or being run. */
  inFlight: number;
  /** Batches handed to threads and not yet answered. */
  batchesRunning: number;
  /** Reviews answered. */
  completed: number;
  /** Reviews refused because the queue was full. */
  rejected: number;
  closed: boolean;
}

/** kube-apiserver's text when it sheds load. */
export const TOO_MANY_REQUESTS_MESSAGE = 'Too many requests, please try again later.';

/** Batches out per thread: one running, one ready to start the moment it finishes. */
const BATCHES_PER_THREAD = 2;

const WORKER_FILE = fileURLToPath(new URL('./worker.js', import.meta.url));

interface Waiting {
  request: AdmissionRequest;
  resolve: (response: AdmissionResponse) => void;
  reject: (err: StatusError) => void;
}

function positiveInt(name: string, v: number, min: number): number {
  if (!Number.isInteger(v) || v < min) throw new RangeError(`${name} must be an integer >= ${min}, got ${v}`);
  return v;
}

export class AdmissionPool {
  private readonly piscina: Piscina<Uint8Array, Uint8Array>;
  private readonly threads: number;
  readonly maxQueue: number;
  private readonly maxBatch: number;
  private readonly maxRunning: number;
  /** FIFO of waiting reviews: a ring over an array, never longer than maxQueue. */
  private readonly waiting: (Waiting | undefined)[];
  private head = 0;
  private size = 0;
  private running = 0;
  private inBatches = 0;
  private completed = 0;
  private rejected = 0;
  private closed = false;
  private drained: (() => void) | undefined;
  private closing: Promise<void> | undefined;

  constructor(options: AdmissionPoolOptions = {}) {
    this.threads = positiveInt('workers', options.workers ?? availableParallelism(), 1);
    this.maxQueue = positiveInt('maxQueue', options.maxQueue ?? Math.max(64, 32 * this.threads), 0);
    this.maxBatch = positiveInt('maxBatch', options.maxBatch ?? 32, 1);
    this.maxRunning = this.threads * BATCHES_PER_THREAD;
    this.waiting = new Array<Waiting | undefined>(Math.max(1, this.maxQueue));
    const workerData: AdmissionWorkerData = {
      pluginModules: [...(options.pluginModules ?? [])],
      ...(options.admissionPlugins ? { admissionPlugins: [...options.admissionPlugins] } : {}),
      ...(options.accessChannel ? { accessChannel: options.accessChannel } : {}),
    };
    this.piscina = new Piscina<Uint8Array, Uint8Array>({
      filename: WORKER_FILE,
      minThreads: this.threads,
      maxThreads: this.threads,
      // Threads are kept: each one holds the compiled definitions.
      idleTimeout: Number.POSITIVE_INFINITY,
      // The pool never has more than maxRunning batches out, so piscina's queue stays this short.
      maxQueue: this.maxRunning,
      // Both of a thread's batches run at once: one waiting on a webhook or a cluster read does
      // not hold up the other.
      concurrentTasksPerWorker: BATCHES_PER_THREAD,
      workerData,
    });
    // A thread that dies is replaced by piscina; its batch is rejected and answered below.
    this.piscina.on('error', () => undefined);
  }

  /** Reviews one request. Rejects with the chain's StatusError, 429 when the queue is full. */
  review(request: AdmissionRequest): Promise<AdmissionResponse> {
    if (this.closed) return Promise.reject(newServiceUnavailable('admission worker pool is shutting down'));
    // Straight to a thread only while one is idle; otherwise wait, to leave with a batch.
    const canStartNow = this.running < this.threads && this.size === 0;
    if (!canStartNow && this.size >= this.maxQueue) {
      this.rejected++;
      return Promise.reject(newTooManyRequests(TOO_MANY_REQUESTS_MESSAGE, 1));
    }
    return new Promise<AdmissionResponse>((resolve, reject) => {
      const w: Waiting = { request, resolve, reject };
      if (canStartNow) this.dispatch([w]);
      else {
        this.waiting[(this.head + this.size) % this.waiting.length] = w;
        this.size++;
      }
    });
  }

  private take(n: number): Waiting[] {
    const out: Waiting[] = [];
    for (let i = 0; i < n; i++) {
      out.push(this.waiting[this.head]!);
      this.waiting[this.head] = undefined;
      this.head = (this.head + 1) % this.waiting.length;
    }
    this.size -= n;
    return out;
  }

  /** Hands waiting reviews to free batch slots, a fair share per thread each (up to maxBatch). */
  private pump(): void {
    while (this.running < this.maxRunning && this.size > 0) {
      this.dispatch(this.take(Math.min(this.maxBatch, Math.ceil(this.size / this.threads))));
    }
    if (this.closed && this.running === 0 && this.size === 0) this.drained?.();
  }

  private dispatch(batch: Waiting[]): void {
    this.running++;
    this.inBatches += batch.length;
    void this.runBatch(batch).then(
      (results) => {
        for (let i = 0; i < batch.length; i++) {
          const result = results[i];
          const w = batch[i]!;
          if (!result) w.reject(newInternalError('admission worker returned no result'));
          else if (result.ok) w.resolve({ object: result.object ?? w.request.object, warnings: result.warnings, ...(result.auditAnnotations ? { auditAnnotations: result.auditAnnotations } : {}) });
          else w.reject(new StatusError(result.status));
        }
        this.settle(batch.length);
      },
      (err: unknown) => {
        const failure = newInternalError(`admission worker failed: ${err instanceof Error ? err.message : String(err)}`);
        for (const w of batch) w.reject(failure);
        this.settle(batch.length);
      },
    );
  }

  /** One piscina task: the batch packed into one transferred buffer, the results likewise. */
  private async runBatch(batch: readonly Waiting[]): Promise<ReviewResult[]> {
    const packed = encodeRequests(batch.map((w) => w.request));
    const reply = await this.piscina.run(packed, { transferList: [packed.buffer as ArrayBuffer] });
    return decodeResults(reply);
  }

  private settle(n: number): void {
    this.running--;
    this.inBatches -= n;
    this.completed += n;
    this.pump();
  }

  stats(): PoolStats {
    return {
      threads: this.piscina.threads.length,
      queued: this.size,
      maxQueue: this.maxQueue,
      inFlight: this.size + this.inBatches,
      batchesRunning: this.running,
      completed: this.completed,
      rejected: this.rejected,
      closed: this.closed,
    };
  }

  /** Refuses new reviews, answers the ones waiting or running, then stops the threads. */
  close(): Promise<void> {
    if (!this.closing) {
      this.closed = true;
      this.closing = (async () => {
        if (this.running > 0 || this.size > 0) {
          await new Promise<void>((resolve) => {
            this.drained = resolve;
          });
        }
        await this.piscina.close();
      })();
    }
    return this.closing;
  }
}
