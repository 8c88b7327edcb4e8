// W3C Trace Context (https://www.w3.org/TR/trace-context/) for bus messages.
//
// `traceparent` is `00-<trace-id: 32 hex>-<parent-id: 16 hex>-<trace-flags: 2 hex>`, lowercase
// hex only, ids not all zeros. A value of a higher version is read by its first four fields when
// it is at least as long as version 00 and continues with `-`; version ff is invalid. We always
// write version 00. An invalid traceparent is ignored together with its tracestate (the spec's
// rule), and the receiver starts afresh. `tracestate` is carried through unchanged when it is at
// most 512 characters of printable ASCII, and dropped otherwise.
//
// The current context lives in an AsyncLocalStorage: runWithTrace(ctx, fn) makes ctx current for
// fn and everything it awaits. The buses send each request with a child span of the current
// context (a new span id per hop, same trace id) and run handlers inside the context they
// received, so requests a handler makes continue the same trace.

import { AsyncLocalStorage } from 'node:async_hooks';
import { randomFillSync } from 'node:crypto';
import type { Headers } from './bus.js';

export const TRACEPARENT_HEADER = 'traceparent';
export const TRACESTATE_HEADER = 'tracestate';

/** Bit 0 of trace-flags: the caller may have recorded this trace. */
export const FLAG_SAMPLED = 0x01;

/** Longest tracestate we propagate (the spec's recommended minimum to support). */
const MAX_TRACESTATE = 512;

export interface TraceContext {
  /** 32 lowercase hex characters, not all zeros. */
  traceId: string;
  /** The id of the current span: 16 lowercase hex characters, not all zeros. */
  spanId: string;
  /** trace-flags, 0..255. */
  flags: number;
  /** The vendor-specific `tracestate` value, carried through unchanged. */
  traceState?: string;
}

// Random ids come from a pooled buffer: one randomFillSync per 256 ids instead of one per id.
const pool = Buffer.alloc(4096);
let poolOffset = pool.length;

function randomHex(bytes: number): string {
  for (;;) {
    if (poolOffset + bytes > pool.length) {
      randomFillSync(pool);
      poolOffset = 0;
    }
    const start = poolOffset;
    poolOffset += bytes;
    for (let i = start; i < poolOffset; i++) {
      if (pool[i] !== 0) return pool.toString('hex', start, poolOffset);
    }
    // All zeros is the one invalid id; draw again.
  }
}

/** A new 16-byte trace id as 32 hex characters. */
export function newTraceId(): string {
  return randomHex(16);
}

/** A new 8-byte span id as 16 hex characters. */
export function newSpanId(): string {
  return randomHex(8);
}

/** A new root context (new trace id and span id), sampled unless told otherwise. */
export function newTrace(opts: { sampled?: boolean } = {}): TraceContext {
  return { traceId: newTraceId(), spanId: newSpanId(), flags: opts.sampled === false ? 0 : FLAG_SAMPLED };
}

/** A child of `parent`: same trace id, flags and tracestate, a new span id. */
export function childSpan(parent: TraceContext): TraceContext {
  const child: TraceContext = { traceId: parent.traceId, spanId: newSpanId(), flags: parent.flags };
  if (parent.traceState !== undefined) child.traceState = parent.traceState;
  return child;
}

export function isSampled(ctx: TraceContext): boolean {
  return (ctx.flags & FLAG_SAMPLED) !== 0;
}

const HEX = /^[0-9a-f]+$/;
const ALL_ZERO = /^0+$/;

function validId(id: string, length: number): boolean {
  return id.length === length && HEX.test(id) && !ALL_ZERO.test(id);
}

/** The traceparent header value of a context (version 00). Throws on an invalid context, which
 * is a programming error: parsed and generated contexts are always valid. */
