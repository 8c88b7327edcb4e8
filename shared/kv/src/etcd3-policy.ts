// Fault handling for the etcd3 connection pool, tuned for member restarts, and the rules for
// which failed calls may be sent again.
//
// The etcd3 package's default puts a circuit breaker on every member that, after 3 consecutive
// failures, refuses that member for 5 s. When members are restarted one after another (rolling
// upgrades, the 3-member kill test), that leaves healthy, restarted members refused while the
// next one is down, and then every call fails although a quorum is up. Here a member is skipped
// after 2 consecutive transport failures for 1 s only, then one call probes it again.
//
// Retries follow etcd's clientv3 (client/v3/retry.go):
// - Idempotent calls (range, status; clientv3's isSafeRetryImmutableRPC) go through the pool's
//   global policy, which retries a transport failure (connection refused or dropped, a member
//   without a leader) on another member twice, with a short backoff. A request that reached a
//   member and timed out there ("etcdserver: request timed out", our own deadline) is not
//   retried: waiting for another timeout helps nobody.
// - Mutating calls (txn, compact; isSafeRetryMutableRPC) must not go through that policy:
//   a request whose connection dropped after it was sent may have been applied, and sending it
//   again would apply it twice or, for a compare-and-swap, fail its compare against our own
//   write. Etcd3KV sends them with retryUnsent(), which retries only failures proving that the
//   request never reached etcd's KV service (isUnsentFailure), and resolves every other
//   failure by reading the key (etcd3.ts).
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

/** True for errors that mean the member could not serve the request at all. Counts against the
 * member, and makes idempotent calls move on to another member. */
export function isTransportFailure(err: unknown): boolean {
  if (!(err instanceof Error) || !isRecoverableError(err) || err instanceof GRPCDeadlineExceededError) return false;
  if (err.message.includes('etcdserver:')) return err.message.includes('no leader');
  return true;
}

/** gRPC status details (grpc-js) of failures that happen before the request is written to a
 * connection: no channel to the member could be established (refused, unreachable, name not
 * resolved), the channel was closed before the call started, or the server refused the HTTP/2
 * stream (REFUSED_STREAM, also sent for streams above a GOAWAY's last stream id: never
 * processed, RFC 9113 8.7). grpc-js itself already resends calls that never started once
 * (transparent retry); these are what reaches us when that was not enough. A dropped connection
 * ("Connection dropped", ECONNRESET, "Write error"), a reset or cancelled stream, or a timeout
 * are not among them: the request may have been applied. */
const UNSENT_DETAILS = ['No connection established', 'Name resolution failed', 'Channel closed before call started', 'Stream refused by server'];

/** etcd answers these before the request is proposed to raft (its gRPC interceptor in
 * etcdserver/api/v3rpc/interceptor.go, or the checks at the top of
 * processInternalRaftRequestOnce), so the request was not applied. A unary KV call gets "no
 * leader" only from the interceptor, never after a proposal. */
const REJECTED_BEFORE_PROPOSAL = ['etcdserver: no leader', 'etcdserver: not capable', 'etcdserver: too many requests', 'etcdserver: rpc not supported for learner'];

/** The details of a gRPC error: grpc-js sets `details`; the etcd3 package's typed errors keep
 * only the message `<code> <NAME>: <details>`. */
function grpcDetails(err: Error): string {
  const details = (err as { details?: unknown }).details;
  if (typeof details === 'string') return details;
  return err.message.replace(/^\d+ [A-Z_]+: /, '');
}

/** True when `err` proves a request never reached etcd's KV service, so sending it again
 * cannot apply it twice: etcd clientv3's isSafeRetryMutableRPC ("there is no address / no
 * connection available"), with grpc-js's wording. MemberSkippedError is one too (the pool moves
 * on to the next member by itself). */
export function isUnsentFailure(err: unknown): boolean {
  if (err instanceof MemberSkippedError) return true;
  if (!(err instanceof Error) || !isRecoverableError(err) || err instanceof GRPCDeadlineExceededError) return false;
  const details = grpcDetails(err);
  return UNSENT_DETAILS.some((d) => details.startsWith(d));
}

/** True when a write that failed with `err` was certainly not applied: it never reached a
 * member, or etcd rejected it before proposing it to raft. Any other failure of a write (a
 * dropped connection, a reset stream, a timeout, a member stopping) leaves its outcome unknown. */
export function writeNotApplied(err: unknown): boolean {
  if (isUnsentFailure(err)) return true;
  if (!(err instanceof Error)) return false;
  const msg = err.message;
  return REJECTED_BEFORE_PROPOSAL.some((m) => msg.includes(m));
}

/** Failures after which a write is sent again, to another member: it was not applied and the
 * member could not serve it (a member without a leader, no connection). */
export function isSafeWriteRetry(err: unknown): boolean {
  return writeNotApplied(err) && (err instanceof MemberSkippedError || isTransportFailure(err));
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

  constructor(private readonly retryable: (err: unknown) => boolean) {}

  async execute<T>(fn: (ctx: Context) => PromiseLike<T> | T, signal?: AbortSignal): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn(context(signal));
      } catch (err) {
        if (attempt >= ATTEMPTS || !this.retryable(err)) throw err;
        await new Promise((resolve) => setTimeout(resolve, RETRY_BACKOFF_MS * attempt));
      }
    }
  }
}

/** The pool's policies. The global one retries every transport failure: only idempotent calls
 * may use the pool's exec() (the etcd3 package's KVClient etc.); writes use retryUnsent(). */
export function faultHandling(): FaultHandling {
  return {
    host: () => new MemberPolicy() as unknown as Policy,
    global: new RetryPolicy(isTransportFailure) as unknown as Policy,
  };
}

const writeRetry = new RetryPolicy(isSafeWriteRetry);

/** Runs a mutating call, sending it again (up to twice, with the same short backoff as reads)
 * only after a failure that proves it was not applied and the member could not serve it. */
export function retryUnsent<T>(fn: () => Promise<T>): Promise<T> {
  return writeRetry.execute(fn);
}
