// Message headers as both buses carry them. NATS headers are MIME-style lines, so the rules are
// NATS's: a key is printable ASCII (33..126) without ':', a value has no CR or LF and loses
// surrounding whitespace in transit. InProcessBus applies the same rules so a header that works
// in one process works across many.

import type { Headers } from './bus.js';
import { newBadRequest } from '@kapi/apimachinery';
import { injectTrace, type TraceContext } from './trace.js';

/** How long the requester waits for the reply, in ms. Set by the bus on every request so a
 * server can drop work whose requester has already given up; never shown to handlers. */
export const TIMEOUT_HEADER = 'kapi-timeout-ms';

function checkKey(key: string): void {
  if (key.length === 0) throw newBadRequest('invalid message header: empty name');
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    if (c < 33 || c > 126 || c === 58) {
      throw newBadRequest(`invalid message header name ${JSON.stringify(key)}: only printable ASCII without ':' is allowed`);
    }
  }
}

function checkValue(key: string, value: unknown): string {
  if (typeof value !== 'string') throw newBadRequest(`invalid message header ${JSON.stringify(key)}: value must be a string`);
  if (value.includes('\r') || value.includes('\n')) {
    throw newBadRequest(`invalid message header ${JSON.stringify(key)}: value must not contain CR or LF`);
  }
  return value.trim();
}

/** The headers to send: a validated copy of the caller's, with the trace context and, for
 * requests, the timeout. Throws a BadRequest StatusError for an invalid header. */
export function outgoingHeaders(explicit: Headers | undefined, trace: TraceContext | undefined, timeoutMs?: number): Headers {
  const out: Headers = {};
  if (explicit) {
    for (const key of Object.keys(explicit)) {
      checkKey(key);
      out[key] = checkValue(key, explicit[key]);
    }
  }
  if (trace) injectTrace(out, trace);
  if (timeoutMs !== undefined) out[TIMEOUT_HEADER] = String(Math.ceil(timeoutMs));
  return out;
}

/** The headers a handler sees: everything received but the bus's own. Mutates and returns `h`. */
export function handlerHeaders(h: Headers): Headers {
  delete h[TIMEOUT_HEADER];
  return h;
}

/** The requester's timeout carried in `h`, or undefined. */
export function requestTimeout(h: Headers): number | undefined {
  const v = h[TIMEOUT_HEADER];
  if (v === undefined) return undefined;
  const n = Number(v);
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

/** Bytes the headers take in a NATS message ("NATS/1.0\r\n", "key: value\r\n" each, "\r\n"); 0
 * when there are none. InProcessBus counts them against the payload limit as NATS does. */
export function headersWireSize(h: Headers): number {
  let n = 0;
  for (const key of Object.keys(h)) n += Buffer.byteLength(key) + Buffer.byteLength(h[key]!) + 4;
  return n === 0 ? 0 : n + 12;
}
