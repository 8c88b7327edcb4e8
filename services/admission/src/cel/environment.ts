// The CEL environment admission expressions run in (webhook matchConditions and
// ValidatingAdmissionPolicy expressions), on @marcbachmann/cel-js: the standard library plus
// Kubernetes' extension libraries as far as kapi has them — strings (charAt, indexOf,
// lastIndexOf, lowerAscii, upperAscii, replace, split, substring, trim, join), lists (isSorted,
// sum, min, max, indexOf, lastIndexOf), regex (find, findAll), url (url, isURL, getScheme,
// getHost, getHostname, getPort, getEscapedPath, getQuery) and quantity (quantity, isQuantity,
// compareTo, isLessThan, isGreaterThan, add, sub, asInteger, asApproximateFloat, sign,
// isInteger). Expressions are type-checked when compiled, so an unknown function or a type error
// is a compile error, as in kube.
//
// Values: JSON integers become CEL ints (BigInt), other numbers doubles, as kube's schema-typed
// conversion gives int64 for integer fields.

import { Environment } from '@marcbachmann/cel-js';
import { addQuantities, compareQuantities, quantitySign, quantityValue, type QuantityValue } from '@kapi/apimachinery';

/** A Kubernetes quantity as a CEL value. */
export class CelQuantity {
  constructor(
    readonly text: string,
    readonly value: QuantityValue,
  ) {}
}

/** A parsed URL as a CEL value (kube's url library). */
export class CelURL {
  constructor(readonly url: URL) {}
}

function toQuantity(text: string): CelQuantity {
  const v = quantityValue(text);
  if (!v) throw new Error(`invalid quantity: ${JSON.stringify(text)}`);
  return new CelQuantity(text, v);
}

function fromValue(v: QuantityValue): CelQuantity {
  const text = v.scale === 0 ? v.numerator.toString() : `${v.numerator}e-${v.scale}`;
  return new CelQuantity(text, v);
}

function parseURL(text: string): URL {
  // kube accepts absolute URIs and absolute paths
  try {
    return text.startsWith('/') ? new URL(text, 'http://kapi.invalid') : new URL(text);
  } catch {
    throw new Error(`URL parse error during conversion from string: ${text}`);
  }
}

function compareCel(a: unknown, b: unknown): number {
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  if (a instanceof CelQuantity && b instanceof CelQuantity) return compareQuantities(a.value, b.value);
  throw new Error('no such overload');
}

