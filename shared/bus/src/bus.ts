// The bus: how kapi's services talk. Two implementations with identical behaviour — NatsBus
// (production, any number of processes) and InProcessBus (all-in-one) — and both put every
// message through the same protobuf codecs, so one process catches the serialization bugs of many.

/** Encodes one message type to bytes and back (protobufjs types from proto/kapi/v1). */
export interface MessageCodec<T> {
  readonly typeName: string;
  encode(message: T): Uint8Array;
  decode(data: Uint8Array): T;
}

/** A request/reply method: its subject and the codecs of its request and reply. */
export interface Rpc<Req, Res> {
  readonly service: string;
  readonly method: string;
  readonly subject: string;
  readonly request: MessageCodec<Req>;
  readonly response: MessageCodec<Res>;
}

/** Message headers (W3C trace context travels as `traceparent` / `tracestate`). */
export type Headers = Record<string, string>;

export interface RequestOptions {
  /** Reply deadline; the bus default when omitted. Expiry rejects with a Timeout Status. */
  timeoutMs?: number;
  headers?: Headers;
}

export interface MessageContext {
  subject: string;
  headers: Headers;
  /** When the caller stops waiting for the reply (Date.now() clock, taken from the request's
   * timeout when it arrived); undefined for events. Handlers stop work past it: nobody reads
   * the answer. */
  deadline?: number;
}

export interface ServeOptions {
  /** Queue group: each request goes to exactly one member. Defaults to the rpc's service. */
  queue?: string;
  /** Requests handled at once by this subscription; more wait in the bus. */
  maxConcurrent?: number;
}

export interface Subscription {
  /** Stops receiving; in-flight handlers finish. */
  close(): Promise<void>;
}

export type RpcHandler<Req, Res> = (request: Req, ctx: MessageContext) => Promise<Res>;
export type EventHandler<T> = (message: T, ctx: MessageContext) => void;

export interface Bus {
  /** Sends a request to one member of the rpc's queue group. Rejects with a StatusError: the
   * handler's own Status, ServiceUnavailable when nobody serves the subject, Timeout on expiry. */
  request<Req, Res>(rpc: Rpc<Req, Res>, request: Req, opts?: RequestOptions): Promise<Res>;

  /** Serves an rpc. A handler that throws a StatusError replies with its Status; any other
   * throw replies InternalError. */
  serve<Req, Res>(rpc: Rpc<Req, Res>, handler: RpcHandler<Req, Res>, opts?: ServeOptions): Promise<Subscription>;

  /** Publishes an event to every subscriber of the subject. */
  publish<T>(subject: string, codec: MessageCodec<T>, message: T, headers?: Headers): void;

  /** Subscribes to events. `subject` may end in NATS wildcards (`*`, `>`). */
  subscribe<T>(subject: string, codec: MessageCodec<T>, handler: EventHandler<T>): Promise<Subscription>;

  /** Resolves when everything published so far has reached the server (NATS) or subscribers. */
  flush(): Promise<void>;

  /** True while the bus can carry messages (NATS: connected). */
  isConnected(): boolean;

  close(): Promise<void>;
}
