// Go's strconv and time parsers as kube-apiserver applies them to query parameters. Their error
// texts reach clients inside Status messages (`strconv.ParseInt: parsing "x": invalid syntax`,
// `time: invalid duration "x"`), so they are reproduced exactly.

import { goQuote } from '@kapi/apimachinery';

export class GoParseError extends Error {}

const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;

/** strconv.ParseInt(s, 10, 64), exactly (as a bigint). */
export function parseInt64(s: string): bigint {
  const fail = (why: string): never => {
    throw new GoParseError(`strconv.ParseInt: parsing ${goQuote(s)}: ${why}`);
  };
  if (s.length === 0) fail('invalid syntax');
  let i = 0;
  if (s[0] === '+' || s[0] === '-') i = 1;
  if (i === s.length) fail('invalid syntax');
  for (let j = i; j < s.length; j++) {
    const c = s.charCodeAt(j);
    if (c < 0x30 || c > 0x39) fail('invalid syntax');
  }
  const v = BigInt(s.slice(i)) * (s[0] === '-' ? -1n : 1n);
  if (v > INT64_MAX || v < INT64_MIN) fail('value out of range');
  return v;
}

/** An int64 query value as a JS number (clamped to the safe range, which every use here fits). */
export function parseInt64Number(s: string): number {
  const v = parseInt64(s);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) return Number.MAX_SAFE_INTEGER;
  if (v < BigInt(Number.MIN_SAFE_INTEGER)) return Number.MIN_SAFE_INTEGER;
  return Number(v);
}

/** strconv.ParseBool; undefined for anything it rejects. */
export function parseGoBool(s: string): boolean | undefined {
  switch (s) {
    case '1': case 't': case 'T': case 'TRUE': case 'true': case 'True':
      return true;
    case '0': case 'f': case 'F': case 'FALSE': case 'false': case 'False':
      return false;
    default:
      return undefined;
  }
}

/** runtime.Convert_Slice_string_To_bool: only "0" and (any case) "false" are false. */
export function queryBool(value: string): boolean {
  return !(value === '0' || value.toLowerCase() === 'false');
}

const UNIT_NS: Record<string, number> = {
  ns: 1,
  us: 1e3,
  'µs': 1e3, // U+00B5 micro sign
  'μs': 1e3, // U+03BC Greek mu
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

const MAX_DURATION_NS = 9223372036854775807;

/**
 * time.ParseDuration, in milliseconds. Accepts what Go accepts ("300ms", "-1.5h", "2h45m", "0")
 * and throws Go's messages otherwise. Precision beyond a nanosecond is irrelevant here.
 */
export function parseGoDuration(input: string): number {
  const invalid = (): never => {
    throw new GoParseError(`time: invalid duration ${goQuote(input)}`);
  };
  let s = input;
  let neg = false;
  if (s !== '') {
    const c = s[0];
    if (c === '-' || c === '+') {
      neg = c === '-';
      s = s.slice(1);
    }
  }
  if (s === '0') return 0;
  if (s === '') invalid();
  let totalNs = 0;
  while (s !== '') {
    // Leading integer part.
    if (!(s[0] === '.' || (s[0]! >= '0' && s[0]! <= '9'))) invalid();
    let i = 0;
    while (i < s.length && s[i]! >= '0' && s[i]! <= '9') i++;
    const intText = s.slice(0, i);
    s = s.slice(i);
    let fracText = '';
    let post = false;
    if (s !== '' && s[0] === '.') {
      s = s.slice(1);
      let j = 0;
      while (j < s.length && s[j]! >= '0' && s[j]! <= '9') j++;
      fracText = s.slice(0, j);
      post = j > 0;
      s = s.slice(j);
    }
    if (intText === '' && !post) invalid();
    // Unit: everything up to the next digit or '.'.
    let k = 0;
    while (k < s.length && s[k] !== '.' && !(s[k]! >= '0' && s[k]! <= '9')) k++;
    if (k === 0) throw new GoParseError(`time: missing unit in duration ${goQuote(input)}`);
    const unit = s.slice(0, k);
    s = s.slice(k);
    const scale = UNIT_NS[unit];
    if (scale === undefined) throw new GoParseError(`time: unknown unit ${goQuote(unit)} in duration ${goQuote(input)}`);
    const value = Number(intText === '' ? '0' : intText) * scale + (fracText ? Number(`0.${fracText}`) * scale : 0);
    if (!Number.isFinite(value) || value > MAX_DURATION_NS) invalid();
    totalNs += value;
    if (totalNs > MAX_DURATION_NS) invalid();
  }
  const ms = totalNs / 1e6;
  return neg ? -ms : ms;
}
