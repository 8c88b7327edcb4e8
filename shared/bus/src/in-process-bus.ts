// InProcessBus: the bus of the all-in-one process, with NATS's semantics and no network.
//
//  - Every message is encoded with its codec and decoded by each receiver (replies in the
//    kapi.v1.Reply envelope); a receiver never sees an object, or bytes, the sender still holds.
//    When a message has several receivers, each after the first decodes its own copy.
//  - Delivery is asynchronous, as over a network: publish() and request() return before any
//    handler runs.
//  - Routing is NATS's: literal subjects and `*` / `>` wildcards; each queue group (per subject
//    pattern and queue name) gets one copy of a message, handed round-robin to its members; plain
//    subscribers each get one. A request nobody subscribes to fails at once with
//    ServiceUnavailable; one without a reply in time fails with Timeout.
//  - The payload limit (8 MiB by default, what the nats-server harness configures) counts headers
//    as NATS does.
//  - Event subscriptions buffer at most `maxPendingEvents` undelivered messages each; beyond
//    that messages are dropped and reported to onError (NATS's slow-consumer rule).
//
// One InProcessBus is one connection. peer() makes another connection to the same in-process
// "server" (shared routing, its own subscriptions and close()), which is how tests model several
// processes.

import type { Bus, EventHandler, Headers, MessageCodec, RequestOptions, Rpc, RpcHandler, ServeOptions, Subscription } from './bus.js';
import { newInternalError, newRequestEntityTooLarge, newServiceUnavailable, newTimeoutError } from '@kapi/apimachinery';
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
import type { WorkGate } from './gate.js';
import { headersWireSize, outgoingHeaders } from './headers.js';
import { checkPublishSubject, checkSubscribeSubject, hasWildcard, subjectMatches } from './subject-match.js';
import { outgoingTrace } from './trace.js';

export interface InProcessBusOptions extends BusCommonOptions {
  /** Largest message (payload + headers) in bytes; 8 MiB by default. */
  maxPayloadBytes?: number;
  /** Undelivered events buffered per event subscription (65536, nats.js's default). */
  maxPendingEvents?: number;
}

export const DEFAULT_IN_PROCESS_MAX_PAYLOAD = 8 * 1024 * 1024;
export const DEFAULT_MAX_PENDING_EVENTS = 65_536;
/** Events delivered per subscription before yielding to the event loop. */
const EVENT_BATCH = 1024;

/** One received message. `respond` is set for requests. */
interface Delivery {
  subject: string;
  data: Uint8Array;
  headers: Headers;
  respond?: (reply: Uint8Array) => void;
}

/** A subscription as the router sees it. */
interface Route {
  readonly pattern: string;
  readonly tokens: string[];
  readonly queue: string | undefined;
  deliver(d: Delivery): void;
  /** Resolves once what the route has received is delivered to its handler (for flush()). */
  settled(): Promise<void>;
}

interface QueueGroup {
  members: Route[];
  next: number;
}

/** The shared "server": which routes exist and how messages pick among them. */
class Router {
  private readonly literal = new Map<string, Route[]>();
  private readonly wildcard: Route[] = [];
  private readonly groups = new Map<string, QueueGroup>();
  readonly all = new Set<Route>();

  add(route: Route): void {
    this.all.add(route);
    if (hasWildcard(route.pattern)) this.wildcard.push(route);
    else {
      const list = this.literal.get(route.pattern);
      if (list) list.push(route);
      else this.literal.set(route.pattern, [route]);
    }
    if (route.queue !== undefined) {
      const key = groupKey(route);
      const g = this.groups.get(key);
      if (g) g.members.push(route);
      else this.groups.set(key, { members: [route], next: 0 });
    }
  }

  remove(route: Route): void {
    this.all.delete(route);
    const list = hasWildcard(route.pattern) ? this.wildcard : this.literal.get(route.pattern);
    if (list) {
      const i = list.indexOf(route);
      if (i >= 0) list.splice(i, 1);
      if (list.length === 0 && list !== this.wildcard) this.literal.delete(route.pattern);
    }
    if (route.queue !== undefined) {
      const key = groupKey(route);
      const g = this.groups.get(key);
      if (g) {
        const i = g.members.indexOf(route);
        if (i >= 0) g.members.splice(i, 1);
        if (g.members.length === 0) this.groups.delete(key);
      }
    }
  }

  /** The routes that receive a message on `subject`: every plain subscriber, plus one member
   * of each queue group (round-robin). */
  receivers(subject: string): Route[] {
    const out: Route[] = [];
    let picked: Set<string> | undefined;
    const consider = (r: Route): void => {
      if (r.queue === undefined) {
        out.push(r);
        return;
      }
      const key = groupKey(r);
      if (picked?.has(key)) return;
      (picked ??= new Set()).add(key);
      const g = this.groups.get(key)!;
      out.push(g.members[g.next++ % g.members.length]!);
      if (g.next >= g.members.length) g.next = 0;
    };
    const lit = this.literal.get(subject);
    if (lit) for (const r of lit) consider(r);
    for (const r of this.wildcard) if (subjectMatches(r.tokens, subject)) consider(r);
    return out;
  }
}

