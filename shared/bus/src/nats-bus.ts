// NatsBus: the production bus, one nats.js connection.
//
//  - serve() is a queue subscription (queue = the rpc's service unless told otherwise), so each
//    request goes to one replica. request() publishes with a reply subject under this
//    connection's one wildcard inbox subscription (the same muxing nats.js's request() does, minus
//    its per-request error objects and promise races, which cost a third of the throughput).
//    Replies travel in the kapi.v1.Reply envelope; errors as Status.
//  - NATS "no responders" (the server's 503 status reply) becomes a ServiceUnavailable Status
//    naming the service; no reply in time a Timeout Status; a message over the server's
//    max_payload a RequestEntityTooLarge Status (a reply over it: an InternalError reply), so
//    nothing waits for a message that could never be delivered.
//  - The connection reconnects forever by default, with exponential backoff (100 ms doubling to
//    5 s, ±20% jitter); nats.js restores every subscription after a reconnect. While
//    disconnected, outgoing messages are buffered (nats.js sends them on reconnect) up to
//    `maxBufferedBytesWhileDisconnected`; past that, requests fail at once with
//    ServiceUnavailable and publishes throw it.
//  - W3C trace context travels in NATS headers (see trace.ts).
//  - close() drains: no new work, this connection's RPC subscriptions finish their in-flight
//    and queued requests, then the connection drains and closes; requests still waiting fail
//    with ServiceUnavailable.

import {
  DebugEvents,
  ErrorCode,
  Events,
  connect,
  createInbox,
  headers as natsHeaders,
  type Msg,
  type MsgHdrs,
  type NatsConnection,
  type NatsError,
  type Subscription as NatsSubscription,
} from 'nats';
import type { Bus, EventHandler, Headers, MessageCodec, RequestOptions, Rpc, RpcHandler, ServeOptions, Subscription } from './bus.js';
import { newBadRequest, newInternalError, newRequestEntityTooLarge, newServiceUnavailable, newTimeoutError } from '@kapi/apimachinery';
import { decodeReply, encodeErrorReply } from './envelope.js';
import {
  type BusCommonOptions,
  DEFAULT_TIMEOUT_MS,
  admitRequest,
  checkPendingRequests,
  defaultOnError,
  deliverEvent,
  newGate,
  resolveTimeout,
  validateCommonOptions,
} from './dispatch.js';
import { outgoingHeaders } from './headers.js';
import { checkPublishSubject, checkSubscribeSubject } from './subject-match.js';
import { outgoingTrace } from './trace.js';

export interface NatsBusOptions extends BusCommonOptions {
  /** nats://host:port URLs (or host:port). */
  servers: string[] | string;
  /** Connection name, shown by the NATS server (e.g. "storage-7f9c"). */
  name: string;
  /** Reconnect attempts per server after a disconnect; -1 (the default) is forever. */
  maxReconnectAttempts?: number;
  /** First reconnect backoff in ms (100); doubles per failed attempt. */
  reconnectInitialDelayMs?: number;
  /** Longest reconnect backoff in ms (5000). */
  reconnectMaxDelayMs?: number;
  /** Keep trying when no server is reachable at connect() time instead of failing (false). */
  waitOnFirstConnect?: boolean;
  /** Bytes buffered for sending while disconnected before requests and publishes fail (8 MiB). */
  maxBufferedBytesWhileDisconnected?: number;
  /** Time allowed for subscription and connection drains at close (5 s). */
  drainTimeoutMs?: number;
}

const DEFAULT_RECONNECT_INITIAL_MS = 100;
const DEFAULT_RECONNECT_MAX_MS = 5000;
const DEFAULT_DISCONNECTED_BUFFER = 8 * 1024 * 1024;
const DEFAULT_DRAIN_TIMEOUT_MS = 5000;

type Owned = Subscription & { readonly rpc: boolean };

interface PendingRequest {
  resolve(reply: Msg): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
  rpc: { service: string; subject: string };
}

