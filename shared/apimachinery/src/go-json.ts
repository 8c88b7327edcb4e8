// The syntax check Go's encoding/json runs before decoding (checkValid), reporting the first
// error with Go's exact text ("invalid character 'x' looking for beginning of value",
// "unexpected end of JSON input", ...), plus a reader for the members of a top-level object
// that keeps number literals as written. Used where kube's error text includes a JSON decoding
// error, e.g. malformed continue tokens.

import { goQuote } from './go-format.js';

const MAX_NESTING_DEPTH = 10000;

/** Go's quoteChar: a byte in single quotes, escaped as %q would escape it. */
function quoteChar(c: number): string {
  if (c === 0x27) return `'\\''`;
  if (c === 0x22) return `'"'`;
  const q = goQuote(String.fromCharCode(c));
  return `'${q.slice(1, -1)}'`;
}

const isSpace = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a;
const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
const isHex = (c: number): boolean => isDigit(c) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);

const enum Container {
  ObjectKey,
  ObjectValue,
  ArrayValue,
}

const enum State {
  BeginValue,
  BeginValueOrEmpty,
  BeginStringOrEmpty,
  BeginString,
  EndValue,
  EndTop,
  InString,
  InStringEsc,
  InStringEscU,
  InStringEscU1,
  InStringEscU12,
  InStringEscU123,
  Neg,
  Zero,
  One,
  Dot,
  Dot0,
  E,
  ESign,
  E0,
  Literal,
}

class SyntaxFailure extends Error {}

/** A byte-at-a-time scanner with the states of Go's encoding/json scanner. */
class Scanner {
  private state: State = State.BeginValue;
  private readonly stack: Container[] = [];
  endTop = false;
  // For literals (true/false/null): the remaining bytes expected and the literal's name.
  private literalRest = '';
  private literalName = '';

  private fail(c: number, context: string): never {
    throw new SyntaxFailure(`invalid character ${quoteChar(c)} ${context}`);
  }

  private push(c: number, container: Container): void {
    this.stack.push(container);
    if (this.stack.length > MAX_NESTING_DEPTH) this.fail(c, 'exceeded max depth');
  }

  private pop(): void {
    this.stack.pop();
    if (this.stack.length === 0) {
      this.state = State.EndTop;
      this.endTop = true;
    } else {
      this.state = State.EndValue;
    }
  }

  step(c: number): void {
    switch (this.state) {
      case State.BeginValueOrEmpty:
        if (isSpace(c)) return;
        if (c === 0x5d) return this.endValue(c);
        return this.beginValue(c);
      case State.BeginValue:
        return this.beginValue(c);
      case State.BeginStringOrEmpty:
        if (isSpace(c)) return;
        if (c === 0x7d) {
          this.stack[this.stack.length - 1] = Container.ObjectValue;
          return this.endValue(c);
        }
        return this.beginString(c);
      case State.BeginString:
        return this.beginString(c);
      case State.EndValue:
        return this.endValue(c);
      case State.EndTop:
        if (!isSpace(c)) this.fail(c, 'after top-level value');
        return;
      case State.InString:
        if (c === 0x22) this.state = State.EndValue;
        else if (c === 0x5c) this.state = State.InStringEsc;
        else if (c < 0x20) this.fail(c, 'in string literal');
        return;
      case State.InStringEsc:
        if ('bfnrt\\/"'.includes(String.fromCharCode(c))) this.state = State.InString;
        else if (c === 0x75) this.state = State.InStringEscU;
        else this.fail(c, 'in string escape code');
        return;
      case State.InStringEscU:
      case State.InStringEscU1:
      case State.InStringEscU12:
      case State.InStringEscU123:
        if (!isHex(c)) this.fail(c, 'in \\u hexadecimal character escape');
        this.state = this.state === State.InStringEscU123 ? State.InString : this.state + 1;
        return;
      case State.Neg:
        if (c === 0x30) this.state = State.Zero;
        else if (c >= 0x31 && c <= 0x39) this.state = State.One;
        else this.fail(c, 'in numeric literal');
        return;
      case State.One:
        if (isDigit(c)) return;
        return this.afterIntegerPart(c);
      case State.Zero:
        return this.afterIntegerPart(c);
      case State.Dot:
        if (isDigit(c)) this.state = State.Dot0;
        else this.fail(c, 'after decimal point in numeric literal');
        return;
      case State.Dot0:
        if (isDigit(c)) return;
        if (c === 0x65 || c === 0x45) {
          this.state = State.E;
          return;
        }
        return this.endValue(c);
      case State.E:
        if (c === 0x2b || c === 0x2d) {
          this.state = State.ESign;
          return;
        }
        return this.eSign(c);
      case State.ESign:
        return this.eSign(c);
      case State.E0:
        if (isDigit(c)) return;
        return this.endValue(c);
      case State.Literal: {
        const want = this.literalRest.charCodeAt(0);
        if (c !== want) this.fail(c, `in literal ${this.literalName} (expecting ${quoteChar(want)})`);
        this.literalRest = this.literalRest.slice(1);
        if (this.literalRest === '') this.state = State.EndValue;
        return;
      }
    }
  }

