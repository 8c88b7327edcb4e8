// The value of a resource.Quantity, for comparing and adding quantities as kube does
// (Quantity.Cmp, Quantity.Add, Sign) without floating point. Parsing (the accepted syntax and
// the error texts) stays in quantity.ts; this module reads strings that parse there.

import { parseQuantity } from './quantity.js';

/** An exact value: numerator × 10^-scale (scale >= 0). */
export interface QuantityValue {
  readonly numerator: bigint;
  readonly scale: number;
}

const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const SHAPE = /^([+-]?)([0-9]*)(?:\.([0-9]*))?([a-zA-Z]*)([+-]?[0-9]*)$/;

function normalize(numerator: bigint, scale: number): QuantityValue {
  return scale >= 0 ? { numerator, scale } : { numerator: numerator * 10n ** BigInt(-scale), scale: 0 };
}

/** The value of a quantity string, or undefined when kube would not parse it. Values below
 * 10^-9 round up to the nano, as the decoder does (the canonical form already carries that). */
export function quantityValue(input: unknown): QuantityValue | undefined {
  if (typeof input === 'number' && Number.isFinite(input)) input = String(input);
  if (typeof input !== 'string') return undefined;
  const parsed = parseQuantity(input);
  if (!parsed.ok) return undefined;
  const m = SHAPE.exec(parsed.canonical);
  if (!m) return undefined;
  const [, sign, intPart = '', frac = '', suffix = '', expText = ''] = m;
  const digits = intPart + frac;
  let numerator = digits.length > 0 ? BigInt(digits) : 0n;
  if (sign === '-') numerator = -numerator;
  let scale = frac.length;
  if (suffix === 'e' || suffix === 'E') {
    scale -= Number(expText);
  } else if (Object.hasOwn(BINARY, suffix) && expText === '') {
    numerator *= 1n << BigInt(BINARY[suffix]!);
  } else if (Object.hasOwn(DECIMAL, suffix) && expText === '') {
    scale -= DECIMAL[suffix]!;
  } else {
    return undefined;
  }
  return normalize(numerator, scale);
}

function align(a: QuantityValue, b: QuantityValue): [bigint, bigint, number] {
  const scale = Math.max(a.scale, b.scale);
  return [a.numerator * 10n ** BigInt(scale - a.scale), b.numerator * 10n ** BigInt(scale - b.scale), scale];
}

/** Quantity.Cmp: -1, 0 or 1. */
export function compareQuantities(a: QuantityValue, b: QuantityValue): number {
  const [x, y] = align(a, b);
  return x === y ? 0 : x < y ? -1 : 1;
}

/** Quantity.Add. */
export function addQuantities(a: QuantityValue, b: QuantityValue): QuantityValue {
  const [x, y, scale] = align(a, b);
  return { numerator: x + y, scale };
}

/** Quantity.Sign. */
export function quantitySign(a: QuantityValue): number {
  return a.numerator === 0n ? 0 : a.numerator < 0n ? -1 : 1;
}

export const ZERO_QUANTITY: QuantityValue = { numerator: 0n, scale: 0 };

/** Whether the value is a whole number (Quantity.Value() loses nothing), e.g. for hugepages. */
export function isWholeQuantity(a: QuantityValue): boolean {
  return a.numerator % 10n ** BigInt(a.scale) === 0n;
}

/** The value in milli-units, rounded up (Quantity.MilliValue). */
export function milliValue(a: QuantityValue): bigint {
  const scaled = a.numerator * 1000n;
  const div = 10n ** BigInt(a.scale);
  const q = scaled / div;
  return q * div === scaled || scaled < 0n ? q : q + 1n;
}
