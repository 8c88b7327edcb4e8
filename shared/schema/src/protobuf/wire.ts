// The protobuf wire format, as the gogo-generated code in k8s.io/api (generated.pb.go) reads and
// writes it: varints, length-delimited fields, and the error texts its Unmarshal methods return
// (kube puts them into 400 messages, so they are part of the API).

/** A decoding failure, with the text generated.pb.go's Unmarshal gives for it. */
export class ProtoDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtoDecodeError';
  }
}

export const UNEXPECTED_EOF = 'unexpected EOF';
export const INT_OVERFLOW = 'proto: integer overflow';
export const NEGATIVE_LENGTH = 'proto: negative length found during unmarshaling';

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_BYTES = 2;
export const WIRE_START_GROUP = 3;
export const WIRE_END_GROUP = 4;
export const WIRE_FIXED32 = 5;

const TWO_32 = 4294967296;

/** Reads one message's bytes [pos, end) of a buffer. */
export class WireReader {
  pos: number;
  constructor(
    readonly buf: Uint8Array,
    start: number,
    readonly end: number,
  ) {
    this.pos = start;
  }

  /** A varint as an unsigned 64-bit value split in two 32-bit halves; gogo's overflow and EOF rules. */
  private varintParts(): [number, number] {
    let lo = 0;
    let hi = 0;
    for (let shift = 0; ; shift += 7) {
      if (shift >= 64) throw new ProtoDecodeError(INT_OVERFLOW);
      if (this.pos >= this.end) throw new ProtoDecodeError(UNEXPECTED_EOF);
      const b = this.buf[this.pos++]!;
      const bits = b & 0x7f;
      if (shift < 28) lo |= bits << shift;
      else if (shift === 28) {
        lo |= (bits & 0x0f) << 28;
        hi |= bits >>> 4;
      } else hi |= bits << (shift - 32);
      if (b < 0x80) return [lo >>> 0, hi >>> 0];
    }
  }

  /** A varint read into Go's uint64 then converted to int (tags, lengths): the low 32 bits of a
   * key, the full value (as a JS number) of a length. */
  uint64(): number {
    const [lo, hi] = this.varintParts();
    return hi * TWO_32 + lo;
  }

  /** int64 field value (two's complement). Values beyond 2^53 lose precision, as any JSON
   * number does in JavaScript. */
  int64(): number {
    const [lo, hi] = this.varintParts();
    if (hi & 0x80000000) return -((~hi >>> 0) * TWO_32 + (~lo >>> 0) + 1);
    return hi * TWO_32 + lo;
  }

  /** int32 field value: Go truncates the varint to 32 bits. */
  int32(): number {
    return this.varintParts()[0] | 0;
  }

  bool(): boolean {
    const [lo, hi] = this.varintParts();
    return lo !== 0 || hi !== 0;
  }

  /** The [start, end) of a length-delimited value. */
  lengthDelimited(): [number, number] {
    const length = this.uint64();
    if (length >= 2 ** 63) throw new ProtoDecodeError(NEGATIVE_LENGTH);
    const start = this.pos;
    const end = start + length;
    if (end > this.end) throw new ProtoDecodeError(UNEXPECTED_EOF);
    this.pos = end;
    return [start, end];
  }

