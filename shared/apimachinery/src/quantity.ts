// resource.Quantity as kube-apiserver decodes and re-encodes it (k8s.io/apimachinery/pkg/api/
// resource): the same accepted syntax, the same three error texts, and the same canonical form on
// the way out ("0.5" is stored as "500m", "1024Mi" as "1Gi"; a value already in canonical form
// keeps its exact spelling, "+1Gi" included). Arithmetic is on BigInt, so no value is rounded by
// floating point.

export const QUANTITY_FORMAT_ERROR =
  "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
export const QUANTITY_NUMERIC_ERROR = 'unable to parse numeric part of quantity';
export const QUANTITY_SUFFIX_ERROR = "unable to parse quantity's suffix";

export type QuantityResult = { ok: true; canonical: string } | { ok: false; error: string };

type Format = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

interface Scanned {
  positive: boolean;
  /** The signed number without its suffix, as Go's parseQuantityString returns it. */
  value: string;
  num: string;
  denom: string;
  suffix: string;
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

/** Go's parseQuantityString: a fast scanner that splits sign, numerator, fraction and suffix. */
function scan(str: string): Scanned | undefined {
  let positive = true;
  let pos = 0;
  const end = str.length;
  if (pos < end) {
    if (str[0] === '-') {
      positive = false;
      pos++;
    } else if (str[0] === '+') {
      pos++;
    }
  }
  // Leading zeros.
  for (let i = pos; ; i++) {
    if (i >= end) return { positive, value: '0', num: '0', denom: '', suffix: '' };
    if (str[i] !== '0') break;
    pos++;
  }
  let num = '';
  for (let i = pos; ; i++) {
    if (i >= end) return { positive, value: str, num: str.slice(pos), denom: '', suffix: '' };
    if (!isDigit(str[i])) {
      num = str.slice(pos, i);
      pos = i;
      break;
    }
  }
  if (num.length === 0) num = '0';
  let denom = '';
  if (pos < end && str[pos] === '.') {
    pos++;
    for (let i = pos; ; i++) {
      if (i >= end) return { positive, value: str, num, denom: str.slice(pos), suffix: '' };
      if (!isDigit(str[i])) {
        denom = str.slice(pos, i);
        pos = i;
        break;
      }
    }
  }
  const value = str.slice(0, pos);
  const suffixStart = pos;
  for (let i = pos; ; i++) {
    if (i >= end) return { positive, value, num, denom, suffix: str.slice(suffixStart) };
    if (!'eEinumkKMGTP'.includes(str[i]!)) {
      pos = i;
      break;
    }
  }
  if (pos < end && (str[pos] === '-' || str[pos] === '+')) pos++;
  for (let i = pos; ; i++) {
    if (i >= end) return { positive, value, num, denom, suffix: str.slice(suffixStart) };
    if (!isDigit(str[i])) break;
  }
  return undefined; // a non-digit after the exponent sign: ErrFormatWrong
}

const DECIMAL_SUFFIXES: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_SUFFIXES: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL_BY_EXPONENT = new Map<number, string>(Object.entries(DECIMAL_SUFFIXES).map(([s, e]) => [e, s]));
const BINARY_BY_EXPONENT = new Map<number, string>([[0, ''], ...Object.entries(BINARY_SUFFIXES).map(([s, e]) => [e, s] as [number, string])]);

/** quantitySuffixer.interpret: base, exponent and format of a suffix. */
function interpret(suffix: string): { base: 2 | 10; exponent: number; format: Format } | undefined {
  const dec = DECIMAL_SUFFIXES[suffix];
  if (dec !== undefined && Object.hasOwn(DECIMAL_SUFFIXES, suffix)) return { base: 10, exponent: dec, format: 'DecimalSI' };
  const bin = BINARY_SUFFIXES[suffix];
  if (bin !== undefined && Object.hasOwn(BINARY_SUFFIXES, suffix)) return { base: 2, exponent: bin, format: 'BinarySI' };
  if (suffix.length > 1 && (suffix[0] === 'E' || suffix[0] === 'e')) {
    const text = suffix.slice(1);
    if (!/^[+-]?[0-9]+$/.test(text)) return undefined;
    const parsed = BigInt(text);
    if (parsed > 9223372036854775807n || parsed < -9223372036854775808n) return undefined;
    // Go converts with int32(parsed): wrap like it does.
    return { base: 10, exponent: Number(BigInt.asIntN(32, parsed)), format: 'DecimalExponent' };
  }
  return undefined;
}

const MAX_INT64 = 9223372036854775807n;
const TEN = 10n;

function pow10(n: number): bigint {
  return TEN ** BigInt(n);
}

/** An exact decimal: unscaled × 10^exponent (unscaled carries the sign). */
interface Amount {
  unscaled: bigint;
  exponent: number;
}

/** Rounds |a| up (away from zero) so that it has no digits below 10^-9, as inf.RoundUp does. */
function roundUpToNano(a: Amount): Amount {
  if (a.unscaled === 0n || a.exponent >= -9) return a;
  const div = pow10(-9 - a.exponent);
  const neg = a.unscaled < 0n;
  const abs = neg ? -a.unscaled : a.unscaled;
  let q = abs / div;
  if (q * div !== abs) q += 1n;
  return { unscaled: neg ? -q : q, exponent: -9 };
}

function compareAbsToInt(a: Amount, n: bigint): number {
  const abs = a.unscaled < 0n ? -a.unscaled : a.unscaled;
  if (a.exponent >= 0) {
    const v = abs * pow10(a.exponent);
    return v === n ? 0 : v < n ? -1 : 1;
  }
  const scaled = n * pow10(-a.exponent);
  return abs === scaled ? 0 : abs < scaled ? -1 : 1;
}

/** AsCanonicalBytes: mantissa without factors of ten, exponent lowered to a multiple of three. */
function canonicalDecimal(a: Amount, format: Format): string {
  let m = a.unscaled;
  let e = a.exponent;
  while (m % TEN === 0n) {
    m /= TEN;
    e++;
  }
  const r = ((e % 3) + 3) % 3;
  if (r !== 0) {
    m *= pow10(r);
    e -= r;
  }
  let suffix: string | undefined;
  if (format === 'DecimalSI') suffix = DECIMAL_BY_EXPONENT.get(e);
  if (suffix === undefined) suffix = e === 0 ? '' : `e${e}`;
  return m.toString() + suffix;
}

/** CanonicalizeBytes for a BinarySI quantity (falls back to DecimalSI as Go does). */
function canonicalBinary(a: Amount): string {
  if (compareAbsToInt(a, 1024n) < 0) return canonicalDecimal(a, 'DecimalSI');
  // AsScale(0): exact only when the value is an integer.
  let v: bigint;
  if (a.exponent >= 0) {
    v = a.unscaled * pow10(a.exponent);
  } else {
    const div = pow10(-a.exponent);
    if (a.unscaled % div !== 0n) return canonicalDecimal(a, 'DecimalSI');
    v = a.unscaled / div;
  }
  let k = 0;
  while (v % 1024n === 0n && k < 6) {
    v /= 1024n;
    k++;
  }
  return v.toString() + (BINARY_BY_EXPONENT.get(k * 10) ?? '');
}

function canonical(a: Amount, format: Format): string {
  if (a.unscaled === 0n) return '0';
  return format === 'BinarySI' ? canonicalBinary(a) : canonicalDecimal(a, format);
}

/**
 * ParseQuantity followed by MarshalJSON: the string kube stores for `str`, or the error text its
 * decoder returns. `str` is the JSON string's content or a JSON number's text; surrounding
 * whitespace is ignored (Quantity.UnmarshalJSON trims it).
 */
export function parseQuantity(input: string): QuantityResult {
  let r = cache.get(input);
  if (r === undefined) {
    r = parseUncached(input);
    // Objects repeat the same few quantities ("100m", "128Mi"); the cache is bounded by clearing.
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(input, r);
  }
  return r;
}

const CACHE_LIMIT = 4096;
const cache = new Map<string, QuantityResult>();

function parseUncached(input: string): QuantityResult {
  const str = input.trim();
  if (str.length === 0) return { ok: false, error: QUANTITY_FORMAT_ERROR };
  if (str === '0') return { ok: true, canonical: '0' };
  const s = scan(str);
  if (!s) return { ok: false, error: QUANTITY_FORMAT_ERROR };
  const suf = interpret(s.suffix);
  if (!suf) return { ok: false, error: QUANTITY_SUFFIX_ERROR };
  const { num, denom, positive } = s;
  let format = suf.format;

  // Go's int64 fast path: decides when the original spelling is kept.
  let precision: number;
  let scale = 0;
  let mantissa = 1n;
  if (format === 'BinarySI') {
    if (suf.exponent >= 0 && denom.length === 0) {
      mantissa = 1n << BigInt(suf.exponent);
      precision = 15 - num.length - Math.trunc(Math.fround((suf.exponent * 3) / 10)) - 1;
    } else {
      precision = -1;
    }
  } else {
    scale = suf.exponent;
    precision = 18 - (num.length + denom.length);
  }
  if (precision >= 0) {
    scale -= denom.length;
    if (scale >= -9) {
      const shifted = num + denom;
      const value = BigInt(shifted); // at most 18 digits: always an int64
      const product = value * mantissa;
      if (product <= MAX_INT64) {
        const result = positive ? product : -product;
        if (format === 'BinarySI') {
          if (suf.exponent % 10 === 0 && (value & 7n) !== 0n) return { ok: true, canonical: str };
        } else if (scale % 3 === 0 && !shifted.endsWith('000') && shifted[0] !== '0') {
          return { ok: true, canonical: str };
        }
        return { ok: true, canonical: canonical({ unscaled: result, exponent: scale }, format) };
      }
    }
  }

  // inf.Dec path.
  const digits = s.value.replace(/^[+-]/, '');
  const dot = digits.indexOf('.');
  const intPart = dot < 0 ? digits : digits.slice(0, dot);
  const fracPart = dot < 0 ? '' : digits.slice(dot + 1);
  if (!/^[0-9]*$/.test(intPart) || !/^[0-9]*$/.test(fracPart) || intPart.length + fracPart.length === 0) {
    return { ok: false, error: QUANTITY_NUMERIC_ERROR };
  }
  let amount: Amount = { unscaled: BigInt(intPart + fracPart), exponent: -fracPart.length };
  if (s.value.startsWith('-')) amount.unscaled = -amount.unscaled;
  if (suf.base === 10) amount.exponent += suf.exponent;
  else amount.unscaled *= 1n << BigInt(suf.exponent);
  const negative = amount.unscaled < 0n;
  if (negative) amount.unscaled = -amount.unscaled;
  amount = roundUpToNano(amount);
  if (format === 'BinarySI' && compareAbsToInt(amount, MAX_INT64) > 0) amount = { unscaled: MAX_INT64, exponent: 0 };
  if (format === 'BinarySI' && amount.unscaled !== 0n && compareAbsToInt(amount, 1n) < 0) format = 'DecimalSI';
  if (negative) amount.unscaled = -amount.unscaled;
  return { ok: true, canonical: canonical(amount, format) };
}
