// Kube JSON <-> protobuf bytes for one message, reproducing what kube-apiserver does with the Go
// types in between:
//  - decode = generated.pb.go Unmarshal into the Go struct, then encoding/json: fields in Go
//    struct order; a zero value left out under omitempty unless the Go field is a pointer (then
//    the wire said it is set); non-omitempty fields always written (nil slices and maps as null);
//    structs never left out (except omitzero ones when zero); embedded structs inlined; map keys
//    sorted; []byte as base64; and the custom JSON forms of Time, MicroTime, Duration, Quantity,
//    IntOrString, RawExtension/FieldsV1 (raw JSON) and the named string slices.
//  - encode = encoding/json into the Go struct, then generated.pb.go Marshal: fields in number
//    order, non-pointer scalars and structs always written (zero when absent), pointers and
//    slices only when set, map entries sorted by key.
// Members that are not fields of the Go type (apiVersion, kind, unknown ones) are not encoded:
// the envelope carries apiVersion and kind.

import { formatDuration, formatMicroTime, formatTime, parseDuration, parseRFC3339, ZERO_TIME_SECONDS } from './go-time.js';
import { messagePlan, type FieldPlan, type MessagePlan, type ScalarType } from './plans.js';
import { ProtoDecodeError, UNEXPECTED_EOF, WIRE_BYTES, WIRE_END_GROUP, WIRE_VARINT, WireReader, WireWriter } from './wire.js';

/** An object that cannot be written as protobuf (a JSON value of the wrong type for its field). */
export class ProtoEncodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtoEncodeError';
  }
}

/** Nesting bound: kube's JSON decoder stops at 10000 levels; real objects use far fewer. */
const MAX_DEPTH = 100;

const EMPTY = new Uint8Array(0);
const textDecoder = new TextDecoder('utf-8');

function planOf(name: string): MessagePlan {
  const plan = messagePlan(name);
  if (!plan) throw new Error(`protobuf: no message ${name}`);
  return plan;
}

/** The plan of a message-typed field, resolved once and kept on the field. */
function subPlan(field: FieldPlan): MessagePlan {
  return (field.plan ??= planOf(field.messageName!));
}

function wireTypeOf(field: FieldPlan): number {
  return field.map ? WIRE_BYTES : field.valueWire;
}

// ---------------------------------------------------------------------------------------------
// Decoding

type Utf8Buffer = Uint8Array & { utf8Slice?: (start: number, end: number) => string };

function readString(buf: Uint8Array, start: number, end: number): string {
  // Node's Buffer decodes UTF-8 natively (invalid sequences become U+FFFD, as Go's encoding/json
  // writes them); other Uint8Arrays go through TextDecoder.
  const b = buf as Utf8Buffer;
  if (b.utf8Slice !== undefined) return b.utf8Slice(start, end);
  return textDecoder.decode(buf.subarray(start, end));
}

