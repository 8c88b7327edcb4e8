// []byte fields ("format: byte") as Go's encoding/json decodes them: base64.StdEncoding (padded,
// CR and LF ignored, not strict about trailing bits), with base64.CorruptInputError's text and
// byte offset on failure. kube-apiserver re-encodes the bytes, so the canonical form is the plain
// padded encoding without line breaks.

export type Base64Result = { ok: true; canonical: string } | { ok: false; error: string };

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DECODE = new Int16Array(256).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i;

const PAD = 0x3d; // '='
const CR = 0x0d;
const LF = 0x0a;

/** Already canonical: padded standard alphabet, no line breaks. Checked before the byte walk. */
const CANONICAL = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Padded text whose last symbol carries bits beyond the data re-encodes differently. */
function zeroTrailingBits(text: string): boolean {
  if (!text.endsWith('=')) return true;
  const pads = text.endsWith('==') ? 2 : 1;
  const last = DECODE[text.charCodeAt(text.length - pads - 1)]!;
  return (last & (pads === 2 ? 0xf : 0x3)) === 0;
}

function corrupt(offset: number): Base64Result {
  return { ok: false, error: `illegal base64 data at input byte ${offset}` };
}

/**
 * Decodes like Go's StdEncoding.Decode. Go reports the offset of the first bad byte of the UTF-8
 * text, so the walk is over bytes, quantum by quantum, exactly as decodeQuantum does it.
 */
export function decodeGoBase64(text: string): Base64Result {
  if (CANONICAL.test(text) && zeroTrailingBits(text)) return { ok: true, canonical: text };
  const src = Buffer.from(text, 'utf8');
  const out: number[] = [];
  let si = 0;
  while (si < src.length) {
    const dbuf = [0, 0, 0, 0];
    let dlen = 4;
    let trailing = -1;
    let j = 0;
    for (; j < 4; j++) {
      if (si === src.length) {
        if (j === 0) return { ok: true, canonical: Buffer.from(out).toString('base64') };
        return corrupt(si - j);
      }
      const c = src[si]!;
      si++;
      const d = DECODE[c]!;
      if (d >= 0) {
        dbuf[j] = d;
        continue;
      }
      if (c === LF || c === CR) {
        j--;
        continue;
      }
      if (c !== PAD) return corrupt(si - 1);
      // Padding: only after two or three symbols of a quantum.
      if (j === 0 || j === 1) return corrupt(si - 1);
      if (j === 2) {
        while (si < src.length && (src[si] === LF || src[si] === CR)) si++;
        if (si === src.length) return corrupt(src.length);
        if (src[si] !== PAD) return corrupt(si - 1);
        si++;
      }
      while (si < src.length && (src[si] === LF || src[si] === CR)) si++;
      if (si < src.length) trailing = si;
      dlen = j;
      break;
    }
    const val = (dbuf[0]! << 18) | (dbuf[1]! << 12) | (dbuf[2]! << 6) | dbuf[3]!;
    const bytes = [(val >> 16) & 0xff, (val >> 8) & 0xff, val & 0xff];
    for (let k = 0; k < dlen - 1; k++) out.push(bytes[k]!);
    if (trailing >= 0) return corrupt(trailing);
    if (dlen < 4) break;
  }
  return { ok: true, canonical: Buffer.from(out).toString('base64') };
}

/** A JSON array of byte values, which Go also accepts for a []byte field, as base64 text. */
export function encodeGoBase64(bytes: readonly number[]): string {
  return Buffer.from(bytes).toString('base64');
}
