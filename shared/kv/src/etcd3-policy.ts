// Fault handling for the etcd3 connection pool, tuned for member restarts.
//
// The etcd3 package's default puts a circuit breaker on every member that, after 3 consecutive
// failures, refuses that member for 5 s. When members are restarted one after another (rolling
// upgrades, the 3-member kill test), that leaves healthy, restarted members refused while the
// next one is down, and then every call fails although a quorum is up. Here a member is skipped
// after 2 consecutive transport failures for 1 s only, then one call probes it again; the global
// policy retries a transport failure on another member twice, with a short backoff.
//
// Only failures to reach a member count (connection refused or dropped, a member without a
// leader). A request that reached a member and timed out there ("etcdserver: request timed out",
// our own deadline) is not retried: it may still be applied, and a retry would then report a
// conflict for a write that happened (and wait for another timeout).
//
// The pool only calls execute() on these policies (and execute(() => throw) to record a broken
// stream), so they implement that and no-op event hooks, and are cast to the package's type.

import { GRPCDeadlineExceededError, isRecoverableError, type IOptions } from 'etcd3';

type FaultHandling = NonNullable<IOptions['faultHandling']>;
type Policy = NonNullable<FaultHandling['global']>;
type Context = Parameters<Parameters<Policy['execute']>[0]>[0];

const SKIP_AFTER_FAILURES = 2;
const SKIP_FOR_MS = 1000;
const ATTEMPTS = 3;
const RETRY_BACKOFF_MS = 25;

/** Thrown when a member is being skipped. `isBrokenCircuitError` makes the pool move on to the
 * next member and report the original transport error if every member fails. */
export class MemberSkippedError extends Error {
  readonly isBrokenCircuitError = true;
  constructor() {
    super('etcd member skipped after recent transport failures');
  }
}

/** True for errors that mean the member could not serve the request at all. */
export function isTransportFailure(err: unknown): boolean {
  if (!(err instanceof Error) || !isRecoverableError(err) || err instanceof GRPCDeadlineExceededError) return false;
  if (err.message.includes('etcdserver:')) return err.message.includes('no leader');
  return true;
}

const noEvent = (): { dispose(): void } => ({ dispose() {} });

/** The pool never aborts through the policy context; one shared signal saves an
 * AbortController per call. */
const NEVER_ABORTED = new AbortController().signal;

function context(signal: AbortSignal | undefined): Context {
  return { signal: signal ?? NEVER_ABORTED } as Context;
}

class MemberPolicy {
  readonly onSuccess = noEvent;
  readonly onFailure = noEvent;
  private failures = 0;
  private skipUntil = 0;
  private probing = false;

  async execute<T>(fn: (ctx: Context) => PromiseLike<T> | T, signal?: AbortSignal): Promise<T> {
    let probe = false;
    if (this.failures >= SKIP_AFTER_FAILURES) {
      if (Date.now() < this.skipUntil || this.probing) throw new MemberSkippedError();
      this.probing = probe = true;
    }
    try {
      const result = await fn(context(signal));
      this.failures = 0;
      return result;
    } catch (err) {
      if (isTransportFailure(err)) {
        this.failures++;
        if (this.failures >= SKIP_AFTER_FAILURES) this.skipUntil = Date.now() + SKIP_FOR_MS;
      }
      throw err;
    } finally {
      if (probe) this.probing = false;
    }
  }
}

class RetryPolicy {
  readonly onSuccess = noEvent;
  readonly onFailure = noEvent;

  async execute<T>(fn: (ctx: Context) => PromiseLike<T> | T, signal?: AbortSignal): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn(context(signal));
      } catch (err) {
        if (attempt >= ATTEMPTS || !isTransportFailure(err)) throw err;
        await new Promise((resolve) => setTimeout(resolve, RETRY_BACKOFF_MS * attempt));
      }
    }
  }
}

export function faultHandling(): FaultHandling {
  return {
    host: () => new MemberPolicy() as unknown as Policy,
    global: new RetryPolicy() as unknown as Policy,
  };
}
