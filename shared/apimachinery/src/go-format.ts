// Renderings of values the way Go's fmt, strconv and encoding/json print them. Kubernetes builds
// its error texts with these verbs (%q, %v, json.Marshal), so matching kube byte for byte needs
// the same rules: which characters get escaped, how floats switch to exponent form, and how
// maps order their keys.

const HEX = '0123456789abcdef';

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;

/** unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space. */
export function isGoPrint(codePoint: number): boolean {
  if (codePoint === 0x20) return true;
  if (codePoint < 0x20 || codePoint === 0x7f) return false;
  return PRINTABLE.test(String.fromCodePoint(codePoint));
}

/**
 * The code points of a JS string as Go sees the same text after decoding JSON: a lone surrogate
 * (which UTF-8 cannot carry) becomes U+FFFD, as Go's JSON decoder makes it.
 */
function* codePoints(s: string): Generator<number> {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        yield (c - 0xd800) * 0x400 + (d - 0xdc00) + 0x10000;
        i++;
        continue;
      }
    }
    yield c >= 0xd800 && c <= 0xdfff ? 0xfffd : c;
  }
}

function hexPad(n: number, width: number): string {
  let s = '';
  for (let i = width - 1; i >= 0; i--) s += HEX[(n >> (4 * i)) & 0xf];
  return s;
}

/** strconv.Quote (what %q prints for a string): double quotes, Go escapes for the unprintable. */
export function goQuote(s: string): string {
  let out = '"';
  for (const r of codePoints(s)) {
    if (r === 0x22 || r === 0x5c) {
      out += '\\' + String.fromCharCode(r);
    } else if (isGoPrint(r)) {
      out += String.fromCodePoint(r);
    } else {
      switch (r) {
        case 0x07: out += '\\a'; break;
        case 0x08: out += '\\b'; break;
        case 0x0c: out += '\\f'; break;
        case 0x0a: out += '\\n'; break;
        case 0x0d: out += '\\r'; break;
        case 0x09: out += '\\t'; break;
        case 0x0b: out += '\\v'; break;
        default:
          if (r < 0x20 || r === 0x7f) out += '\\x' + hexPad(r, 2);
          else if (r < 0x10000) out += '\\u' + hexPad(r, 4);
          else out += '\\U' + hexPad(r, 8);
      }
    }
  }
  return out + '"';
}

/** How %v prints a float64: shortest digits, exponent form below 1e-4 and from 1e6 on. */
export function formatGoFloat(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const sign = v < 0 ? '-' : '';
  const [mantissa, expText] = Math.abs(v).toExponential().split('e') as [string, string];
  const digits = mantissa.replace('.', '');
  const exp = Number(expText);
  if (exp < -4 || exp >= 6) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const e = Math.abs(exp);
    return `${sign}${m}e${exp < 0 ? '-' : '+'}${e < 10 ? '0' : ''}${e}`;
  }
  const point = exp + 1;
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return sign + digits + '0'.repeat(point - digits.length);
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/** How %v prints a number that came from a Go integer or float field. */
export function formatGoNumber(v: number): string {
  // Integral values print as Go ints do (never in exponent form); only fractions need %g rules.
  if (Number.isInteger(v)) return BigInt(v).toString();
  return formatGoFloat(v);
}

const STRUCT_ORDER: unique symbol = Symbol('kapi.goStructOrder');

/**
 * Marks an object as a Go struct for goJSONMarshal: its keys keep their insertion order (Go
 * writes struct fields in declaration order) instead of being sorted as Go sorts map keys.
 * Returns a shallow copy; the argument is not changed.
 */
export function asGoStruct<T extends object>(value: T): T {
  const copy = { ...value };
  Object.defineProperty(copy, STRUCT_ORDER, { value: true, enumerable: false });
  return copy;
}

function isGoStruct(value: object): boolean {
  return (value as { [STRUCT_ORDER]?: boolean })[STRUCT_ORDER] === true;
}

/** A JSON string literal as encoding/json writes it (HTML-safe: <, >, & and U+2028/9 escaped). */
export function goJSONString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdfff) {
      const paired =
        c <= 0xdbff && i + 1 < s.length && s.charCodeAt(i + 1) >= 0xdc00 && s.charCodeAt(i + 1) <= 0xdfff;
      if (paired) {
        out += s[i]! + s[i + 1]!;
        i++;
      } else {
        out += '\\ufffd';
      }
      continue;
    }
    switch (c) {
      case 0x22: out += '\\"'; break;
      case 0x5c: out += '\\\\'; break;
      case 0x08: out += '\\b'; break;
      case 0x0c: out += '\\f'; break;
      case 0x0a: out += '\\n'; break;
      case 0x0d: out += '\\r'; break;
      case 0x09: out += '\\t'; break;
      default:
        if (c < 0x20 || c === 0x3c || c === 0x3e || c === 0x26 || c === 0x2028 || c === 0x2029) {
          out += '\\u' + hexPad(c, 4);
        } else {
          out += s[i]!;
        }
    }
  }
  return out + '"';
}

/**
 * json.Marshal of a JSON-like value: plain objects are maps (sorted keys) unless marked with
 * asGoStruct; undefined members are left out; values with toJSON() are marshalled through it.
 */
export function goJSONMarshal(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'string':
      return goJSONString(value);
    case 'number':
      return Number.isFinite(value) ? JSON.stringify(value) : 'null';
    case 'bigint':
      return value.toString();
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      break;
    default:
      return 'null';
  }
  const obj = value as { toJSON?: () => unknown };
  if (typeof obj.toJSON === 'function') return goJSONMarshal(obj.toJSON());
  if (Array.isArray(value)) return '[' + value.map((v) => goJSONMarshal(v)).join(',') + ']';
  const keys = Object.keys(value).filter((k) => (value as Record<string, unknown>)[k] !== undefined);
  if (!isGoStruct(value)) keys.sort(compareGoStrings);
  const members = keys.map((k) => goJSONString(k) + ':' + goJSONMarshal((value as Record<string, unknown>)[k]));
  return '{' + members.join(',') + '}';
}

/** len(s) in Go: the number of UTF-8 bytes (lone surrogates count as U+FFFD, 3 bytes). */
export function utf8Length(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/**
 * Go's string order (bytewise over UTF-8), which is code point order. JS's default sort compares
 * UTF-16 code units and disagrees for characters above U+FFFF against U+E000..U+FFFF.
 */
export function compareGoStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i++;
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** strconv.ParseInt(s, 10, 64): an optional sign and decimal digits within int64, else undefined. */
export function parseGoInt64(s: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(s)) return undefined;
  const n = BigInt(s);
  return n < INT64_MIN || n > INT64_MAX ? undefined : n;
}
