// The envelope of k8s.io/apimachinery/pkg/runtime/serializer/protobuf: the magic prefix "k8s\0"
// then a runtime.Unknown {typeMeta {apiVersion, kind}, raw, contentEncoding, contentType} whose
// raw is the object's message. Plus the frames of a protobuf watch stream (RawSerializer +
// LengthDelimitedFramer): a 4-byte big-endian length, then a metav1.WatchEvent written without
// envelope whose object.raw is the enveloped object.

import { decodeMessage, encodeMessage } from './codec.js';
import { messageNameForKind } from './plans.js';
import { ProtoDecodeError, UNEXPECTED_EOF, WIRE_BYTES, WIRE_END_GROUP, WireReader, WireWriter } from './wire.js';

/** "k8s\0". */
export const PROTOBUF_PREFIX = Uint8Array.of(0x6b, 0x38, 0x73, 0x00);

/** runtime.Unknown as read from an envelope. */
export interface UnknownEnvelope {
  apiVersion: string;
  kind: string;
  raw: Uint8Array;
  contentEncoding: string;
  contentType: string;
}

function hasPrefix(data: Uint8Array): boolean {
  return data.length >= 4 && data[0] === 0x6b && data[1] === 0x38 && data[2] === 0x73 && data[3] === 0x00;
}

/** Whether bytes look like a protobuf envelope (Serializer.RecognizesData). */
export function recognizesProtobuf(data: Uint8Array): boolean {
  return hasPrefix(data);
}

function readStringField(r: WireReader, wt: number, field: string): string {
  if (wt !== WIRE_BYTES) throw new ProtoDecodeError(`proto: wrong wireType = ${wt} for field ${field}`);
  const [s, e] = r.lengthDelimited();
  return Buffer.from(r.buf.buffer, r.buf.byteOffset + s, e - s).toString('utf8');
}

function decodeTypeMeta(buf: Uint8Array, start: number, end: number, into: UnknownEnvelope): void {
  const r = new WireReader(buf, start, end);
  while (r.pos < end) {
    const tag = r.uint64();
    const id = Math.floor(tag / 8);
    const wt = tag % 8;
    if (wt === WIRE_END_GROUP) throw new ProtoDecodeError('proto: TypeMeta: wiretype end group for non-group');
    if (id <= 0) throw new ProtoDecodeError(`proto: TypeMeta: illegal tag ${id} (wire type ${wt})`);
    if (id === 1) into.apiVersion = readStringField(r, wt, 'APIVersion');
    else if (id === 2) into.kind = readStringField(r, wt, 'Kind');
    else r.skip(wt);
  }
}

/** runtime.Unknown.Unmarshal of the bytes after the prefix. */
function decodeUnknown(buf: Uint8Array, start: number): UnknownEnvelope {
  const out: UnknownEnvelope = { apiVersion: '', kind: '', raw: new Uint8Array(0), contentEncoding: '', contentType: '' };
  const r = new WireReader(buf, start, buf.length);
  while (r.pos < buf.length) {
    const tag = r.uint64();
    const id = Math.floor(tag / 8);
    const wt = tag % 8;
    if (wt === WIRE_END_GROUP) throw new ProtoDecodeError('proto: Unknown: wiretype end group for non-group');
    if (id <= 0) throw new ProtoDecodeError(`proto: Unknown: illegal tag ${id} (wire type ${wt})`);
    switch (id) {
      case 1: {
        if (wt !== WIRE_BYTES) throw new ProtoDecodeError(`proto: wrong wireType = ${wt} for field TypeMeta`);
        const [s, e] = r.lengthDelimited();
        decodeTypeMeta(buf, s, e, out);
        break;
      }
      case 2: {
        if (wt !== WIRE_BYTES) throw new ProtoDecodeError(`proto: wrong wireType = ${wt} for field Raw`);
        const [s, e] = r.lengthDelimited();
        out.raw = buf.subarray(s, e);
        break;
      }
      case 3:
        out.contentEncoding = readStringField(r, wt, 'ContentEncoding');
        break;
      case 4:
        out.contentType = readStringField(r, wt, 'ContentType');
        break;
      default:
        r.skip(wt);
    }
  }
  if (r.pos > buf.length) throw new ProtoDecodeError(UNEXPECTED_EOF);
  return out;
}

/**
 * Serializer.Decode's first steps: the prefix checks (with kube's texts) and the Unknown.
 * Throws ProtoDecodeError.
 */
export function decodeEnvelope(data: Uint8Array): UnknownEnvelope {
  if (data.length === 0) throw new ProtoDecodeError('empty data');
  if (!hasPrefix(data)) {
    // fmt's %v of the []byte prefix.
    throw new ProtoDecodeError('provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]');
  }
  if (data.length === PROTOBUF_PREFIX.length) throw new ProtoDecodeError('empty body');
  return decodeUnknown(data, PROTOBUF_PREFIX.length);
}

function writeUnknown(w: WireWriter, apiVersion: string, kind: string, raw: Uint8Array): void {
  w.tag(1, WIRE_BYTES);
  const mark = w.beginNested();
  w.tag(1, WIRE_BYTES);
  w.string(apiVersion);
  w.tag(2, WIRE_BYTES);
  w.string(kind);
  w.endNested(mark);
  w.tag(2, WIRE_BYTES);
  w.bytes(raw);
  w.tag(3, WIRE_BYTES);
  w.string('');
  w.tag(4, WIRE_BYTES);
  w.string('');
}

