// What a bus does with a received message, shared by NatsBus and InProcessBus so their
// semantics cannot drift: decode, run the handler inside the received trace context, encode the
// reply envelope (or the error Status), and turn every failure into a Status.

import { newBadRequest, newInternalError, newTooManyRequests } from '@kapi/apimachinery';
import type { EventHandler, Headers, MessageCodec, MessageContext, Rpc, RpcHandler, ServeOptions } from './bus.js';
import { encodeErrorReply, encodeReply } from './envelope.js';
import { WorkGate } from './gate.js';
import { handlerHeaders, requestTimeout } from './headers.js';
import { extractTrace, runWithTrace } from './trace.js';

/** Limits and hooks both buses take. */
export interface BusCommonOptions {
  /** Default request timeout in ms (30 s). */
  timeoutMs?: number;
  /** maxConcurrent of a serve() that does not set one (64). */
  defaultMaxConcurrent?: number;
  /** Requests waiting per RPC subscription beyond maxConcurrent (1000). */
  maxQueuedPerSubscription?: number;
  /** Payload bytes waiting per RPC subscription (64 MiB). */
  maxQueuedBytesPerSubscription?: number;
  /** Requests this connection may have waiting for replies at once (65536); more fail at once
   * with TooManyRequests. */
  maxPendingRequests?: number;
  /** Where errors that have no caller to reject go: undecodable events, throwing event
   * handlers, replies that cannot be sent. Default: console.error. */
  onError?: (err: Error) => void;
}

export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_MAX_CONCURRENT = 64;
export const DEFAULT_MAX_QUEUED = 1000;
export const DEFAULT_MAX_QUEUED_BYTES = 64 * 1024 * 1024;
export const DEFAULT_MAX_PENDING_REQUESTS = 65_536;
/** setTimeout's largest delay; longer timeouts would fire at once. */
export const MAX_TIMEOUT_MS = 2_147_483_647;

export function defaultOnError(err: Error): void {
  console.error(`[kapi/bus] ${err.message}`);
}

/** The request timeout to use, or a thrown BadRequest for a nonsensical one. */
export function resolveTimeout(requested: number | undefined, fallback: number): number {
  const t = requested ?? fallback;
  if (typeof t !== 'number' || !Number.isFinite(t) || t <= 0) throw newBadRequest(`invalid request timeout ${String(t)}: must be a positive number of ms`);
  return Math.min(Math.ceil(t), MAX_TIMEOUT_MS);
}

/** Throws TooManyRequests when a connection already waits for `pending` replies. */
export function checkPendingRequests(pending: number, common: BusCommonOptions): void {
  const max = common.maxPendingRequests ?? DEFAULT_MAX_PENDING_REQUESTS;
  if (pending >= max) throw newTooManyRequests(`too many requests in flight on this bus connection (${max}), please try again later`, 1);
}

/** Throws (at construction time, not at the first message) on nonsensical limits. */
export function validateCommonOptions(common: BusCommonOptions): void {
  resolveTimeout(common.timeoutMs, DEFAULT_TIMEOUT_MS);
  newGate(undefined, common);
  const max = common.maxPendingRequests ?? DEFAULT_MAX_PENDING_REQUESTS;
  if (!(Number.isInteger(max) && max > 0)) throw new RangeError(`maxPendingRequests must be a positive integer, got ${max}`);
}

/** The gate of one RPC subscription. */
export function newGate(opts: ServeOptions | undefined, common: BusCommonOptions): WorkGate {
  return new WorkGate({
    maxConcurrent: opts?.maxConcurrent ?? common.defaultMaxConcurrent ?? DEFAULT_MAX_CONCURRENT,
    maxQueued: common.maxQueuedPerSubscription ?? DEFAULT_MAX_QUEUED,
    maxQueuedBytes: common.maxQueuedBytesPerSubscription ?? DEFAULT_MAX_QUEUED_BYTES,
  });
}

/** Runs one request through `handler` and returns the reply envelope. Never throws: a request
 * that does not decode is a BadRequest, a handler's StatusError is its Status, any other throw
 * (or an unencodable reply) an InternalError. `headers` is owned by this call. */
export async function handleRequest<Req, Res>(
  rpc: Rpc<Req, Res>,
  handler: RpcHandler<Req, Res>,
  data: Uint8Array,
  subject: string,
  headers: Headers,
  deadline?: number,
): Promise<Uint8Array> {
  let request: Req;
  try {
    request = rpc.request.decode(data);
  } catch (err) {
    return encodeErrorReply(newBadRequest(`malformed ${rpc.subject} request: ${(err as Error).message}`));
  }
  let reply: Res;
  try {
    const trace = extractTrace(headers);
    const ctx: MessageContext = { subject, headers: handlerHeaders(headers) };
    if (deadline !== undefined) ctx.deadline = deadline;
    reply = await runWithTrace(trace, () => handler(request, ctx));
  } catch (err) {
    return encodeErrorReply(err);
  }
  try {
    return encodeReply(rpc.response, reply);
  } catch (err) {
    return encodeErrorReply(newInternalError(`${rpc.subject} handler returned an invalid reply: ${(err as Error).message}`));
  }
}

/** Admits one received request to `gate`; `respond` gets the reply envelope (or a
 * TooManyRequests Status when the subscription's queue is full). */
export function admitRequest<Req, Res>(
  gate: WorkGate,
  rpc: Rpc<Req, Res>,
  handler: RpcHandler<Req, Res>,
  data: Uint8Array,
  subject: string,
  headers: Headers,
  respond: (reply: Uint8Array) => void,
): void {
  const timeout = requestTimeout(headers);
  const deadline = timeout === undefined ? Infinity : performance.now() + timeout;
  const wallDeadline = timeout === undefined ? undefined : Date.now() + timeout;
  const accepted = gate.submit(
    async () => respond(await handleRequest(rpc, handler, data, subject, headers, wallDeadline)),
    data.byteLength,
    deadline,
  );
  if (!accepted) {
    respond(encodeErrorReply(newTooManyRequests(`too many requests queued for ${rpc.subject}, please try again later`, 1)));
  }
}

/** Delivers one event to `handler` inside its trace context. Decode failures and handler
 * throws (synchronous or a rejected promise from an async handler) go to `onError`. */
export function deliverEvent<T>(
  codec: MessageCodec<T>,
  handler: EventHandler<T>,
  data: Uint8Array,
  subject: string,
  headers: Headers,
  onError: (err: Error) => void,
): void {
  let message: T;
  try {
    message = codec.decode(data);
  } catch (err) {
    onError(new Error(`dropped event on ${subject}: ${(err as Error).message}`));
    return;
  }
  try {
    const result: unknown = runWithTrace(extractTrace(headers), () => handler(message, { subject, headers }));
    if (result && typeof (result as PromiseLike<unknown>).then === 'function') {
      (result as Promise<unknown>).then(undefined, (err: unknown) => onError(new Error(`event handler for ${subject} failed: ${String((err as Error)?.message ?? err)}`)));
    }
  } catch (err) {
    onError(new Error(`event handler for ${subject} failed: ${(err as Error)?.message ?? String(err)}`));
  }
}