/** kapi objects reach 3 MiB; with envelope and headers a message needs a little more. */
const MIN_USEFUL_MAX_PAYLOAD = 4 * 1024 * 1024;

/** The reconnect delay after `attempts` failed dials: `initialMs` doubling up to `maxMs`, times
 * a jitter factor in [0.8, 1.2) drawn from `random` (so reconnecting clients spread out). */
export function backoffDelay(attempts: number, initialMs: number, maxMs: number, random: () => number = Math.random): number {
  const base = Math.min(maxMs, initialMs * 2 ** Math.min(Math.max(attempts, 0), 30));
  return Math.round(base * (0.8 + random() * 0.4));
}

/** NATS's status code on the empty message it sends to a reply subject nobody can answer. */
const NO_RESPONDERS_STATUS = 503;

export class NatsBus implements Bus {
  private readonly nc: NatsConnection;
  private readonly opts: NatsBusOptions & { timeoutMs: number; onError: (err: Error) => void };
  private readonly subscriptions = new Set<Owned>();
  private connected = true;
  private closing = false;
  /** Failed dials since the last successful (re)connect; drives the backoff. */
  private reconnectAttempts = 0;
  private bufferedWhileDisconnected = 0;
  /** Reply subjects are `<inbox><token>`; one subscription on `<inbox>*` receives them all. */
  private readonly inbox = `${createInbox()}.`;
  private nextToken = 0;
  private readonly pending = new Map<string, PendingRequest>();

  /** Connects to NATS. Rejects with a ServiceUnavailable StatusError when no server is
   * reachable (unless waitOnFirstConnect). */
  static async connect(opts: NatsBusOptions): Promise<NatsBus> {
    const servers = Array.isArray(opts.servers) ? opts.servers : opts.servers.split(',').map((s) => s.trim()).filter(Boolean);
    if (servers.length === 0) throw newBadRequest('NatsBus.connect: no NATS servers given');
    validateCommonOptions(opts);
    const initial = opts.reconnectInitialDelayMs ?? DEFAULT_RECONNECT_INITIAL_MS;
    const max = Math.max(initial, opts.reconnectMaxDelayMs ?? DEFAULT_RECONNECT_MAX_MS);
    if (!(Number.isFinite(initial) && initial > 0 && Number.isFinite(max))) {
      throw new RangeError(`reconnect delays must be positive numbers of ms, got ${initial} and ${max}`);
    }
    // The delay handler is called on every pass of nats.js's dial loop, including passes that
    // only wait, so it must return the same base delay until the next dial; the attempt count
    // changes only when a dial starts (the 'reconnecting' status).
    let bus: NatsBus | undefined;
    const delay = (): number => backoffDelay(bus?.reconnectAttempts ?? 0, initial, max);
    let nc: NatsConnection;
    try {
      nc = await connect({
        servers,
        name: opts.name,
        maxReconnectAttempts: opts.maxReconnectAttempts ?? -1,
        reconnectDelayHandler: delay,
        waitOnFirstConnect: opts.waitOnFirstConnect ?? false,
        pingInterval: 20_000,
        maxPingOut: 3,
        // nats.js otherwise allocates an Error per request just for stack traces.
        noAsyncTraces: true,
      });
    } catch (err) {
      throw newServiceUnavailable(`cannot connect to NATS at ${servers.join(', ')}: ${(err as Error).message}`);
    }
    bus = new NatsBus(nc, opts);
    const maxPayload = bus.maxPayload();
    if (maxPayload > 0 && maxPayload < MIN_USEFUL_MAX_PAYLOAD) {
      bus.opts.onError(
        new Error(`NATS server max_payload is ${maxPayload} bytes; kapi objects up to 3 MiB need at least ${MIN_USEFUL_MAX_PAYLOAD} (set max_payload: 8MB)`),
      );
    }
    return bus;
  }

