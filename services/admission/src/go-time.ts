// metav1.Time and metav1.MicroTime as kube-apiserver decodes and re-encodes them: Go's
// time.Parse with the RFC3339 / RFC3339Micro layouts (same accepted inputs, same ParseError
// texts), then MarshalJSON's canonical form (UTC; whole seconds for Time, six fraction digits for
// MicroTime; the zero time becomes null).
//
// Go slices strings by byte, so parsing works on the UTF-8 bytes of the value.

export const RFC3339 = '2006-01-02T15:04:05Z07:00';
export const RFC3339_MICRO = '2006-01-02T15:04:05.000000Z07:00';

export type TimeLayout = typeof RFC3339 | typeof RFC3339_MICRO;

export type TimeResult = { ok: true; canonical: string | null } | { ok: false; error: string };

/** The std chunks of the two layouts, each with the literal prefix that precedes it. */
type Std = 'year' | 'month' | 'day' | 'hour' | 'minute' | 'second' | 'frac6' | 'tz';
interface Chunk {
  prefix: string;
  std: Std;
  text: string;
}

const RFC3339_CHUNKS: Chunk[] = [
  { prefix: '', std: 'year', text: '2006' },
  { prefix: '-', std: 'month', text: '01' },
  { prefix: '-', std: 'day', text: '02' },
  { prefix: 'T', std: 'hour', text: '15' },
  { prefix: ':', std: 'minute', text: '04' },
  { prefix: ':', std: 'second', text: '05' },
  { prefix: '', std: 'tz', text: 'Z07:00' },
];
const RFC3339_MICRO_CHUNKS: Chunk[] = [
  ...RFC3339_CHUNKS.slice(0, 6),
  { prefix: '', std: 'frac6', text: '.000000' },
  { prefix: '', std: 'tz', text: 'Z07:00' },
];

const HEX = '0123456789abcdef';

/** The time package's quote(): ASCII kept, control and non-ASCII bytes as \x escapes. */
function quoteBytes(b: Uint8Array): string {
  let out = '"';
  for (const c of b) {
    if (c >= 0x80 || c < 0x20) out += '\\x' + HEX[c >> 4] + HEX[c & 0xf];
    else {
      if (c === 0x22 || c === 0x5c) out += '\\';
      out += String.fromCharCode(c);
    }
  }
  return out + '"';
}

function quoteText(s: string): string {
  return quoteBytes(Buffer.from(s, 'utf8'));
}

class ParseFailure {
  constructor(
    readonly layoutElem: string,
    readonly valueElem: Uint8Array,
    readonly message: string,
  ) {}
}

function isDigitAt(v: Uint8Array, i: number): boolean {
  return i < v.length && v[i]! >= 0x30 && v[i]! <= 0x39;
}

/** Go's getnum: one or two digits (exactly two when fixed). */
function getnum(v: Uint8Array, fixed: boolean): [number, Uint8Array] | undefined {
  if (!isDigitAt(v, 0)) return undefined;
  if (!isDigitAt(v, 1)) {
    if (fixed) return undefined;
    return [v[0]! - 0x30, v.subarray(1)];
  }
  return [(v[0]! - 0x30) * 10 + (v[1]! - 0x30), v.subarray(2)];
}

/** Go's atoi: optional sign, then decimal digits only. */
function atoi(v: Uint8Array): number | undefined {
  let i = 0;
  let neg = false;
  if (v.length > 0 && (v[0] === 0x2d || v[0] === 0x2b)) {
    neg = v[0] === 0x2d;
    i = 1;
  }
  // An empty digit run is 0 (Go's leadingInt accepts it).
  let n = 0;
  for (; i < v.length; i++) {
    if (!isDigitAt(v, i)) return undefined;
    n = n * 10 + (v[i]! - 0x30);
  }
  return neg ? -n : n;
}

function commaOrPeriod(c: number | undefined): boolean {
  return c === 0x2e || c === 0x2c;
}

/** parseNanoseconds: value starts with the separator; nbytes includes it. */
function parseNanoseconds(v: Uint8Array, nbytes: number): { ns: number; range: string } | undefined {
  if (!commaOrPeriod(v[0])) return undefined;
  if (nbytes > 10) nbytes = 10;
  const ns = atoi(v.subarray(1, nbytes));
  if (ns === undefined) return undefined;
  if (ns < 0) return { ns: 0, range: 'fractional second' };
  return { ns: ns * 10 ** (10 - nbytes), range: '' };
}

