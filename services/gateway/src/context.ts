// The per-request state the filter chain and handlers share (kube keeps it in the request's
// context.Context), and the response writer they all write through.

import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { UserInfo } from '@kapi/apimachinery';
import type { RequestInfo } from './request-info.js';
import { WarningRecorder } from './warnings.js';

/** Where a response goes. Exactly one send() reaches the client; later ones are ignored (a
 * handler that finishes after the timeout filter answered must not write twice). */
export interface ResponseSink {
  /** Writes status, headers and body; false when a response was already sent. */
  send(code: number, headers: Record<string, string | string[]>, body: Buffer | string): boolean;
  /** Writes status and headers of a streamed body (chunked) and hands out the response to write
   * it; undefined when a response was already sent. Counts as the one response. */
  stream?(code: number, headers: Record<string, string | string[]>): ServerResponse | undefined;
  readonly sent: boolean;
}

/** Response headers collected before the body is written (kube's http.Header on the writer). */
export class ResponseHeaders {
  private readonly map = new Map<string, { name: string; values: string[] }>();

  set(name: string, value: string): void {
    this.map.set(name.toLowerCase(), { name, values: [value] });
  }

  add(name: string, value: string): void {
    const entry = this.map.get(name.toLowerCase());
    if (entry) entry.values.push(value);
    else this.map.set(name.toLowerCase(), { name, values: [value] });
  }

  get(name: string): string | undefined {
    return this.map.get(name.toLowerCase())?.values[0];
  }

  has(name: string): boolean {
    return this.map.has(name.toLowerCase());
  }

  delete(name: string): void {
    this.map.delete(name.toLowerCase());
  }

  toRecord(): Record<string, string | string[]> {
    const out: Record<string, string | string[]> = {};
    for (const { name, values } of this.map.values()) out[name] = values.length === 1 ? values[0]! : [...values];
    return out;
  }
}

export interface RequestContextInit {
  method: string;
  requestURI: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  raw: IncomingMessage;
  sink: ResponseSink;
  receivedAt?: number;
}

export class RequestContext {
  readonly method: string;
  /** The request target exactly as received. */
  readonly requestURI: string;
  /** The percent-decoded path (Go's URL.Path). */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly raw: IncomingMessage;
  readonly receivedAt: number;
  readonly responseHeaders = new ResponseHeaders();
  readonly warnings: WarningRecorder;
  private abortController: AbortController | undefined;
  auditId = '';
  requestInfo: RequestInfo | undefined;
  /** The authenticated (or anonymous) user; set by the authentication filter. */
  user: UserInfo | undefined;
  /** When the request impersonates someone (Impersonate-* headers): the user who authenticated;
   * `user` is then the impersonated one. Audit records both (kube's user / impersonatedUser). */
  authenticatedUser: UserInfo | undefined;
  /** Annotations for this request's audit events (authorization's decision and reason, ...). */
  readonly auditAnnotations: Record<string, string> = {};
  /** The request body as read by the handler (audit's requestObject). */
  requestBody: Buffer | undefined;
  /** The status code answered (set by send/stream), and the body of a non-streamed answer. */
  responseCode: number | undefined;
  responseBody: Buffer | string | undefined;
  /** Epoch milliseconds after which the request is abandoned; undefined for long-running ones. */
  deadline: number | undefined;
  private readonly sink: ResponseSink;
  private streamListeners: (() => void)[] | undefined;

  constructor(init: RequestContextInit) {
    this.method = init.method;
    this.requestURI = init.requestURI;
    this.path = init.path;
    this.query = init.query;
    this.headers = init.headers;
    this.raw = init.raw;
    this.sink = init.sink;
    this.receivedAt = init.receivedAt ?? Date.now();
    this.warnings = new WarningRecorder(this.responseHeaders);
  }

  /** Fires when the request stops mattering: its deadline passed or the client went away.
   * Created on first use (most requests never need one). */
  get abort(): AbortController {
    this.abortController ??= new AbortController();
    return this.abortController;
  }

  /** Whether the request was abandoned (without creating a controller to find out). */
  get abandoned(): boolean {
    return this.abortController?.signal.aborted ?? false;
  }

  /** The first value of a request header, or ''. */
  header(name: string): string {
    const v = this.headers[name.toLowerCase()];
    if (v === undefined) return '';
    return Array.isArray(v) ? (v[0] ?? '') : v;
  }

  get responded(): boolean {
    return this.sink.sent;
  }

  /** Sends the response with the collected headers plus `extra`. False if one was already sent. */
  send(code: number, body: Buffer | string, extra: Record<string, string> = {}): boolean {
    if (this.sink.sent) return false;
    for (const [k, v] of Object.entries(extra)) this.responseHeaders.set(k, v);
    this.responseCode = code;
    this.responseBody = body;
    return this.sink.send(code, this.responseHeaders.toRecord(), body);
  }

  /** Starts a streamed response (watch) with the collected headers plus `extra`; undefined if a
   * response was already sent or the sink cannot stream. */
  stream(code: number, extra: Record<string, string> = {}): ServerResponse | undefined {
    if (this.sink.sent || !this.sink.stream) return undefined;
    for (const [k, v] of Object.entries(extra)) this.responseHeaders.set(k, v);
    const res = this.sink.stream(code, this.responseHeaders.toRecord());
    this.responseCode = code;
    const listeners = this.streamListeners;
    this.streamListeners = undefined;
    if (listeners) for (const cb of listeners) cb();
    return res;
  }

  /** Runs `cb` once when a streamed response (watch) has started, i.e. its head went out.
   * Priority and fairness uses it to free a watch's seat once the watch is initialized. */
  onStreamStart(cb: () => void): void {
    (this.streamListeners ??= []).push(cb);
  }

  /** Milliseconds left before the deadline (Infinity without one). */
  remainingMs(now = Date.now()): number {
    return this.deadline === undefined ? Infinity : this.deadline - now;
  }
}