  private constructor(nc: NatsConnection, opts: NatsBusOptions) {
    this.nc = nc;
    this.opts = { ...opts, timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS, onError: opts.onError ?? defaultOnError };
    nc.subscribe(`${this.inbox}*`, { callback: (err, msg) => this.onReply(err, msg) });
    void this.watchStatus();
    void nc.closed().then((err) => {
      this.connected = false;
      if (err && !this.closing) this.opts.onError(new Error(`NATS connection ${opts.name} closed: ${err.message}`));
    });
  }

  private async watchStatus(): Promise<void> {
    for await (const s of this.nc.status()) {
      switch (s.type) {
        case Events.Disconnect:
          this.connected = false;
          break;
        case Events.Reconnect:
          this.connected = true;
          this.reconnectAttempts = 0;
          this.bufferedWhileDisconnected = 0;
          break;
        case DebugEvents.Reconnecting:
          this.reconnectAttempts++;
          break;
        case Events.Error:
          this.opts.onError(new Error(`NATS connection ${this.opts.name}: ${String(s.data)}`));
          break;
        default:
          break;
      }
    }
  }

  isConnected(): boolean {
    return this.connected && !this.nc.isClosed() && !this.closing;
  }

  /** The server's max_payload (what a message, headers included, may weigh). */
  maxPayload(): number {
    return this.nc.info?.max_payload ?? 0;
  }