export function formatTraceparent(ctx: TraceContext): string {
  if (!validId(ctx.traceId, 32)) throw new Error(`invalid trace id ${JSON.stringify(ctx.traceId)}`);
  if (!validId(ctx.spanId, 16)) throw new Error(`invalid span id ${JSON.stringify(ctx.spanId)}`);
  if (!Number.isInteger(ctx.flags) || ctx.flags < 0 || ctx.flags > 255) throw new Error(`invalid trace flags ${ctx.flags}`);
  return `00-${ctx.traceId}-${ctx.spanId}-${ctx.flags.toString(16).padStart(2, '0')}`;
}

/** Parses a traceparent value; undefined when it is not valid. */
export function parseTraceparent(value: string | undefined): TraceContext | undefined {
  if (typeof value !== 'string') return undefined;
  const v = value.trim();
  if (v.length < 55) return undefined;
  const version = v.slice(0, 2);
  if (!HEX.test(version) || version === 'ff') return undefined;
  if (version === '00' ? v.length !== 55 : v.length > 55 && v[55] !== '-') return undefined;
  if (v[2] !== '-' || v[35] !== '-' || v[52] !== '-') return undefined;
  const traceId = v.slice(3, 35);
  const spanId = v.slice(36, 52);
  const flagsHex = v.slice(53, 55);
  if (!validId(traceId, 32) || !validId(spanId, 16) || !HEX.test(flagsHex)) return undefined;
  return { traceId, spanId, flags: parseInt(flagsHex, 16) };
}

export function isValidTraceparent(value: string): boolean {
  return parseTraceparent(value) !== undefined;
}

function validTraceState(value: string): boolean {
  if (value.length === 0 || value.length > MAX_TRACESTATE) return false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

function headerValue(headers: Headers, name: string): string | undefined {
  const exact = headers[name];
  if (exact !== undefined) return exact;
  for (const key of Object.keys(headers)) {
    if (key.toLowerCase() === name) return headers[key];
  }
  return undefined;
}

/** The trace context in message headers (header names are matched case-insensitively), or
 * undefined when there is none or its traceparent is invalid. */
export function extractTrace(headers: Headers | undefined): TraceContext | undefined {
  if (!headers) return undefined;
  const ctx = parseTraceparent(headerValue(headers, TRACEPARENT_HEADER));
  if (!ctx) return undefined;
  const state = headerValue(headers, TRACESTATE_HEADER);
  if (state !== undefined && validTraceState(state.trim())) ctx.traceState = state.trim();
  return ctx;
}

/** Writes `ctx` (default: the current context) into `headers` as traceparent/tracestate,
 * replacing any trace headers there (in whatever letter case). Without a context the headers
 * are left as they are. Returns `headers`. */
export function injectTrace(headers: Headers, ctx: TraceContext | undefined = currentTrace()): Headers {
  if (!ctx) return headers;
  for (const key of Object.keys(headers)) {
    const lower = key.toLowerCase();
    if (lower === TRACEPARENT_HEADER || lower === TRACESTATE_HEADER) delete headers[key];
  }
  headers[TRACEPARENT_HEADER] = formatTraceparent(ctx);
  if (ctx.traceState !== undefined && validTraceState(ctx.traceState)) headers[TRACESTATE_HEADER] = ctx.traceState;
  return headers;
}

const storage = new AsyncLocalStorage<TraceContext | undefined>();

/** Runs fn with `ctx` as the current trace context (undefined: no context). */
export function runWithTrace<R>(ctx: TraceContext | undefined, fn: () => R): R {
  return storage.run(ctx, fn);
}

/** The current trace context, if any. */
export function currentTrace(): TraceContext | undefined {
  return storage.getStore();
}

/** The context an outgoing request or event carries: a child of the trace in the caller's
 * explicit headers if it put a valid one there, else of the current context; with neither, a
 * new root trace when `startIfNone`, else nothing. */
export function outgoingTrace(explicit: Headers | undefined, startIfNone: boolean): TraceContext | undefined {
  const parent = extractTrace(explicit) ?? currentTrace();
  if (parent) return childSpan(parent);
  return startIfNone ? newTrace() : undefined;
}
