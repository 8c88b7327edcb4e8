// How a batch of reviews crosses the thread boundary: one byte buffer, transferred (not copied),
// instead of structured clones of many small objects. Cloning a request object costs more than
// reviewing it, and cloning a Uint8Array copies its whole backing ArrayBuffer (for bus messages,
// possibly a much larger receive buffer); a packed buffer costs one JSON.stringify of the small
// fields and one copy of each object's bytes.
//
// Layout: [u32 LE length of H][H: UTF-8 JSON of the headers][payload: the byte fields, in order].

import type { Status } from '@kapi/apimachinery';
import type { AdmissionRequest } from '@kapi/bus';

/** A review's outcome as the worker reports it. `object` is absent when the admitted object is
 * byte for byte the request's. */
export type ReviewResult = { ok: true; object?: Uint8Array; warnings: string[]; auditAnnotations?: Record<string, string> } | { ok: false; status: Status };

/** A request's small fields as a tuple (arrays of strings stringify and parse about twice as
 * fast as objects with keys): operation, ref (group, version, resource, namespace, name,
 * subresource), kind (group, version, kind), dryRun, fieldValidation, user, and the lengths of
 * object and oldObject in the payload. */
type RequestHeader = [
  string,
  string,
  string,
  string,
  string,
  string,
  string,
  string,
  string,
  string,
  0 | 1,
  string,
  AdmissionRequest['user'] | 0,
  number,
  number,
];
type ResultHeader = { ok: true; n: number; warnings: string[]; a?: Record<string, string> } | { ok: false; status: Status };

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function pack(header: unknown, parts: readonly Uint8Array[]): Uint8Array {
  const head = encoder.encode(JSON.stringify(header));
  let size = 4 + head.length;
  for (const p of parts) size += p.length;
  const out = new Uint8Array(size);
  new DataView(out.buffer).setUint32(0, head.length, true);
  out.set(head, 4);
  let off = 4 + head.length;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

function unpack<H>(buf: Uint8Array): { header: H; payload: Uint8Array } {
  if (buf.length < 4) throw new Error('admission batch: truncated buffer');
  const headLength = new DataView(buf.buffer, buf.byteOffset, buf.byteLength).getUint32(0, true);
  if (4 + headLength > buf.length) throw new Error('admission batch: truncated header');
  const header = JSON.parse(decoder.decode(buf.subarray(4, 4 + headLength))) as H;
  return { header, payload: buf.subarray(4 + headLength) };
}

/** Cuts `n` bytes off the front of the payload (a view, no copy). */
class Cursor {
  private off = 0;
  constructor(private readonly payload: Uint8Array) {}
  take(n: number): Uint8Array {
    if (!Number.isInteger(n) || n < 0 || this.off + n > this.payload.length) throw new Error('admission batch: bad length');
    const v = this.payload.subarray(this.off, this.off + n);
    this.off += n;
    return v;
  }
}

export function encodeRequests(requests: readonly AdmissionRequest[]): Uint8Array {
  const headers: RequestHeader[] = [];
  const parts: Uint8Array[] = [];
  for (const r of requests) {
    const object = r.object ?? new Uint8Array();
    const oldObject = r.oldObject ?? new Uint8Array();
    const { ref, kind } = r;
    headers.push([
      r.operation,
      ref.group,
      ref.version,
      ref.resource,
      ref.namespace,
      ref.name,
      ref.subresource,
      kind.group,
      kind.version,
      kind.kind,
      r.dryRun ? 1 : 0,
      r.fieldValidation,
      r.user ?? 0,
      object.length,
      oldObject.length,
    ]);
    parts.push(object, oldObject);
  }
  return pack(headers, parts);
}

export function decodeRequests(buf: Uint8Array): AdmissionRequest[] {
  const { header, payload } = unpack<RequestHeader[]>(buf);
  const cursor = new Cursor(payload);
  return header.map((h) => {
    const r: AdmissionRequest = {
      operation: h[0],
      ref: { group: h[1], version: h[2], resource: h[3], namespace: h[4], name: h[5], subresource: h[6] },
      kind: { group: h[7], version: h[8], kind: h[9] },
      object: cursor.take(h[13]),
      oldObject: cursor.take(h[14]),
      dryRun: h[10] === 1,
      fieldValidation: h[11],
    };
    if (h[12]) r.user = h[12];
    return r;
  });
}

export function encodeResults(results: readonly ReviewResult[]): Uint8Array {
  const headers: ResultHeader[] = [];
  const parts: Uint8Array[] = [];
  for (const r of results) {
    if (!r.ok) headers.push({ ok: false, status: r.status });
    else {
      headers.push({ ok: true, n: r.object ? r.object.length : -1, warnings: r.warnings, ...(r.auditAnnotations && Object.keys(r.auditAnnotations).length > 0 ? { a: r.auditAnnotations } : {}) });
      if (r.object) parts.push(r.object);
    }
  }
  return pack(headers, parts);
}

export function decodeResults(buf: Uint8Array): ReviewResult[] {
  const { header, payload } = unpack<ResultHeader[]>(buf);
  const cursor = new Cursor(payload);
  return header.map((h): ReviewResult => {
    if (!h.ok) return { ok: false, status: h.status };
    const annotations = h.a ? { auditAnnotations: h.a } : {};
    return h.n < 0 ? { ok: true, warnings: h.warnings, ...annotations } : { ok: true, object: cursor.take(h.n), warnings: h.warnings, ...annotations };
  });
}