  async request<Req, Res>(rpc: Rpc<Req, Res>, request: Req, opts: RequestOptions = {}): Promise<Res> {
    this.checkOpen();
    const timeoutMs = resolveTimeout(opts.timeoutMs, this.opts.timeoutMs);
    checkPublishSubject(rpc.subject);
    const headers = outgoingHeaders(opts.headers, outgoingTrace(opts.headers, true), timeoutMs);
    let data: Uint8Array;
    try {
      data = rpc.request.encode(request);
    } catch (err) {
      throw newInternalError(`cannot send ${rpc.subject} request: ${(err as Error).message}`);
    }
    checkPendingRequests(this.pending.size, this.opts);
    this.checkDisconnectedBuffer(data.byteLength);
    const token = (this.nextToken++).toString(36);
    const reply = await new Promise<Msg>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(token);
        reject(newTimeoutError(`no reply from the ${rpc.service} service to ${rpc.subject} within ${timeoutMs}ms`, 0));
      }, timeoutMs);
      this.pending.set(token, { resolve, reject, timer, rpc });
      try {
        this.nc.publish(rpc.subject, data, { reply: this.inbox + token, headers: toNatsHeaders(headers) });
      } catch (err) {
        clearTimeout(timer);
        this.pending.delete(token);
        reject(this.publishError(err as NatsError, `${rpc.subject} request`, data.byteLength));
      }
    });
    return decodeReply(rpc.response, reply.data);
  }

  private onReply(err: NatsError | null, msg: Msg): void {
    if (err) {
      this.opts.onError(new Error(`reply inbox: ${err.message}`));
      return;
    }
    const token = msg.subject.slice(this.inbox.length);
    const p = this.pending.get(token);
    if (!p) return; // a late reply to a request that timed out, or a second responder
    this.pending.delete(token);
    clearTimeout(p.timer);
    if (msg.data.length === 0 && msg.headers?.code === NO_RESPONDERS_STATUS) p.reject(noResponders(p.rpc));
    else p.resolve(msg);
  }

  async serve<Req, Res>(rpc: Rpc<Req, Res>, handler: RpcHandler<Req, Res>, opts: ServeOptions = {}): Promise<Subscription> {
    this.checkOpen();
    checkSubscribeSubject(rpc.subject);
    const gate = newGate(opts, this.opts);
    const sub = this.nc.subscribe(rpc.subject, {
      queue: opts.queue ?? rpc.service,
      callback: (err, msg) => {
        if (err) {
          this.opts.onError(new Error(`subscription ${rpc.subject}: ${err.message}`));
          return;
        }
        const replyTo = msg.reply;
        if (!replyTo) return; // a publish to an RPC subject: nobody to answer
        admitRequest(gate, rpc, handler, msg.data, msg.subject, fromNatsHeaders(msg.headers), (reply) =>
          this.respond(replyTo, reply, rpc.subject),
        );
      },
    });
    await this.registered();
    return this.own(sub, true, () => gate.idle());
  }

  publish<T>(subject: string, codec: MessageCodec<T>, message: T, headers?: Headers): void {
    this.checkOpen();
    checkPublishSubject(subject);
    const h = outgoingHeaders(headers, outgoingTrace(headers, false));
    let data: Uint8Array;
    try {
      data = codec.encode(message);
    } catch (err) {
      throw newInternalError(`cannot publish to ${subject}: ${(err as Error).message}`);
    }
    this.checkDisconnectedBuffer(data.byteLength);
    try {
      this.nc.publish(subject, data, { headers: toNatsHeaders(h) });
    } catch (err) {
      throw this.publishError(err as NatsError, `event on ${subject}`, data.byteLength);
    }
  }

  async subscribe<T>(subject: string, codec: MessageCodec<T>, handler: EventHandler<T>): Promise<Subscription> {
    this.checkOpen();
    checkSubscribeSubject(subject);
    const sub = this.nc.subscribe(subject, {
      callback: (err, msg) => {
        if (err) {
          this.opts.onError(new Error(`subscription ${subject}: ${err.message}`));
          return;
        }
        deliverEvent(codec, handler, msg.data, msg.subject, fromNatsHeaders(msg.headers), this.opts.onError);
      },
    });
    await this.registered();
    return this.own(sub, false, () => Promise.resolve());
  }

  async flush(): Promise<void> {
    this.checkOpen();
    await withTimeout(this.nc.flush(), this.opts.timeoutMs, () => newTimeoutError(`NATS flush did not complete within ${this.opts.timeoutMs}ms`, 0));
  }

  async close(): Promise<void> {
    if (this.closing) return this.nc.closed().then(() => undefined);
    this.closing = true;
    // RPC subscriptions first, so their in-flight handlers can still reply; then this
    // connection's own unanswered requests fail.
    await Promise.all([...this.subscriptions].map((s) => s.close()));
    for (const [token, p] of this.pending) {
      this.pending.delete(token);
      clearTimeout(p.timer);
      p.reject(newServiceUnavailable('the bus is closed'));
    }
    if (this.nc.isClosed()) return;
    const drained = this.nc.drain().catch(() => undefined);
    const timedOut = await withTimeout(drained.then(() => false), this.drainTimeout(), () => true).catch(() => true);
    if (timedOut && !this.nc.isClosed()) await this.nc.close();
  }

  private drainTimeout(): number {
    return this.opts.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS;
  }

  private checkOpen(): void {
    if (this.closing || this.nc.isClosed()) throw newServiceUnavailable('the bus is closed');
  }

  /** Waits until the server has seen the subscriptions sent so far (a PING/PONG round trip),
   * so a request sent right after serve() finds its responder. Skipped while disconnected:
   * nats.js registers subscriptions again on reconnect. */
  private async registered(): Promise<void> {
    if (!this.connected) return;
    await withTimeout(this.nc.flush(), this.opts.timeoutMs, () => undefined).catch(() => undefined);
  }

  private own(sub: NatsSubscription, rpc: boolean, idle: () => Promise<void>): Subscription {
    let closing: Promise<void> | undefined;
    const owned: Owned = {
      rpc,
      close: () => {
        closing ??= (async () => {
          if (!sub.isClosed()) {
            if (rpc && this.connected && !this.nc.isClosed()) {
              // Drain: requests the server routed to us before the UNSUB are still handled.
              const drained = sub.drain().then(() => false, () => false);
              const timedOut = await withTimeout(drained, this.drainTimeout(), () => true).catch(() => true);
              if (timedOut && !sub.isClosed()) sub.unsubscribe();
            } else {
              sub.unsubscribe();
            }
          }
          await idle();
          this.subscriptions.delete(owned);
        })();
        return closing;
      },
    };
    this.subscriptions.add(owned);
    return owned;
  }

  /** Sends a reply envelope; one the server would refuse becomes an InternalError reply. */
  private respond(replyTo: string, reply: Uint8Array, subject: string): void {
    if (this.nc.isClosed()) {
      this.opts.onError(new Error(`reply to ${subject} dropped: the connection is closed`));
      return;
    }
    try {
      this.checkDisconnectedBuffer(reply.byteLength);
    } catch (err) {
      this.opts.onError(new Error(`reply to ${subject} dropped: ${(err as Error).message}`));
      return;
    }
    try {
      this.nc.publish(replyTo, reply);
    } catch (err) {
      if ((err as NatsError).code === ErrorCode.MaxPayloadExceeded) {
        const e = newInternalError(`the ${subject} reply of ${reply.byteLength} bytes exceeds the bus message limit of ${this.maxPayload()} bytes`);
        try {
          this.nc.publish(replyTo, encodeErrorReply(e));
          return;
        } catch (again) {
          err = again;
        }
      }
      this.opts.onError(new Error(`reply to ${subject} failed: ${(err as Error).message}`));
    }
  }

  private checkDisconnectedBuffer(bytes: number): void {
    if (this.connected) return;
    const limit = this.opts.maxBufferedBytesWhileDisconnected ?? DEFAULT_DISCONNECTED_BUFFER;
    if (this.bufferedWhileDisconnected + bytes > limit) {
      throw newServiceUnavailable(`the bus is disconnected from NATS and ${this.bufferedWhileDisconnected} bytes are already waiting to be sent`);
    }
    this.bufferedWhileDisconnected += bytes;
  }

  private publishError(err: NatsError, what: string, bytes: number): Error {
    switch (err?.code) {
      case ErrorCode.MaxPayloadExceeded:
        return newRequestEntityTooLarge(`the ${what} of ${bytes} bytes (plus headers) exceeds the bus message limit of ${this.maxPayload()} bytes`);
      case ErrorCode.ConnectionClosed:
      case ErrorCode.ConnectionDraining:
      case ErrorCode.Cancelled:
        return newServiceUnavailable('the bus is closed');
      case ErrorCode.BadHeader:
      case ErrorCode.BadSubject:
        return newBadRequest(`invalid ${what}: ${err.message}`);
      default:
        return newInternalError(err ?? new Error('unknown NATS error'));
    }
  }
}