  /** skipGenerated: steps over a field of an unknown number. */
  skip(wireType: number): void {
    switch (wireType) {
      case WIRE_VARINT:
        this.uint64();
        return;
      case WIRE_FIXED64:
        if (this.pos + 8 > this.end) throw new ProtoDecodeError(UNEXPECTED_EOF);
        this.pos += 8;
        return;
      case WIRE_BYTES:
        this.lengthDelimited();
        return;
      case WIRE_FIXED32:
        if (this.pos + 4 > this.end) throw new ProtoDecodeError(UNEXPECTED_EOF);
        this.pos += 4;
        return;
      case WIRE_START_GROUP: {
        // Groups nest: skip until the matching end-group tag.
        let depth = 1;
        while (depth > 0) {
          if (this.pos >= this.end) throw new ProtoDecodeError(UNEXPECTED_EOF);
          const key = this.uint64();
          const wt = key % 8;
          if (wt === WIRE_START_GROUP) depth++;
          else if (wt === WIRE_END_GROUP) depth--;
          else this.skip(wt);
        }
        return;
      }
      case WIRE_END_GROUP:
        throw new ProtoDecodeError('proto: unexpected end of group');
      default:
        throw new ProtoDecodeError(`proto: illegal wireType ${wireType}`);
    }
  }
}

const utf8 = new TextEncoder();

/**
 * A growable output buffer. Nested messages are written in place after a one-byte length
 * placeholder; the content is shifted when the length needs more bytes (rare for small
 * messages), so the output is canonical (minimal varints) without a sizing pass.
 */
export class WireWriter {
  buf: Uint8Array;
  pos = 0;
  constructor(initial = 1024) {
    this.buf = new Uint8Array(initial);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  /** An unsigned varint of a non-negative safe integer. */
  uvarint(value: number): void {
    this.ensure(10);
    let v = value;
    while (v >= 0x80) {
      this.buf[this.pos++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.pos++] = v;
  }

  /** int64/int32 as Go writes them: negative values as 10-byte two's complement varints. */
  int64(value: number): void {
    if (value >= 0) {
      this.uvarint(value);
      return;
    }
    // Two's complement of a negative safe integer over 64 bits.
    const abs = -value;
    let lo = abs % TWO_32;
    let hi = Math.floor(abs / TWO_32);
    lo = ~lo >>> 0;
    hi = ~hi >>> 0;
    lo += 1;
    if (lo >= TWO_32) {
      lo -= TWO_32;
      hi = (hi + 1) >>> 0;
    }
    this.ensure(10);
    for (let i = 0; i < 9; i++) {
      this.buf[this.pos++] = (lo & 0x7f) | 0x80;
      lo = (lo >>> 7) | ((hi & 0x7f) << 25);
      hi >>>= 7;
    }
    this.buf[this.pos++] = lo & 0x01;
  }

  tag(field: number, wireType: number): void {
    this.uvarint(field * 8 + wireType);
  }

  bytes(data: Uint8Array): void {
    this.uvarint(data.length);
    this.ensure(data.length);
    this.buf.set(data, this.pos);
    this.pos += data.length;
  }

  string(value: string): void {
    // Short ASCII strings (names, labels, enums) are the common case: copy their char codes.
    const n = value.length;
    if (n < 128) {
      this.ensure(1 + n);
      const buf = this.buf;
      let at = this.pos + 1;
      let i = 0;
      for (; i < n; i++) {
        const c = value.charCodeAt(i);
        if (c >= 0x80) break;
        buf[at++] = c;
      }
      if (i === n) {
        buf[this.pos] = n;
        this.pos = at;
        return;
      }
    }
    this.bytes(utf8.encode(value));
  }

  /** Starts a length-delimited nested value; returns the mark to pass to endNested. */
  beginNested(): number {
    this.ensure(1);
    return this.pos++;
  }

  endNested(mark: number): void {
    const length = this.pos - mark - 1;
    if (length < 0x80) {
      this.buf[mark] = length;
      return;
    }
    let size = 1;
    for (let v = length; v >= 0x80; v = Math.floor(v / 0x80)) size++;
    this.ensure(size - 1);
    this.buf.copyWithin(mark + size, mark + 1, this.pos);
    this.pos += size - 1;
    let v = length;
    let at = mark;
    while (v >= 0x80) {
      this.buf[at++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[at] = v;
  }

  raw(data: Uint8Array): void {
    this.ensure(data.length);
    this.buf.set(data, this.pos);
    this.pos += data.length;
  }

  finish(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }
}