function asBuffer(bytes: Uint8Array): Uint8Array {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function toBase64(buf: Uint8Array, start: number, end: number): string {
  return Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString('base64');
}

function readScalar(r: WireReader, type: ScalarType): unknown {
  switch (type) {
    case 'string': {
      const [s, e] = r.lengthDelimited();
      return readString(r.buf, s, e);
    }
    case 'bytes': {
      const [s, e] = r.lengthDelimited();
      return toBase64(r.buf, s, e);
    }
    case 'bool':
      return r.bool();
    case 'int32':
      return r.int32();
    case 'int64':
      return r.int64();
  }
}

function zeroScalar(type: ScalarType): unknown {
  switch (type) {
    case 'string':
    case 'bytes':
      return type === 'string' ? '' : null;
    case 'bool':
      return false;
    default:
      return 0;
  }
}

function isZeroScalar(value: unknown): boolean {
  return value === '' || value === 0 || value === false;
}

/** A field's raw wire occurrences, gathered before JSON is produced in Go struct order. */
interface Gathered {
  /** Scalar value (last occurrence wins), or the list of values of a repeated field. */
  value?: unknown;
  /** Byte ranges of message occurrences; several are merged (proto merge = concatenation). */
  ranges?: number[];
  /** Map entries. */
  entries?: Map<string, unknown>;
  present: boolean;
}

function decodeMapEntry(r: WireReader, field: FieldPlan, depth: number, into: Map<string, unknown>): void {
  const [start, end] = r.lengthDelimited();
  const entry = new WireReader(r.buf, start, end);
  let key = '';
  let value: unknown;
  while (entry.pos < end) {
    const tag = entry.uint64();
    const id = Math.floor(tag / 8);
    const wt = tag % 8;
    if (id === 1 && wt === WIRE_BYTES) {
      const [s, e] = entry.lengthDelimited();
      key = readString(r.buf, s, e);
    } else if (id === 2) {
      if (field.scalar !== undefined) {
        if (wt !== field.valueWire) throw new ProtoDecodeError(`proto: wrong wireType = ${wt} for field ${field.goName}`);
        value = readScalar(entry, field.scalar);
      } else {
        if (wt !== WIRE_BYTES) throw new ProtoDecodeError(`proto: wrong wireType = ${wt} for field ${field.goName}`);
        const [s, e] = entry.lengthDelimited();
        value = decodeValue(subPlan(field), r.buf, s, e, depth + 1);
      }
    } else {
      entry.skip(wt);
    }
  }
  if (value === undefined) {
    value = field.scalar !== undefined ? (field.scalar === 'bytes' ? '' : zeroScalar(field.scalar)) : decodeValue(subPlan(field), r.buf, 0, 0, depth + 1);
  }
  into.set(key, value);
}

function concatRanges(buf: Uint8Array, ranges: number[]): [Uint8Array, number, number] {
  if (ranges.length === 2) return [buf, ranges[0]!, ranges[1]!];
  const parts: Uint8Array[] = [];
  for (let i = 0; i < ranges.length; i += 2) parts.push(buf.subarray(ranges[i]!, ranges[i + 1]!));
  const joined = Buffer.concat(parts);
  return [joined, 0, joined.length];
}

/** The JSON value of a message occurrence (or of the zero struct when start === end). */
function decodeValue(plan: MessagePlan, buf: Uint8Array, start: number, end: number, depth: number): unknown {
  if (depth > MAX_DEPTH) throw new ProtoDecodeError(`proto: ${plan.goName}: nesting too deep`);
  if (plan.special !== undefined) return decodeSpecial(plan, buf, start, end, depth);
  const out: Record<string, unknown> = {};
  decodeFieldsInto(plan, buf, start, end, depth, out);
  return out;
}

function decodeFieldsInto(plan: MessagePlan, buf: Uint8Array, start: number, end: number, depth: number, out: Record<string, unknown>): void {
  const gathered = gather(plan, buf, start, end, depth);
  for (let i = 0; i < plan.fields.length; i++) {
    const field = plan.fields[i]!;
    const g = gathered[i];
    if (field.inline) {
      const sub = subPlan(field);
      const [b, s, e] = g?.ranges ? concatRanges(buf, g.ranges) : [EMPTY, 0, 0];
      decodeFieldsInto(sub, b, s, e, depth + 1, out);
      continue;
    }
    if (field.map) {
      if (g?.entries && g.entries.size > 0) {
        const keys = [...g.entries.keys()].sort();
        const obj: Record<string, unknown> = {};
        for (const k of keys) obj[k] = g.entries.get(k);
        out[field.json] = obj;
      } else if (field.always) out[field.json] = null;
      continue;
    }
    if (field.repeated) {
      const values = g?.value as unknown[] | undefined;
      if (values && values.length > 0) out[field.json] = values;
      else if (field.always) out[field.json] = null;
      continue;
    }
    if (field.scalar !== undefined) {
      if (g?.present) {
        const v = g.value;
        if (field.scalar === 'bytes') {
          if (v !== '' || field.always || field.pointer) out[field.json] = v;
        } else if (!isZeroScalar(v) || field.pointer || field.always) out[field.json] = v;
      } else if (field.always) out[field.json] = field.pointer ? null : zeroScalar(field.scalar);
      continue;
    }
    // A message-typed field.
    const sub = subPlan(field);
    if (!g?.present) {
      if (field.pointer) {
        if (field.always) out[field.json] = null;
        continue;
      }
      const zero = decodeValue(sub, EMPTY, 0, 0, depth + 1);
      if (field.omitZero && isZeroStructJSON(sub, zero)) continue;
      out[field.json] = zero;
      continue;
    }
    const [b, s, e] = concatRanges(buf, g.ranges!);
    const value = decodeValue(sub, b, s, e, depth + 1);
    if (field.omitZero && !field.pointer && isZeroStructJSON(sub, value)) continue;
    out[field.json] = value;
  }
}

/** Whether a decoded special value is its type's zero (for omitzero); only Time uses it today. */
function isZeroStructJSON(plan: MessagePlan, value: unknown): boolean {
  if (plan.special === 'time' || plan.special === 'microtime' || plan.special === 'raw') return value === null;
  return false;
}

function gather(plan: MessagePlan, buf: Uint8Array, start: number, end: number, depth: number): (Gathered | undefined)[] {
  const out: (Gathered | undefined)[] = new Array(plan.fields.length);
  const r = new WireReader(buf, start, end);
  while (r.pos < end) {
    const tag = r.uint64();
    const id = Math.floor(tag / 8);
    const wt = tag % 8;
    if (wt === WIRE_END_GROUP) throw new ProtoDecodeError(`proto: ${plan.goName}: wiretype end group for non-group`);
    if (id <= 0) throw new ProtoDecodeError(`proto: ${plan.goName}: illegal tag ${id} (wire type ${wt})`);
    const field = plan.byId.get(id);
    if (!field) {
      r.skip(wt);
      continue;
    }
    const i = field.index;
    const g = (out[i] ??= { present: false });
    g.present = true;
    if (field.map) {
      if (wt !== WIRE_BYTES) throw new ProtoDecodeError(`proto: wrong wireType = ${wt} for field ${field.goName}`);
      decodeMapEntry(r, field, depth, (g.entries ??= new Map()));
      continue;
    }
    const expected = wireTypeOf(field);
    if (field.repeated) {
      const list = (g.value ??= []) as unknown[];
      if (field.scalar !== undefined && expected === WIRE_VARINT && wt === WIRE_BYTES) {
        // Packed encoding of a repeated varint field.
        const [s, e] = r.lengthDelimited();
        const packed = new WireReader(buf, s, e);
        while (packed.pos < e) list.push(readScalar(packed, field.scalar));
        continue;
      }
      if (wt !== expected) throw new ProtoDecodeError(`proto: wrong wireType = ${wt} for field ${field.goName}`);
      if (field.scalar !== undefined) list.push(readScalar(r, field.scalar));
      else {
        const [s, e] = r.lengthDelimited();
        list.push(decodeValue(subPlan(field), buf, s, e, depth + 1));
      }
      continue;
    }
    if (wt !== expected) throw new ProtoDecodeError(`proto: wrong wireType = ${wt} for field ${field.goName}`);
    if (field.scalar !== undefined) {
      g.value = readScalar(r, field.scalar);
    } else {
      const [s, e] = r.lengthDelimited();
      (g.ranges ??= []).push(s, e);
    }
  }
  if (r.pos > end) throw new ProtoDecodeError(UNEXPECTED_EOF);
  return out;
}

/** Reads the fields of a small special message into a number-keyed record (last wins). */
function readSmall(plan: MessagePlan, buf: Uint8Array, start: number, end: number, depth: number): Map<number, unknown> {
  const gathered = gather(plan, buf, start, end, depth);
  const out = new Map<number, unknown>();
  plan.fields.forEach((f, i) => {
    const g = gathered[i];
    if (g?.present) out.set(f.id, g.value);
  });
  return out;
}

/** The bytes of field 1 (raw) of a RawExtension or FieldsV1, last occurrence. */
function rawRange(plan: MessagePlan, buf: Uint8Array, start: number, end: number): [number, number] | undefined {
  const r = new WireReader(buf, start, end);
  let range: [number, number] | undefined;
  while (r.pos < end) {
    const tag = r.uint64();
    const id = Math.floor(tag / 8);
    const wt = tag % 8;
    if (wt === WIRE_END_GROUP) throw new ProtoDecodeError(`proto: ${plan.goName}: wiretype end group for non-group`);
    if (id <= 0) throw new ProtoDecodeError(`proto: ${plan.goName}: illegal tag ${id} (wire type ${wt})`);
    if (id === 1) {
      if (wt !== WIRE_BYTES) throw new ProtoDecodeError(`proto: wrong wireType = ${wt} for field Raw`);
      range = r.lengthDelimited();
    } else r.skip(wt);
  }
  return range;
}

function decodeSpecial(plan: MessagePlan, buf: Uint8Array, start: number, end: number, depth: number): unknown {
  switch (plan.special!) {
    case 'time':
    case 'microtime': {
      // metav1.Time.Unmarshal: empty bytes = the zero time (JSON null); Time keeps whole seconds.
      if (start === end) return null;
      const v = readSmall(plan, buf, start, end, depth);
      const seconds = (v.get(1) as number | undefined) ?? 0;
      const nanos = plan.special === 'time' ? 0 : ((v.get(2) as number | undefined) ?? 0);
      if (seconds === ZERO_TIME_SECONDS && nanos === 0) return null;
      const text = plan.special === 'time' ? formatTime(seconds) : formatMicroTime(seconds, nanos);
      if (text === undefined) throw new ProtoDecodeError(`${plan.goName}.MarshalJSON: year outside of range [0,9999]`);
      return text;
    }
    case 'duration':
      return formatDuration((readSmall(plan, buf, start, end, depth).get(1) as number | undefined) ?? 0);
    case 'quantity': {
      const text = readSmall(plan, buf, start, end, depth).get(1) as string | undefined;
      // The zero Quantity prints "0"; kube parses and canonicalizes the text on decode, storage's
      // validation does the same for JSON, so the text is handed on as sent.
      return text === undefined || text === '' ? '0' : text;
    }
    case 'intstr': {
      const v = readSmall(plan, buf, start, end, depth);
      return v.get(1) === 1 ? ((v.get(3) as string | undefined) ?? '') : ((v.get(2) as number | undefined) ?? 0);
    }
    case 'raw': {
      // RawExtension / FieldsV1 MarshalJSON: the raw bytes as JSON, null when there are none.
      const range = rawRange(plan, buf, start, end);
      if (!range) return null;
      const text = readString(buf, range[0], range[1]);
      if (text.trim() === '') return null;
      try {
        return JSON.parse(text) as unknown;
      } catch {
        throw new ProtoDecodeError(`json: error calling MarshalJSON for type *${plan.goName === 'FieldsV1' ? 'v1.FieldsV1' : 'runtime.RawExtension'}: invalid JSON in raw bytes`);
      }
    }
    case 'stringlist': {
      const gathered = gather(plan, buf, start, end, depth);
      const list = gathered[0]?.value as unknown[] | undefined;
      return list && list.length > 0 ? list : null;
    }
  }
}

/**
 * Decodes protobuf bytes of message `messageName` into kube's JSON form of the Go type.
 * Throws ProtoDecodeError with generated.pb.go's texts for malformed input.
 */
export function decodeMessage(messageName: string, bytes: Uint8Array): Record<string, unknown> {
  const plan = planOf(messageName);
  const value = decodeValue(plan, asBuffer(bytes), 0, bytes.length, 0);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ProtoDecodeError(`proto: ${plan.goName} is not an object type`);
  }
  return value as Record<string, unknown>;
}

