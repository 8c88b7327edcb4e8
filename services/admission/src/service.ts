// The admission service on the bus: AdmissionRpc.review (queue group "admission", so replicas
// share the work) answered by the worker pool, and AdmissionRpc.health reporting the pool.

import { hostname } from 'node:os';
import { AdmissionRpc, type Bus, type HealthReply, type Subscription } from '@kapi/bus';
import { AdmissionPool, type AdmissionPoolOptions, type PoolStats } from './pool.js';

export const ADMISSION_QUEUE = 'admission';

export interface AdmissionServiceOptions extends AdmissionPoolOptions {
  bus: Bus;
  /** This replica's name in health replies (default: hostname and pid). */
  instance?: string;
}

export interface AdmissionService {
  /** The pool's current numbers. */
  stats(): PoolStats;
  /** Stops serving (reviews in flight finish), then stops the worker threads. */
  close(): Promise<void>;
}

/** One line for the health check: what the pool is doing. */
export function describePool(s: PoolStats): string {
  return `threads=${s.threads} inFlight=${s.inFlight} queued=${s.queued}/${s.maxQueue} batches=${s.batchesRunning} completed=${s.completed} rejected=${s.rejected}`;
}

export async function startAdmission(options: AdmissionServiceOptions): Promise<AdmissionService> {
  const { bus, instance = `${hostname()}-${process.pid}`, ...poolOptions } = options;
  const pool = new AdmissionPool(poolOptions);
  const threads = poolOptions.workers ?? pool.stats().threads;
  const subscriptions: Subscription[] = [];
  try {
    // The bus hands over at most what the pool can run or queue; beyond that requests wait in
    // the bus's own bounded queue (which drops those whose caller has given up).
    subscriptions.push(
      await bus.serve(AdmissionRpc.review, (request) => pool.review(request), {
        queue: ADMISSION_QUEUE,
        maxConcurrent: threads + pool.maxQueue,
      }),
    );
    subscriptions.push(
      await bus.serve(
        AdmissionRpc.health,
        async (): Promise<HealthReply> => {
          const s = pool.stats();
          return {
            service: 'admission',
            instance,
            checks: [{ name: 'worker-pool', ok: !s.closed && s.threads > 0, message: describePool(s) }],
          };
        },
        { queue: ADMISSION_QUEUE },
      ),
    );
  } catch (err) {
    await Promise.allSettled(subscriptions.map((s) => s.close()));
    await pool.close();
    throw err;
  }

  let closing: Promise<void> | undefined;
  return {
    stats: () => pool.stats(),
    close: () => {
      closing ??= (async () => {
        await Promise.allSettled(subscriptions.map((s) => s.close()));
        await pool.close();
      })();
      return closing;
    },
  };
}
