// Decoding with Go's base64.RawURLEncoding (URL alphabet, no padding, CR/LF ignored, loose
// about trailing bits), failing where Go fails and with Go's error text
// ("illegal base64 data at input byte N", N a byte offset into the input).

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const DECODE = new Int16Array(256).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i;

function corrupt(offset: number): { error: string } {
  return { error: `illegal base64 data at input byte ${offset}` };
}

/** base64.RawURLEncoding.DecodeString over the UTF-8 bytes of `s`. */
export function decodeRawURLBase64(s: string): { bytes: Uint8Array } | { error: string } {
  const src = Buffer.from(s, 'utf8');
  const out: number[] = [];
  let si = 0;
  while (si < src.length) {
    // One quantum: up to four alphabet characters, newlines skipped.
    const quantum: number[] = [];
    while (quantum.length < 4) {
      if (si === src.length) {
        if (quantum.length === 1) return corrupt(si - 1);
        break;
      }
      const c = src[si++]!;
      const v = DECODE[c]!;
      if (v >= 0) quantum.push(v);
      else if (c !== 0x0a && c !== 0x0d) return corrupt(si - 1);
    }
    if (quantum.length === 0) break;
    const [a = 0, b = 0, c = 0, d = 0] = quantum;
    const val = (a << 18) | (b << 12) | (c << 6) | d;
    out.push((val >> 16) & 0xff);
    if (quantum.length >= 3) out.push((val >> 8) & 0xff);
    if (quantum.length === 4) out.push(val & 0xff);
  }
  return { bytes: Uint8Array.from(out) };
}