  private afterIntegerPart(c: number): void {
    if (c === 0x2e) this.state = State.Dot;
    else if (c === 0x65 || c === 0x45) this.state = State.E;
    else this.endValue(c);
  }

  private eSign(c: number): void {
    if (isDigit(c)) this.state = State.E0;
    else this.fail(c, 'in exponent of numeric literal');
  }

  private beginString(c: number): void {
    if (isSpace(c)) return;
    if (c === 0x22) {
      this.state = State.InString;
      return;
    }
    this.fail(c, 'looking for beginning of object key string');
  }

  private beginValue(c: number): void {
    if (isSpace(c)) return;
    switch (c) {
      case 0x7b:
        this.state = State.BeginStringOrEmpty;
        return this.push(c, Container.ObjectKey);
      case 0x5b:
        this.state = State.BeginValueOrEmpty;
        return this.push(c, Container.ArrayValue);
      case 0x22:
        this.state = State.InString;
        return;
      case 0x2d:
        this.state = State.Neg;
        return;
      case 0x30:
        this.state = State.Zero;
        return;
      case 0x74:
        return this.literal('true');
      case 0x66:
        return this.literal('false');
      case 0x6e:
        return this.literal('null');
    }
    if (c >= 0x31 && c <= 0x39) {
      this.state = State.One;
      return;
    }
    this.fail(c, 'looking for beginning of value');
  }

  private literal(name: string): void {
    this.literalName = name;
    this.literalRest = name.slice(1);
    this.state = State.Literal;
  }

  private endValue(c: number): void {
    if (this.stack.length === 0) {
      this.state = State.EndTop;
      this.endTop = true;
      this.step(c);
      return;
    }
    if (isSpace(c)) {
      this.state = State.EndValue;
      return;
    }
    const top = this.stack[this.stack.length - 1]!;
    switch (top) {
      case Container.ObjectKey:
        if (c === 0x3a) {
          this.stack[this.stack.length - 1] = Container.ObjectValue;
          this.state = State.BeginValue;
          return;
        }
        this.fail(c, 'after object key');
        break;
      case Container.ObjectValue:
        if (c === 0x2c) {
          this.stack[this.stack.length - 1] = Container.ObjectKey;
          this.state = State.BeginString;
          return;
        }
        if (c === 0x7d) return this.pop();
        this.fail(c, 'after object key:value pair');
        break;
      case Container.ArrayValue:
        if (c === 0x2c) {
          this.state = State.BeginValue;
          return;
        }
        if (c === 0x5d) return this.pop();
        this.fail(c, 'after array element');
    }
  }
}

/** Go's checkValid: undefined for valid JSON, else the first syntax error's text. */
export function checkGoJSON(data: Uint8Array): string | undefined {
  const scanner = new Scanner();
  try {
    for (const c of data) scanner.step(c);
    // At the end Go feeds one space (finishing a number or exposing a truncated literal).
    if (!scanner.endTop) scanner.step(0x20);
  } catch (err) {
    if (err instanceof SyntaxFailure) return err.message;
    throw err;
  }
  return scanner.endTop ? undefined : 'unexpected end of JSON input';
}

