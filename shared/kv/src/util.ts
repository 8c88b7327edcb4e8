// Small helpers shared by the drivers: request size limit, key spans, byte copies.

import { KVError, prefixEnd } from './kv.js';

/** etcd's default --max-request-bytes (1.5 MiB). Every driver refuses writes whose key + value
 * exceed the limit, so a value accepted by the embedded store is also accepted by etcd. */
export const DEFAULT_MAX_REQUEST_BYTES = 1.5 * 1024 * 1024;

/** Throws TooLarge when key + value exceed `limit` bytes. */
export function checkWriteSize(key: string, value: Uint8Array, limit: number): void {
  const size = Buffer.byteLength(key) + value.byteLength;
  if (size > limit) {
    throw new KVError('TooLarge', `etcdserver: request is too large (${size} bytes > ${limit})`);
  }
}

/** A fresh Buffer holding a copy of `bytes` (callers and stores never share memory). */
export function copyBytes(bytes: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(bytes.byteLength);
  out.set(bytes);
  return out;
}

export const EMPTY = Buffer.alloc(0);

/** A key range with etcd's meaning: [start, end); `end` undefined = the single key `start`;
 * `end` '\0' = every key >= start. */
export interface KeySpan {
  start: string;
  end: string | undefined;
}

export function prefixSpan(prefix: string): KeySpan {
  return { start: prefix, end: prefixEnd(prefix) };
}

/** True when `end` places no upper bound on the range. */
export function unbounded(span: KeySpan): boolean {
  return span.end === '\0';
}

export function inSpan(key: string, span: KeySpan): boolean {
  if (span.end === undefined) return key === span.start;
  if (key < span.start) return false;
  return span.end === '\0' || key < span.end;
}

/** Validates a revision argument (non-negative safe integer). */
export function checkRevision(name: string, revision: number): void {
  if (!Number.isSafeInteger(revision) || revision < 0) {
    throw new RangeError(`${name} must be a non-negative integer, got ${revision}`);
  }
}