function groupKey(r: Route): string {
  return `${r.pattern} ${r.queue ?? ''}`;
}

interface Shared {
  router: Router;
  opts: InProcessBusOptions & { timeoutMs: number; maxPayloadBytes: number; maxPendingEvents: number; onError: (err: Error) => void };
}

interface PendingRequest {
  reject(err: unknown): void;
}

export class InProcessBus implements Bus {
  private readonly shared: Shared;
  private readonly subscriptions = new Set<Subscription>();
  private readonly pending = new Set<PendingRequest>();
  private closed = false;
  private closing: Promise<void> | undefined;

  constructor(opts: InProcessBusOptions = {}) {
    const maxPayloadBytes = opts.maxPayloadBytes ?? DEFAULT_IN_PROCESS_MAX_PAYLOAD;
    const maxPendingEvents = opts.maxPendingEvents ?? DEFAULT_MAX_PENDING_EVENTS;
    if (!(Number.isInteger(maxPayloadBytes) && maxPayloadBytes > 0)) throw new RangeError(`maxPayloadBytes must be a positive integer, got ${maxPayloadBytes}`);
    if (!(Number.isInteger(maxPendingEvents) && maxPendingEvents > 0)) throw new RangeError(`maxPendingEvents must be a positive integer, got ${maxPendingEvents}`);
    validateCommonOptions(opts);
    this.shared = {
      router: new Router(),
      opts: { ...opts, timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS, maxPayloadBytes, maxPendingEvents, onError: opts.onError ?? defaultOnError },
    };
  }

  /** Another connection to the same in-process server, with this one's options except for
   * `overrides`. */
  peer(overrides: InProcessBusOptions = {}): InProcessBus {
    const p = new InProcessBus({ ...this.shared.opts, ...overrides });
    p.shared.router = this.shared.router;
    return p;
  }

  isConnected(): boolean {
    return !this.closed;
  }