function noResponders(rpc: { service: string; subject: string }): Error {
  return newServiceUnavailable(`the ${rpc.service} service is unavailable: nothing serves ${rpc.subject}`);
}

function toNatsHeaders(h: Headers): MsgHdrs | undefined {
  const keys = Object.keys(h);
  if (keys.length === 0) return undefined;
  const nh = natsHeaders();
  for (const k of keys) nh.set(k, h[k]!);
  return nh;
}

function fromNatsHeaders(nh: MsgHdrs | undefined): Headers {
  const h: Headers = {};
  if (!nh) return h;
  for (const [k, values] of nh as unknown as Iterable<[string, string[]]>) h[k] = values.join(', ');
  return h;
}

/** `p`, or `onTimeout()` (returned, or thrown if it is an Error) after `ms`. */
async function withTimeout<T, U>(p: Promise<T>, ms: number, onTimeout: () => U): Promise<T | Exclude<U, Error>> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<Exclude<U, Error>>((resolve, reject) => {
    timer = setTimeout(() => {
      const v = onTimeout();
      if (v instanceof Error) reject(v);
      else resolve(v as Exclude<U, Error>);
    }, ms);
  });
  try {
    return await Promise.race([p, expired]);
  } finally {
    clearTimeout(timer);
  }
}