/** The shared environment (declared variables are added by each compiler on a clone). */
export function kubernetesCelEnvironment(): Environment {
  const env = new Environment({ unlistedVariablesAreDyn: false, homogeneousAggregateLiterals: false, enableOptionalTypes: true });
  // The library already has some of these (its built-in overload is kept).
  const existing = (register: () => unknown) => {
    try {
      register();
    } catch (err) {
      if (!(err instanceof Error && /overlaps with existing overload/.test(err.message))) throw err;
    }
  };
  const method = (name: string, receiverType: string, returnType: string, params: string[], handler: (...args: never[]) => unknown) =>
    existing(() => env.registerFunction({ name, receiverType, returnType, handler: handler as (...args: unknown[]) => unknown, params: params.map((type, i) => ({ name: `p${i}`, type })) }));
  const fn = (signature: string, handler: (...args: never[]) => unknown) => existing(() => env.registerFunction(signature, handler as (...args: unknown[]) => unknown));

  env.registerType('kubernetes.Quantity', CelQuantity);
  env.registerType('kubernetes.URL', CelURL);

  // strings
  method('charAt', 'string', 'string', ['int'], (s: string, i: bigint) => {
    const chars = [...s];
    if (i < 0n || i > BigInt(chars.length)) throw new Error(`index out of range: ${i}`);
    return chars[Number(i)] ?? '';
  });
  method('lowerAscii', 'string', 'string', [], (s: string) => s.replace(/[A-Z]/g, (c) => c.toLowerCase()));
  method('upperAscii', 'string', 'string', [], (s: string) => s.replace(/[a-z]/g, (c) => c.toUpperCase()));
  method('replace', 'string', 'string', ['string', 'string'], (s: string, a: string, b: string) => s.split(a).join(b));
  method('replace', 'string', 'string', ['string', 'string', 'int'], (s: string, a: string, b: string, n: bigint) => {
    if (n < 0n) return s.split(a).join(b);
    let out = s;
    let from = 0;
    for (let k = 0n; k < n; k++) {
      const at = out.indexOf(a, from);
      if (at < 0) break;
      out = out.slice(0, at) + b + out.slice(at + a.length);
      from = at + b.length;
    }
    return out;
  });
  method('split', 'string', 'list<string>', ['string'], (s: string, sep: string) => s.split(sep));
  method('split', 'string', 'list<string>', ['string', 'int'], (s: string, sep: string, n: bigint) => {
    if (n === 0n) return [];
    const parts = s.split(sep);
    if (n < 0n || BigInt(parts.length) <= n) return parts;
    const keep = Number(n) - 1;
    return [...parts.slice(0, keep), parts.slice(keep).join(sep)];
  });
  method('trim', 'string', 'string', [], (s: string) => s.trim());

  // lists
  method('isSorted', 'list', 'bool', [], (l: unknown[]) => l.every((v, i) => i === 0 || compareCel(l[i - 1], v) <= 0));
  method('sum', 'list', 'dyn', [], (l: unknown[]) => {
    if (l.length === 0) return 0n;
    return l.reduce((a, b) => {
      if (typeof a === 'bigint' && typeof b === 'bigint') return a + b;
      return Number(a) + Number(b);
    });
  });
  method('min', 'list', 'dyn', [], (l: unknown[]) => {
    if (l.length === 0) throw new Error('min called on empty list');
    return l.reduce((a, b) => (compareCel(b, a) < 0 ? b : a));
  });
  method('max', 'list', 'dyn', [], (l: unknown[]) => {
    if (l.length === 0) throw new Error('max called on empty list');
    return l.reduce((a, b) => (compareCel(b, a) > 0 ? b : a));
  });
  method('indexOf', 'list', 'int', ['dyn'], (l: unknown[], v: unknown) => BigInt(l.findIndex((x) => x === v)));
  method('lastIndexOf', 'list', 'int', ['dyn'], (l: unknown[], v: unknown) => {
    for (let i = l.length - 1; i >= 0; i--) if (l[i] === v) return BigInt(i);
    return -1n;
  });

  // regex (RE2 syntax; JavaScript's engine for the common subset)
  method('find', 'string', 'string', ['string'], (s: string, re: string) => new RegExp(re).exec(s)?.[0] ?? '');
  method('findAll', 'string', 'list<string>', ['string'], (s: string, re: string) => [...s.matchAll(new RegExp(re, 'g'))].map((m) => m[0]));
  method('findAll', 'string', 'list<string>', ['string', 'int'], (s: string, re: string, n: bigint) => {
    const all = [...s.matchAll(new RegExp(re, 'g'))].map((m) => m[0]);
    return n < 0n ? all : all.slice(0, Number(n));
  });

  // url
  fn('url(string): kubernetes.URL', (s: string) => new CelURL(parseURL(s)));
  fn('isURL(string): bool', (s: string) => {
    try {
      parseURL(s);
      return true;
    } catch {
      return false;
    }
  });
  method('getScheme', 'kubernetes.URL', 'string', [], (u: CelURL) => (u.url.hostname === 'kapi.invalid' ? '' : u.url.protocol.replace(/:$/, '')));
  method('getHost', 'kubernetes.URL', 'string', [], (u: CelURL) => (u.url.hostname === 'kapi.invalid' ? '' : u.url.host));
  method('getHostname', 'kubernetes.URL', 'string', [], (u: CelURL) => (u.url.hostname === 'kapi.invalid' ? '' : u.url.hostname.replace(/^\[|\]$/g, '')));
  method('getPort', 'kubernetes.URL', 'string', [], (u: CelURL) => u.url.port);
  method('getEscapedPath', 'kubernetes.URL', 'string', [], (u: CelURL) => u.url.pathname);
  method('getQuery', 'kubernetes.URL', 'map', [], (u: CelURL) => {
    const out: Record<string, string[]> = {};
    for (const [k, v] of u.url.searchParams) (out[k] ??= []).push(v);
    return out;
  });

  // quantity
  fn('quantity(string): kubernetes.Quantity', (s: string) => toQuantity(s));
  fn('isQuantity(string): bool', (s: string) => quantityValue(s) !== undefined);
  method('compareTo', 'kubernetes.Quantity', 'int', ['kubernetes.Quantity'], (a: CelQuantity, b: CelQuantity) => BigInt(compareQuantities(a.value, b.value)));
  method('isLessThan', 'kubernetes.Quantity', 'bool', ['kubernetes.Quantity'], (a: CelQuantity, b: CelQuantity) => compareQuantities(a.value, b.value) < 0);
  method('isGreaterThan', 'kubernetes.Quantity', 'bool', ['kubernetes.Quantity'], (a: CelQuantity, b: CelQuantity) => compareQuantities(a.value, b.value) > 0);
  method('add', 'kubernetes.Quantity', 'kubernetes.Quantity', ['kubernetes.Quantity'], (a: CelQuantity, b: CelQuantity) => fromValue(addQuantities(a.value, b.value)));
  method('add', 'kubernetes.Quantity', 'kubernetes.Quantity', ['int'], (a: CelQuantity, b: bigint) => fromValue(addQuantities(a.value, { numerator: b, scale: 0 })));
  method('sub', 'kubernetes.Quantity', 'kubernetes.Quantity', ['kubernetes.Quantity'], (a: CelQuantity, b: CelQuantity) => fromValue(addQuantities(a.value, { numerator: -b.value.numerator, scale: b.value.scale })));
  method('sub', 'kubernetes.Quantity', 'kubernetes.Quantity', ['int'], (a: CelQuantity, b: bigint) => fromValue(addQuantities(a.value, { numerator: -b, scale: 0 })));
  method('sign', 'kubernetes.Quantity', 'int', [], (a: CelQuantity) => BigInt(quantitySign(a.value)));
  method('isInteger', 'kubernetes.Quantity', 'bool', [], (a: CelQuantity) => a.value.numerator % 10n ** BigInt(a.value.scale) === 0n);
  method('asInteger', 'kubernetes.Quantity', 'int', [], (a: CelQuantity) => {
    const div = 10n ** BigInt(a.value.scale);
    if (a.value.numerator % div !== 0n) throw new Error('cannot convert value to integer');
    return a.value.numerator / div;
  });
  method('asApproximateFloat', 'kubernetes.Quantity', 'double', [], (a: CelQuantity) => Number(a.value.numerator) / 10 ** a.value.scale);
  return env;
}

/** A JSON value as CEL sees it: integers as ints (BigInt), recursively. */
export function toCelValue(v: unknown): unknown {
  if (typeof v === 'number') return Number.isInteger(v) ? BigInt(v) : v;
  if (Array.isArray(v)) return v.map(toCelValue);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = toCelValue(x);
    return out;
  }
  return v;
}

/** A CEL result as JSON (ints back to numbers) — for messages and audit annotations. */
export function fromCelValue(v: unknown): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (Array.isArray(v)) return v.map(fromCelValue);
  if (v instanceof CelQuantity) return v.text;
  if (v instanceof CelURL) return v.url.href;
  if (v instanceof Map) return Object.fromEntries([...v.entries()].map(([k, x]) => [k, fromCelValue(x)]));
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fromCelValue(x)]));
  return v;
}