  async request<Req, Res>(rpc: Rpc<Req, Res>, request: Req, opts: RequestOptions = {}): Promise<Res> {
    if (this.closed) throw newServiceUnavailable('the bus is closed');
    const timeoutMs = resolveTimeout(opts.timeoutMs, this.shared.opts.timeoutMs);
    checkPublishSubject(rpc.subject);
    const headers = outgoingHeaders(opts.headers, outgoingTrace(opts.headers, true), timeoutMs);
    let data: Uint8Array;
    try {
      data = rpc.request.encode(request);
    } catch (err) {
      throw newInternalError(`cannot send ${rpc.subject} request: ${(err as Error).message}`);
    }
    this.checkSize(data, headers, `${rpc.subject} request`);
    checkPendingRequests(this.pending.size, this.shared.opts);

    const receivers = this.shared.router.receivers(rpc.subject);
    if (receivers.length === 0) throw noResponders(rpc);

    return new Promise<Res>((resolve, reject) => {
      let done = false;
      const entry: PendingRequest = {
        reject: (err) => finish(() => reject(err)),
      };
      const finish = (settle: () => void): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        this.pending.delete(entry);
        settle();
      };
      const timer = setTimeout(
        () => finish(() => reject(newTimeoutError(`no reply from the ${rpc.service} service to ${rpc.subject} within ${timeoutMs}ms`, 0))),
        timeoutMs,
      );
      this.pending.add(entry);
      const respond = (reply: Uint8Array): void => {
        if (done) return;
        finish(() => {
          try {
            resolve(decodeReply(rpc.response, reply));
          } catch (err) {
            reject(err);
          }
        });
      };
      this.dispatch(receivers, { subject: rpc.subject, data, headers, respond });
    });
  }

  async serve<Req, Res>(rpc: Rpc<Req, Res>, handler: RpcHandler<Req, Res>, opts: ServeOptions = {}): Promise<Subscription> {
    if (this.closed) throw newServiceUnavailable('the bus is closed');
    checkSubscribeSubject(rpc.subject);
    const gate: WorkGate = newGate(opts, this.shared.opts);
    const maxPayload = this.shared.opts.maxPayloadBytes;
    let active = true;
    const route: Route = {
      pattern: rpc.subject,
      tokens: rpc.subject.split('.'),
      queue: opts.queue ?? rpc.service,
      deliver: (d) => {
        const respond = d.respond;
        if (!respond) return; // a publish to an RPC subject: nobody to answer
        if (!active) {
          // Routed just before this subscription closed.
          respond(encodeErrorReply(noResponders(rpc)));
          return;
        }
        admitRequest(gate, rpc, handler, d.data, d.subject, d.headers, (reply) => {
          // A reply over the limit could not cross NATS either; say so instead of timing out.
          respond(reply.byteLength > maxPayload
            ? encodeErrorReply(newInternalError(`the ${rpc.subject} reply of ${reply.byteLength} bytes exceeds the bus message limit of ${maxPayload} bytes`))
            : reply);
        });
      },
      settled: () => Promise.resolve(),
    };
    return this.own(route, async () => {
      active = false;
      await gate.idle();
    });
  }

  publish<T>(subject: string, codec: MessageCodec<T>, message: T, headers?: Headers): void {
    if (this.closed) throw newServiceUnavailable('the bus is closed');
    checkPublishSubject(subject);
    const h = outgoingHeaders(headers, outgoingTrace(headers, false));
    let data: Uint8Array;
    try {
      data = codec.encode(message);
    } catch (err) {
      throw newInternalError(`cannot publish to ${subject}: ${(err as Error).message}`);
    }
    this.checkSize(data, h, `event on ${subject}`);
    this.dispatch(this.shared.router.receivers(subject), { subject, data, headers: h });
  }

  async subscribe<T>(subject: string, codec: MessageCodec<T>, handler: EventHandler<T>): Promise<Subscription> {
    if (this.closed) throw newServiceUnavailable('the bus is closed');
    checkSubscribeSubject(subject);
    const { maxPendingEvents, onError } = this.shared.opts;
    const queue: Delivery[] = [];
    let head = 0;
    let scheduled = false;
    let active = true;
    let dropped = 0;
    let drainedWaiters: (() => void)[] = [];

    const drain = (): void => {
      scheduled = false;
      let n = 0;
      while (active && head < queue.length && n++ < EVENT_BATCH) {
        const d = queue[head]!;
        queue[head++] = undefined as unknown as Delivery;
        deliverEvent(codec, handler, d.data, d.subject, d.headers, onError);
      }
      if (head >= queue.length || !active) {
        queue.length = 0;
        head = 0;
        const waiters = drainedWaiters;
        drainedWaiters = [];
        for (const w of waiters) w();
      } else {
        if (head > EVENT_BATCH) {
          queue.splice(0, head);
          head = 0;
        }
        scheduled = true;
        setImmediate(drain);
      }
    };

    const route: Route = {
      pattern: subject,
      tokens: subject.split('.'),
      queue: undefined,
      deliver: (d) => {
        if (!active) return;
        if (queue.length - head >= maxPendingEvents) {
          if (dropped++ % 1000 === 0) {
            onError(new Error(`slow consumer on ${subject}: ${maxPendingEvents} events pending, dropped ${dropped} so far`));
          }
          return;
        }
        queue.push(d);
        if (!scheduled) {
          scheduled = true;
          queueMicrotask(drain);
        }
      },
      settled: () => (head >= queue.length || !active ? Promise.resolve() : new Promise<void>((r) => drainedWaiters.push(r))),
    };
    // Closing an event subscription stops deliveries at once, as a NATS unsubscribe does.
    return this.own(route, async () => {
      active = false;
    });
  }

  /** Resolves when every event published so far (by any connection) has been handed to its
   * subscribers' handlers. */
  async flush(): Promise<void> {
    if (this.closed) throw newServiceUnavailable('the bus is closed');
    // Deliveries are queued as microtasks; let them reach every subscription's buffer first.
    await new Promise<void>((r) => setImmediate(r));
    await Promise.all([...this.shared.router.all].map((r) => r.settled()));
  }

  /** Stops accepting work, closes this connection's subscriptions (in-flight and queued RPC
   * handlers finish and reply), then fails its still-unanswered requests with
   * ServiceUnavailable. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.closed = true;
      await Promise.all([...this.subscriptions].map((s) => s.close()));
      for (const p of [...this.pending]) p.reject(newServiceUnavailable('the bus is closed'));
    })();
    return this.closing;
  }

  private own(route: Route, onClose: () => Promise<void>): Subscription {
    this.shared.router.add(route);
    let closing: Promise<void> | undefined;
    const sub: Subscription = {
      close: () => {
        closing ??= (async () => {
          this.shared.router.remove(route);
          await onClose();
          this.subscriptions.delete(sub);
        })();
        return closing;
      },
    };
    this.subscriptions.add(sub);
    return sub;
  }

  private checkSize(data: Uint8Array, headers: Headers, what: string): void {
    const size = data.byteLength + headersWireSize(headers);
    if (size > this.shared.opts.maxPayloadBytes) {
      throw newRequestEntityTooLarge(`the ${what} of ${size} bytes exceeds the bus message limit of ${this.shared.opts.maxPayloadBytes} bytes`);
    }
  }

  /** Hands a message to its receivers on a later microtask; receivers after the first get
   * their own copies of the bytes and headers. */
  private dispatch(receivers: Route[], d: Delivery): void {
    if (receivers.length === 0) return;
    queueMicrotask(() => {
      receivers.forEach((r, i) => {
        // Uint8Array's slice copies (Buffer's, which encoders may hand us, would not).
        const mine = i === 0 ? d : { ...d, data: Uint8Array.prototype.slice.call(d.data), headers: { ...d.headers } };
        try {
          r.deliver(mine);
        } catch (err) {
          this.shared.opts.onError(new Error(`delivery on ${d.subject} failed: ${(err as Error).message}`));
        }
      });
    });
  }
}

function noResponders(rpc: { service: string; subject: string }): Error {
  return newServiceUnavailable(`the ${rpc.service} service is unavailable: nothing serves ${rpc.subject}`);
}
