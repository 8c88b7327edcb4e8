// Timestamps as metav1.Time and metav1.MicroTime write them in JSON (RFC 3339, UTC), and the
// RFC 3339 parsing metav1.Time accepts.

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

function checkDate(date: Date): void {
  if (Number.isNaN(date.getTime())) throw new RangeError('invalid date');
  const year = date.getUTCFullYear();
  // metav1.Time refuses to marshal years outside 0..9999 (RFC 3339 has four year digits).
  if (year < 0 || year > 9999) throw new RangeError(`Time.MarshalJSON: year outside of range [0,9999]`);
}

/** A metav1.Time as JSON carries it: UTC, second precision, `2026-01-02T03:04:05Z`. */
export function formatTimestamp(date: Date = new Date()): string {
  checkDate(date);
  return (
    `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}` +
    `T${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}Z`
  );
}

/** A metav1.MicroTime as JSON carries it: `2026-01-02T03:04:05.123000Z` (JS has milliseconds). */
export function formatMicroTimestamp(date: Date = new Date()): string {
  const seconds = formatTimestamp(date).slice(0, -1);
  return `${seconds}.${pad(date.getUTCMilliseconds(), 3)}000Z`;
}

/** The current time as a metav1.Time string. */
export function nowTimestamp(): string {
  return formatTimestamp(new Date());
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Parses an RFC 3339 timestamp as metav1.Time accepts it (fractional seconds and offsets
 * allowed). undefined when the text is not one, or names an impossible date.
 */
export function parseTimestamp(text: string): Date | undefined {
  const m = RFC3339.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const fraction = m[7];
  const zone = m[8]!;
  let offsetMinutes = 0;
  if (zone !== 'Z') {
    const zh = Number(zone.slice(1, 3));
    const zm = Number(zone.slice(4, 6));
    if (zh > 23 || zm > 59) return undefined;
    offsetMinutes = (zone.startsWith('-') ? -1 : 1) * (zh * 60 + zm);
  }
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const date = new Date(0);
  // setUTCFullYear, unlike Date.UTC, takes years 0..99 literally.
  date.setUTCFullYear(year, month - 1, day);
  // Out-of-range days roll over in JS (Feb 30 -> Mar 2); Go rejects them.
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined;
  const ms = fraction ? Math.floor(Number(`0${fraction}`) * 1000) : 0;
  date.setUTCHours(hour, minute, second, ms);
  return new Date(date.getTime() - offsetMinutes * 60_000);
}