// ---------------------------------------------------------------------------------------------
// Encoding

function typeError(value: unknown, field: FieldPlan, what: string): ProtoEncodeError {
  return new ProtoEncodeError(`cannot encode ${JSON.stringify(value)?.slice(0, 40)} as ${what} for field ${field.json}`);
}

function writeScalar(w: WireWriter, field: FieldPlan, type: ScalarType, value: unknown): void {
  switch (type) {
    case 'string':
      if (typeof value !== 'string') throw typeError(value, field, 'string');
      w.string(value);
      return;
    case 'bytes':
      if (typeof value !== 'string') throw typeError(value, field, 'base64 bytes');
      w.bytes(Buffer.from(value, 'base64'));
      return;
    case 'bool':
      if (typeof value !== 'boolean') throw typeError(value, field, 'bool');
      w.uvarint(value ? 1 : 0);
      return;
    case 'int32':
    case 'int64':
      if (typeof value !== 'number' || !Number.isInteger(value)) throw typeError(value, field, type);
      w.int64(value);
      return;
  }
}

function encodeFields(plan: MessagePlan, obj: Record<string, unknown>, w: WireWriter, depth: number): void {
  if (depth > MAX_DEPTH) throw new ProtoEncodeError(`${plan.goName}: nesting too deep`);
  for (const field of plan.byNumber) {
    if (field.inline) {
      w.tag(field.id, WIRE_BYTES);
      const mark = w.beginNested();
      encodeFields(subPlan(field), obj, w, depth + 1);
      w.endNested(mark);
      continue;
    }
    const value = obj[field.json];
    if (field.map) {
      if (value === undefined || value === null) continue;
      if (typeof value !== 'object' || Array.isArray(value)) throw typeError(value, field, 'map');
      const entries = value as Record<string, unknown>;
      const sub = field.messageName ? subPlan(field) : undefined;
      for (const key of Object.keys(entries).sort()) {
        const v = entries[key];
        w.tag(field.id, WIRE_BYTES);
        const mark = w.beginNested();
        w.tag(1, WIRE_BYTES);
        w.string(key);
        if (sub) {
          w.tag(2, WIRE_BYTES);
          const inner = w.beginNested();
          encodeValue(sub, v, w, depth + 1);
          w.endNested(inner);
        } else if (v !== null && v !== undefined) {
          w.tag(2, field.valueWire);
          writeScalar(w, field, field.scalar!, v);
        }
        w.endNested(mark);
      }
      continue;
    }
    if (field.repeated) {
      if (value === undefined || value === null) continue;
      if (!Array.isArray(value)) throw typeError(value, field, 'array');
      const sub = field.messageName ? subPlan(field) : undefined;
      for (const item of value) {
        if (sub) {
          w.tag(field.id, WIRE_BYTES);
          const mark = w.beginNested();
          encodeValue(sub, item, w, depth + 1);
          w.endNested(mark);
        } else {
          w.tag(field.id, wireTypeOf(field));
          writeScalar(w, field, field.scalar!, item ?? zeroScalar(field.scalar!) ?? '');
        }
      }
      continue;
    }
    if (field.scalar !== undefined) {
      if (value === undefined || value === null) {
        // generated.pb.go writes non-pointer scalars always; nil slices of bytes not at all.
        if (field.pointer || field.scalar === 'bytes') continue;
        w.tag(field.id, wireTypeOf(field));
        writeScalar(w, field, field.scalar, zeroScalar(field.scalar));
        continue;
      }
      w.tag(field.id, wireTypeOf(field));
      writeScalar(w, field, field.scalar, value);
      continue;
    }
    if ((value === undefined || value === null) && field.pointer) continue;
    w.tag(field.id, WIRE_BYTES);
    const mark = w.beginNested();
    encodeValue(subPlan(field), value, w, depth + 1);
    w.endNested(mark);
  }
}