function isLeap(y: number): boolean {
  return y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
}

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysIn(month: number, year: number): number {
  return month === 2 && isLeap(year) ? 29 : DAYS[month - 1]!;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (valid for any year). */
function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function civilFromDays(z: number): [number, number, number] {
  z += 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp + (mp < 10 ? 3 : -9);
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}

interface Parsed {
  year: number;
  month: number;
  day: number;
  hour: number;
  min: number;
  sec: number;
  nsec: number;
  /** Seconds east of UTC. */
  offset: number;
}

function parseChunks(value: Uint8Array, chunks: Chunk[]): Parsed {
  let year = 0;
  let month = -1;
  let day = -1;
  let hour = 0;
  let min = 0;
  let sec = 0;
  let nsec = 0;
  let offset = 0;
  let v = value;
  for (let ci = 0; ci <= chunks.length; ci++) {
    const chunk = chunks[ci];
    const prefix = chunk?.prefix ?? '';
    for (let i = 0; i < prefix.length; i++) {
      if (v.length === 0 || v[0] !== prefix.charCodeAt(i)) throw new ParseFailure(prefix, v, '');
      v = v.subarray(1);
    }
    if (!chunk) {
      if (v.length !== 0) throw new ParseFailure('', v, `: extra text: ${quoteBytes(v)}`);
      break;
    }
    const hold = v;
    let bad = false;
    let range = '';
    switch (chunk.std) {
      case 'year': {
        if (v.length < 4 || !isDigitAt(v, 0)) {
          bad = true;
          break;
        }
        const y = atoi(v.subarray(0, 4));
        v = v.subarray(4);
        if (y === undefined) bad = true;
        else year = y;
        break;
      }
      case 'month': {
        const r = getnum(v, true);
        if (!r) {
          bad = true;
          break;
        }
        [month, v] = r;
        if (month <= 0 || month > 12) range = 'month';
        break;
      }
      case 'day': {
        const r = getnum(v, true);
        if (!r) bad = true;
        else [day, v] = r;
        break;
      }
      case 'hour': {
        const r = getnum(v, false);
        if (!r) {
          bad = true;
          break;
        }
        [hour, v] = r;
        if (hour >= 24) range = 'hour';
        break;
      }
      case 'minute': {
        const r = getnum(v, true);
        if (!r) {
          bad = true;
          break;
        }
        [min, v] = r;
        if (min >= 60) range = 'minute';
        break;
      }
      case 'second': {
        const r = getnum(v, true);
        if (!r) {
          bad = true;
          break;
        }
        [sec, v] = r;
        if (sec >= 60) {
          range = 'second';
          break;
        }
        // A fraction the layout does not ask for is accepted after the seconds.
        if (v.length >= 2 && commaOrPeriod(v[0]) && isDigitAt(v, 1) && chunks[ci + 1]?.std !== 'frac6') {
          let n = 2;
          while (n < v.length && isDigitAt(v, n)) n++;
          const p = parseNanoseconds(v, n);
          if (!p) bad = true;
          else {
            nsec = p.ns;
            range = p.range;
          }
          v = v.subarray(n);
        }
        break;
      }
      case 'frac6': {
        if (v.length < 7) {
          bad = true;
          break;
        }
        const p = parseNanoseconds(v, 7);
        if (!p) bad = true;
        else {
          nsec = p.ns;
          range = p.range;
        }
        v = v.subarray(7);
        break;
      }
      case 'tz': {
        if (v.length >= 1 && v[0] === 0x5a /* Z */) {
          v = v.subarray(1);
          offset = 0;
          break;
        }
        if (v.length < 6 || v[3] !== 0x3a /* : */) {
          bad = true;
          break;
        }
        const sign = v[0];
        const hr = getnum(v.subarray(1, 3), true);
        const mm = hr ? getnum(v.subarray(4, 6), true) : undefined;
        v = v.subarray(6);
        if (!hr || !mm) bad = true;
        const h = hr?.[0] ?? 0;
        const m = mm?.[0] ?? 0;
        // Go checks the ranges with > (offsets of 24 hours or 60 minutes are written by some).
        if (h > 24) range = 'time zone offset hour';
        if (m > 60) range = 'time zone offset minute';
        offset = (h * 60 + m) * 60;
        if (sign === 0x2d) offset = -offset;
        else if (sign !== 0x2b) bad = true;
        break;
      }
    }
    if (range !== '') throw new ParseFailure(chunk.text, v, `: ${range} out of range`);
    if (bad) throw new ParseFailure(chunk.text, hold, '');
  }
  if (month < 0) month = 1;
  if (day < 0) day = 1;
  if (day < 1 || day > daysIn(month, year)) throw new ParseFailure('', v, ': day out of range');
  return { year, month, day, hour, min, sec, nsec, offset };
}

function pad(n: number, width: number): string {
  const s = String(Math.abs(n)).padStart(width, '0');
  return n < 0 ? '-' + s : s;
}

function format(p: Parsed, micro: boolean): string | null {
  // Normalise to UTC.
  let secs = daysFromCivil(p.year, p.month, p.day) * 86400 + p.hour * 3600 + p.min * 60 + p.sec - p.offset;
  const days = Math.floor(secs / 86400);
  secs -= days * 86400;
  const [y, m, d] = civilFromDays(days);
  const hh = Math.floor(secs / 3600);
  const mi = Math.floor((secs % 3600) / 60);
  const ss = secs % 60;
  if (y === 1 && m === 1 && d === 1 && hh === 0 && mi === 0 && ss === 0 && p.nsec === 0) return null; // IsZero
  let out = `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}T${pad(hh, 2)}:${pad(mi, 2)}:${pad(ss, 2)}`;
  if (micro) out += '.' + pad(Math.floor(p.nsec / 1000), 6);
  return out + 'Z';
}

/**
 * time.Parse(layout, value) and, on success, what kube's MarshalJSON writes for the result (null
 * for the zero time). On failure, the *time.ParseError text.
 */
export function parseGoTime(value: string, layout: TimeLayout): TimeResult {
  const bytes = Buffer.from(value, 'utf8');
  const micro = layout === RFC3339_MICRO;
  try {
    const parsed = parseChunks(bytes, micro ? RFC3339_MICRO_CHUNKS : RFC3339_CHUNKS);
    return { ok: true, canonical: format(parsed, micro) };
  } catch (err) {
    if (!(err instanceof ParseFailure)) throw err;
    const head = `parsing time ${quoteBytes(bytes)}`;
    if (err.message !== '') return { ok: false, error: head + err.message };
    return {
      ok: false,
      error: `${head} as ${quoteText(layout)}: cannot parse ${quoteBytes(err.valueElem)} as ${quoteText(err.layoutElem)}`,
    };
  }
}
