// The JSON forms of metav1.Time (RFC3339, whole seconds, UTC), metav1.MicroTime (RFC3339 with six
// fraction digits, UTC) and metav1.Duration (Go's time.Duration String / ParseDuration), and
// their protobuf values (Timestamp seconds+nanos, Duration nanoseconds).

/** Bound of the parse and format caches below (cleared when full). */
const FORMAT_CACHE_SIZE = 4096;

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

const parsed = new Map<string, { seconds: number; nanos: number } | undefined>();

/** Seconds since the epoch and nanoseconds of an RFC3339 text (time.Parse(time.RFC3339, ...)).
 * The result is shared: do not modify it. */
export function parseRFC3339(text: string): { seconds: number; nanos: number } | undefined {
  let t = parsed.get(text);
  if (t === undefined && !parsed.has(text)) {
    t = parseRFC3339Uncached(text);
    if (parsed.size >= FORMAT_CACHE_SIZE) parsed.clear();
    parsed.set(text, t);
  }
  return t;
}

function parseRFC3339Uncached(text: string): { seconds: number; nanos: number } | undefined {
  const m = RFC3339.exec(text);
  if (!m) return undefined;
  // setUTCFullYear, unlike Date.UTC, takes years 0..99 literally.
  const d = new Date(0);
  d.setUTCFullYear(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  d.setUTCHours(Number(m[4]), Number(m[5]), Number(m[6]), 0);
  const ms = d.getTime();
  if (Number.isNaN(ms)) return undefined;
  let seconds = ms / 1000;
  if (m[9] !== undefined) {
    const offset = (Number(m[10]) * 60 + Number(m[11])) * 60;
    seconds += m[9] === '+' ? -offset : offset;
  }
  const fraction = m[7] ? m[7].slice(1, 10).padEnd(9, '0') : '0';
  return { seconds, nanos: Number(fraction) };
}

function isoSeconds(seconds: number): string | undefined {
  const d = new Date(seconds * 1000);
  const year = d.getUTCFullYear();
  // Go's Time.MarshalJSON refuses years outside [0,9999].
  if (Number.isNaN(year) || year < 0 || year > 9999) return undefined;
  const iso = d.toISOString();
  return iso.slice(0, 19);
}

// Objects repeat the same few timestamps (creation, managedFields, conditions): a small cache
// of formatted seconds saves a Date per field. Bounded: cleared when full.
const formatted = new Map<number, string | undefined>();

/** metav1.Time.MarshalJSON of time.Unix(seconds, 0); undefined when Go would fail. */
export function formatTime(seconds: number): string | undefined {
  let text = formatted.get(seconds);
  if (text === undefined && !formatted.has(seconds)) {
    const base = isoSeconds(seconds);
    text = base === undefined ? undefined : `${base}Z`;
    if (formatted.size >= FORMAT_CACHE_SIZE) formatted.clear();
    formatted.set(seconds, text);
  }
  return text;
}

/** metav1.MicroTime.MarshalJSON of time.Unix(seconds, nanos) (RFC3339Micro, UTC). */
export function formatMicroTime(seconds: number, nanos: number): string | undefined {
  const carry = Math.floor(nanos / 1e9);
  const whole = formatTime(seconds + carry);
  if (whole === undefined) return undefined;
  const base = whole.slice(0, -1);
  const micros = Math.floor((nanos - carry * 1e9) / 1000);
  return `${base}.${String(micros).padStart(6, '0')}Z`;
}

/** The seconds Go's zero time.Time has (0001-01-01T00:00:00Z): metav1.Time JSON null. */
export const ZERO_TIME_SECONDS = -62135596800;

function fracDigits(v: bigint, prec: number): [string, bigint] {
  let digits = '';
  let printed = false;
  for (let i = 0; i < prec; i++) {
    const digit = v % 10n;
    printed ||= digit !== 0n;
    if (printed) digits = digit.toString() + digits;
    v /= 10n;
  }
  return [printed ? `.${digits}` : '', v];
}

/** time.Duration.String of a nanosecond count. */
export function formatDuration(nanoseconds: number): string {
  let u = BigInt(Math.trunc(nanoseconds));
  const negative = u < 0n;
  if (negative) u = -u;
  let out: string;
  if (u < 1_000_000_000n) {
    if (u === 0n) return '0s';
    if (u < 1000n) out = `${u}ns`;
    else if (u < 1_000_000n) {
      const [frac, whole] = fracDigits(u, 3);
      out = `${whole}${frac}µs`;
    } else {
      const [frac, whole] = fracDigits(u, 6);
      out = `${whole}${frac}ms`;
    }
  } else {
    const [frac, wholeSeconds] = fracDigits(u, 9);
    out = `${wholeSeconds % 60n}${frac}s`;
    const minutes = wholeSeconds / 60n;
    if (minutes > 0n) {
      out = `${minutes % 60n}m${out}`;
      const hours = minutes / 60n;
      if (hours > 0n) out = `${hours}h${out}`;
    }
  }
  return negative ? `-${out}` : out;
}

const UNIT_NANOS: Record<string, number> = { ns: 1, us: 1e3, 'µs': 1e3, 'μs': 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

/** time.ParseDuration; undefined for text Go rejects. */
export function parseDuration(text: string): number | undefined {
  let s = text;
  let sign = 1;
  if (s.startsWith('-') || s.startsWith('+')) {
    if (s[0] === '-') sign = -1;
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') return undefined;
  let total = 0;
  const part = /^(\d*)(?:\.(\d*))?(ns|us|µs|μs|ms|s|m|h)/;
  while (s.length > 0) {
    const m = part.exec(s);
    if (!m || (m[1] === '' && (m[2] === undefined || m[2] === ''))) return undefined;
    const unit = UNIT_NANOS[m[3]!]!;
    total += Number(m[1] || '0') * unit;
    if (m[2]) total += Number(`0.${m[2]}`) * unit;
    s = s.slice(m[0].length);
  }
  return sign * Math.round(total);
}