/** Writes the content (no tag, no length) of a message value; null/undefined = the zero struct. */
function encodeValue(plan: MessagePlan, value: unknown, w: WireWriter, depth: number): void {
  if (plan.special !== undefined) {
    encodeSpecial(plan, value, w, depth);
    return;
  }
  if (value === undefined || value === null) return encodeFields(plan, {}, w, depth);
  if (typeof value !== 'object' || Array.isArray(value)) throw new ProtoEncodeError(`cannot encode ${JSON.stringify(value)?.slice(0, 40)} as ${plan.goName}`);
  encodeFields(plan, value as Record<string, unknown>, w, depth);
}

function encodeSpecial(plan: MessagePlan, value: unknown, w: WireWriter, depth: number): void {
  const absent = value === undefined || value === null;
  switch (plan.special!) {
    case 'time':
    case 'microtime': {
      // metav1.Time.Marshal: nothing for the zero time; Time writes whole seconds and nanos 0.
      if (absent) return;
      if (typeof value !== 'string') throw new ProtoEncodeError(`cannot encode ${JSON.stringify(value)} as ${plan.goName}`);
      const t = parseRFC3339(value);
      if (!t) throw new ProtoEncodeError(`cannot parse ${JSON.stringify(value)} as ${plan.goName}`);
      if (t.seconds === ZERO_TIME_SECONDS && (plan.special === 'time' || t.nanos === 0)) return;
      w.tag(1, WIRE_VARINT);
      w.int64(t.seconds);
      w.tag(2, WIRE_VARINT);
      w.int64(plan.special === 'time' ? 0 : Math.floor(t.nanos / 1000) * 1000);
      return;
    }
    case 'duration': {
      let ns = 0;
      if (!absent) {
        if (typeof value !== 'string') throw new ProtoEncodeError(`cannot encode ${JSON.stringify(value)} as Duration`);
        const parsed = parseDuration(value);
        if (parsed === undefined) throw new ProtoEncodeError(`time: invalid duration ${JSON.stringify(value)}`);
        ns = parsed;
      }
      w.tag(1, WIRE_VARINT);
      w.int64(ns);
      return;
    }
    case 'quantity': {
      let text = '0';
      if (!absent) {
        if (typeof value === 'string') text = value;
        else if (typeof value === 'number') text = String(value);
        else throw new ProtoEncodeError(`cannot encode ${JSON.stringify(value)} as Quantity`);
      }
      w.tag(1, WIRE_BYTES);
      w.string(text);
      return;
    }
    case 'intstr': {
      const isString = typeof value === 'string';
      if (!absent && !isString && (typeof value !== 'number' || !Number.isInteger(value))) {
        throw new ProtoEncodeError(`cannot encode ${JSON.stringify(value)} as IntOrString`);
      }
      w.tag(1, WIRE_VARINT);
      w.int64(isString ? 1 : 0);
      w.tag(2, WIRE_VARINT);
      w.int64(isString || absent ? 0 : (value as number));
      w.tag(3, WIRE_BYTES);
      w.string(isString ? value : '');
      return;
    }
    case 'raw': {
      if (absent) return;
      w.tag(1, WIRE_BYTES);
      w.bytes(Buffer.from(JSON.stringify(value)));
      return;
    }
    case 'stringlist': {
      if (absent) return;
      if (!Array.isArray(value)) throw new ProtoEncodeError(`cannot encode ${JSON.stringify(value)?.slice(0, 40)} as ${plan.goName}`);
      for (const item of value) {
        w.tag(1, WIRE_BYTES);
        w.string(typeof item === 'string' ? item : '');
      }
      return;
    }
  }
  void depth;
}

/** Encodes kube's JSON form of a Go object as the protobuf bytes of message `messageName`. */
export function encodeMessage(messageName: string, object: Record<string, unknown>, sizeHint = 1024): Uint8Array {
  const w = new WireWriter(sizeHint);
  encodeValue(planOf(messageName), object, w, 0);
  return w.finish();
}