/** Whether valid JSON nests objects and arrays deeper than `max` (strings skipped natively). */
function nestsDeeperThan(data: Uint8Array, max: number): boolean {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  let depth = 0;
  for (let i = 0; i < buf.length; i++) {
    const c = buf[i];
    if (c === 0x22) {
      // To the next quote that no odd run of backslashes escapes.
      for (;;) {
        const quote = buf.indexOf(0x22, i + 1);
        if (quote < 0) return false;
        let before = quote - 1;
        while (buf[before] === 0x5c) before--;
        i = quote;
        if ((quote - 1 - before) % 2 === 0) break;
      }
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
  return false;
}

const utf8KeepingBOM = new TextDecoder('utf-8', { ignoreBOM: true });

/**
 * Parses JSON as Go's encoding/json accepts it: the value, or the error checkGoJSON reports
 * (Go's text, nesting limit included). The native parser does the work; Go's scanner runs only
 * to explain a failure, or when the document nests deeper than Go allows (the one thing
 * JSON.parse accepts that Go does not, besides a byte order mark, which is kept so that
 * JSON.parse refuses it too).
 */
export function parseGoJSON(data: Uint8Array): { value: unknown } | { error: string } {
  if (!nestsDeeperThan(data, MAX_NESTING_DEPTH)) {
    try {
      return { value: JSON.parse(utf8KeepingBOM.decode(data)) as unknown };
    } catch {
      // Go's scanner names the error below.
    }
  }
  const error = checkGoJSON(data);
  if (error !== undefined) return { error };
  // Accepted by Go but not by JSON.parse: not expected; the native error is the best there is.
  return { value: JSON.parse(utf8KeepingBOM.decode(data)) as unknown };
}

/** The JSON kinds, named as Go names them in "cannot unmarshal <kind>" errors. */
export type GoJSONKind = 'object' | 'array' | 'string' | 'number' | 'bool' | 'null';

/**
 * What encoding/json calls a decoded JSON value in an UnmarshalTypeError
 * ("json: cannot unmarshal <kind> into Go value of type T"). Go never reports null (it
 * unmarshals into anything); it is named 'null' here for completeness.
 */
export function goJSONTypeName(value: unknown): GoJSONKind {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  switch (typeof value) {
    case 'string':
      return 'string';
    case 'number':
    case 'bigint':
      return 'number';
    case 'boolean':
      return 'bool';
    default:
      return 'object';
  }
}

/** Characters Go's json.Marshal escapes (HTML-safe encoding) that JSON.stringify writes as is. */
const GO_EXTRA_ESCAPES = /[<>&\u2028\u2029]/g;

/**
 * len(json.Marshal(v)) for a JSON value v (as JSON.parse returns it): the compact encoding in
 * bytes, with Go's HTML-safe escapes (`<`, `>`, `&` become six-byte `\u003c`..., U+2028 and
 * U+2029 `\u2028`/`\u2029`). Member order does not change the length.
 */
export function goJSONEncodedLength(value: unknown): number {
  const text = JSON.stringify(value);
  if (text === undefined) return 0;
  let extra = 0;
  for (const m of text.matchAll(GO_EXTRA_ESCAPES)) extra += m[0] === '\u2028' || m[0] === '\u2029' ? 3 : 5;
  return Buffer.byteLength(text, 'utf8') + extra;
}

export interface JSONMember {
  /** The decoded key. */
  key: string;
  kind: GoJSONKind;
  /** The value's text exactly as written (for a number: its literal). */
  raw: string;
}

function kindAt(text: string, i: number): GoJSONKind {
  switch (text[i]) {
    case '{': return 'object';
    case '[': return 'array';
    case '"': return 'string';
    case 't':
    case 'f': return 'bool';
    case 'n': return 'null';
    default: return 'number';
  }
}

function skipSpace(text: string, i: number): number {
  while (i < text.length && ' \t\r\n'.includes(text[i]!)) i++;
  return i;
}

/** The end (exclusive) of the value starting at i, in text already checked to be valid. */
function valueEnd(text: string, i: number): number {
  const first = text[i];
  if (first === '"') {
    for (let j = i + 1; ; j++) {
      if (text[j] === '\\') j++;
      else if (text[j] === '"') return j + 1;
    }
  }
  if (first === '{' || first === '[') {
    let depth = 0;
    for (let j = i; ; j++) {
      const c = text[j];
      if (c === '"') j = valueEnd(text, j) - 1;
      else if (c === '{' || c === '[') depth++;
      else if (c === '}' || c === ']') {
        depth--;
        if (depth === 0) return j + 1;
      }
    }
  }
  let j = i;
  while (j < text.length && !' \t\r\n,}]'.includes(text[j]!)) j++;
  return j;
}

/**
 * The kind of the top-level value of valid JSON text, and for an object its members in order.
 * Call only after checkGoJSON accepted the same bytes.
 */
export function readTopLevel(text: string): { kind: GoJSONKind; members: JSONMember[] } {
  let i = skipSpace(text, 0);
  const kind = kindAt(text, i);
  const members: JSONMember[] = [];
  if (kind !== 'object') return { kind, members };
  i = skipSpace(text, i + 1);
  while (text[i] !== '}') {
    const keyEnd = valueEnd(text, i);
    const key = JSON.parse(text.slice(i, keyEnd)) as string;
    i = skipSpace(text, keyEnd) + 1; // past ':'
    i = skipSpace(text, i);
    const end = valueEnd(text, i);
    members.push({ key, kind: kindAt(text, i), raw: text.slice(i, end) });
    i = skipSpace(text, end);
    if (text[i] === ',') i = skipSpace(text, i + 1);
  }
  return { kind, members };
}