/** Serializer.Encode: prefix + Unknown{typeMeta, raw} around an object's message bytes. */
export function encodeEnvelope(apiVersion: string, kind: string, raw: Uint8Array): Uint8Array {
  const w = new WireWriter(raw.length + apiVersion.length + kind.length + 24);
  w.raw(PROTOBUF_PREFIX);
  writeUnknown(w, apiVersion, kind, raw);
  return w.finish();
}

/** "apps/v1" -> {group: "apps", version: "v1"}; "v1" -> core. */
export function splitAPIVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

/** The message name for an object's apiVersion and kind, if it has one. */
export function messageNameFor(apiVersion: string, kind: string): string | undefined {
  const { group, version } = splitAPIVersion(apiVersion);
  return messageNameForKind(group, version, kind);
}

/** Thrown when an object's kind has no protobuf message (errNotMarshalable). */
export class NotMarshalableError extends Error {
  constructor(readonly apiVersion: string, readonly kind: string) {
    super(`object ${apiVersion}, Kind=${kind} does not implement the protobuf marshalling interface and cannot be encoded to a protobuf message`);
    this.name = 'NotMarshalableError';
  }
}

/**
 * Encodes a kube JSON object (apiVersion and kind set) as an enveloped protobuf message, as
 * kube-apiserver's protobuf serializer writes a response body.
 */
export function encodeObject(object: Record<string, unknown>, sizeHint?: number): Uint8Array {
  const apiVersion = typeof object.apiVersion === 'string' ? object.apiVersion : '';
  const kind = typeof object.kind === 'string' ? object.kind : '';
  const name = messageNameFor(apiVersion, kind);
  if (!name) throw new NotMarshalableError(apiVersion, kind);
  return encodeEnvelope(apiVersion, kind, encodeMessage(name, object, sizeHint));
}

/**
 * Decodes an enveloped object into kube's JSON form with apiVersion and kind first (TypeMeta
 * leads every Go API struct). `defaults` fills an empty apiVersion/kind (copyKindDefaults).
 */
export function decodeObject(data: Uint8Array, defaults?: { apiVersion: string; kind: string }): Record<string, unknown> {
  const unk = decodeEnvelope(data);
  const apiVersion = unk.apiVersion || defaults?.apiVersion || '';
  const kind = unk.kind || defaults?.kind || '';
  const name = messageNameFor(apiVersion, kind);
  if (!name) throw new NotMarshalableError(apiVersion, kind);
  return { kind, apiVersion, ...decodeMessage(name, unk.raw) };
}

/**
 * One frame of a protobuf watch stream: 4-byte big-endian length, then metav1.WatchEvent
 * {type, object: RawExtension{raw: <enveloped object>}} as protobuf.RawSerializer writes it
 * (no prefix), the way kube-apiserver's WatchServer encodes each event.
 * `object` is the already enveloped object (see encodeObject).
 */
export function encodeWatchFrame(type: string, envelopedObject: Uint8Array): Uint8Array {
  const w = new WireWriter(envelopedObject.length + type.length + 16);
  w.raw(new Uint8Array(4));
  w.tag(1, WIRE_BYTES);
  w.string(type);
  w.tag(2, WIRE_BYTES);
  const mark = w.beginNested();
  w.tag(1, WIRE_BYTES);
  w.bytes(envelopedObject);
  w.endNested(mark);
  const out = w.finish();
  const length = out.length - 4;
  out[0] = (length >>> 24) & 0xff;
  out[1] = (length >>> 16) & 0xff;
  out[2] = (length >>> 8) & 0xff;
  out[3] = length & 0xff;
  return out;
}

/** Reads one watch frame (the inverse of encodeWatchFrame): event type and enveloped object. */
export function decodeWatchFrame(frame: Uint8Array): { type: string; object: Uint8Array; size: number } {
  if (frame.length < 4) throw new ProtoDecodeError(UNEXPECTED_EOF);
  const length = ((frame[0]! << 24) | (frame[1]! << 16) | (frame[2]! << 8) | frame[3]!) >>> 0;
  if (frame.length < 4 + length) throw new ProtoDecodeError(UNEXPECTED_EOF);
  const body = frame.subarray(4, 4 + length);
  const r = new WireReader(body, 0, body.length);
  let type = '';
  let object: Uint8Array = new Uint8Array(0);
  while (r.pos < body.length) {
    const tag = r.uint64();
    const id = Math.floor(tag / 8);
    const wt = tag % 8;
    if (id === 1) type = readStringField(r, wt, 'Type');
    else if (id === 2 && wt === WIRE_BYTES) {
      const [s, e] = r.lengthDelimited();
      const inner = new WireReader(body, s, e);
      while (inner.pos < e) {
        const t = inner.uint64();
        if (Math.floor(t / 8) === 1 && t % 8 === WIRE_BYTES) {
          const [rs, re] = inner.lengthDelimited();
          object = body.subarray(rs, re);
        } else inner.skip(t % 8);
      }
    } else r.skip(wt);
  }
  return { type, object, size: 4 + length };
}
