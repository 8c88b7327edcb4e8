// Warning headers as kube-apiserver's warning recorder writes them (endpoints/filters/warning.go):
// `Warning: 299 - "<text>"`, deduplicated, at most 4096 runes of warning text in total; past that,
// every warning is truncated to 256 runes and later ones are dropped once the budget is spent.

/** The minimal header store the recorder writes to. */
export interface WarningHeaderStore {
  add(name: string, value: string): void;
  delete(name: string): void;
}

const TRUNCATE_AT_TOTAL_RUNES = 4 * 1024;
const TRUNCATE_ITEM_RUNES = 256;

function runeLength(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

function truncateRunes(s: string, max: number): string {
  let out = '';
  let n = 0;
  for (const c of s) {
    if (n === max) break;
    out += c;
    n++;
  }
  return out;
}

/** Control characters per unicode.IsControl (C0, DEL, C1). */
function hasControl(s: string): boolean {
  return /[\u0000-\u001f\u007f-\u009f]/.test(s);
}

/**
 * net.NewWarningHeader(299, "-", text): `299 - "text"` with `"` and `\` escaped; undefined for
 * text Go refuses (control characters or invalid UTF-8). The value is returned as a Latin-1
 * string of its UTF-8 bytes, so Node writes the same bytes Go writes.
 */
export function warningHeaderValue(text: string): string | undefined {
  // In a /u regexp a surrogate range matches only unpaired surrogates (invalid UTF-8 for Go).
  if (hasControl(text) || /[\ud800-\udfff]/u.test(text)) return undefined;
  const quoted = '"' + text.replace(/["\\]/g, (c) => `\\${c}`) + '"';
  return Buffer.from(`299 - ${quoted}`, 'utf8').toString('latin1');
}

export class WarningRecorder {
  private readonly recorded = new Set<string>();
  private readonly ordered: string[] = [];
  private written = 0;
  private truncating = false;

  constructor(private readonly headers: WarningHeaderStore) {}

  /** Records one warning for the response. Empty and repeated texts are ignored. */
  add(text: string): void {
    if (text.length === 0) return;
    if (this.written >= TRUNCATE_AT_TOTAL_RUNES && this.truncating) return;
    if (this.recorded.has(text)) return;
    this.recorded.add(text);
    this.ordered.push(text);

    let item = text;
    let length = runeLength(item);
    if (this.truncating && length > TRUNCATE_ITEM_RUNES) {
      item = truncateRunes(item, TRUNCATE_ITEM_RUNES);
      length = TRUNCATE_ITEM_RUNES;
    }
    const header = warningHeaderValue(item);
    if (header === undefined) return;
    if (this.written + length <= TRUNCATE_AT_TOTAL_RUNES || this.truncating) {
      this.written += length;
      this.headers.add('Warning', header);
      return;
    }
    // Over budget for the first time: rewrite everything so far, each truncated.
    this.truncating = true;
    this.written = 0;
    this.headers.delete('Warning');
    for (const w of this.ordered) {
      const t = runeLength(w) > TRUNCATE_ITEM_RUNES ? truncateRunes(w, TRUNCATE_ITEM_RUNES) : w;
      const h = warningHeaderValue(t);
      if (h !== undefined) {
        this.written += runeLength(t);
        this.headers.add('Warning', h);
      }
    }
  }

  /** Records several warnings in order. */
  addAll(texts: Iterable<string>): void {
    for (const t of texts) this.add(t);
  }
}
