// Path elements of sigs.k8s.io/structured-merge-diff fieldpath: one step from a node to a child.
// A struct field or map entry is named (`f:`), an associative-list item with keys by its key
// fields (`k:`), a set item by its value (`v:`), an item of an atomic list by its index (`i:`).
// Their order (PathElement.Compare) decides how field sets serialize and how conflicts print.

/** A JSON value as decoded (objects, arrays, strings, numbers, booleans, null). */
export type JSONValue = unknown;

export type PathElement =
  | { readonly field: string }
  | { readonly key: readonly (readonly [string, JSONValue])[] }
  | { readonly value: JSONValue }
  | { readonly index: number };

export type Path = readonly PathElement[];

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function kindRank(pe: PathElement): number {
  if ('field' in pe) return 0;
  if ('key' in pe) return 1;
  if ('value' in pe) return 2;
  return 3;
}

const SURROGATE = /[\uD800-\uDFFF]/;

/** Go's strings.Compare: byte order of the UTF-8 encodings (code point order). */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  // Without surrogates UTF-16 order is code point order.
  if (!SURROGATE.test(a) && !SURROGATE.test(b)) return a < b ? -1 : 1;
  const ai = a[Symbol.iterator]();
  const bi = b[Symbol.iterator]();
  for (;;) {
    const x = ai.next();
    const y = bi.next();
    if (x.done) return y.done ? 0 : -1;
    if (y.done) return 1;
    const cx = x.value.codePointAt(0)!;
    const cy = y.value.codePointAt(0)!;
    if (cx !== cy) return cx < cy ? -1 : 1;
  }
}

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
const isFloat = (v: unknown): v is number => typeof v === 'number' && !Number.isInteger(v);
const cmpNum = (a: number, b: number): number => (a < b ? -1 : a > b ? 1 : 0);

/** value.Compare: floats, ints, strings, bools, lists, maps, null — in that order; floats and
 * ints compare numerically with each other. */
export function compareJSONValues(lhs: JSONValue, rhs: JSONValue): number {
  if (isFloat(lhs)) return typeof rhs === 'number' ? cmpNum(lhs, rhs) : -1;
  if (isFloat(rhs)) return isInt(lhs) ? cmpNum(lhs, rhs) : 1;
  if (isInt(lhs)) return isInt(rhs) ? cmpNum(lhs, rhs) : -1;
  if (isInt(rhs)) return 1;
  if (typeof lhs === 'string') return typeof rhs === 'string' ? compareStrings(lhs, rhs) : -1;
  if (typeof rhs === 'string') return 1;
  if (typeof lhs === 'boolean') return typeof rhs === 'boolean' ? cmpNum(Number(lhs), Number(rhs)) : -1;
  if (typeof rhs === 'boolean') return 1;
  if (Array.isArray(lhs)) {
    if (!Array.isArray(rhs)) return -1;
    for (let i = 0; i < lhs.length && i < rhs.length; i++) {
      const c = compareJSONValues(lhs[i], rhs[i]);
      if (c !== 0) return c;
    }
    return cmpNum(lhs.length, rhs.length);
  }
  if (Array.isArray(rhs)) return 1;
  if (isObject(lhs)) {
    if (!isObject(rhs)) return -1;
    const lk = Object.keys(lhs).sort(compareStrings);
    const rk = Object.keys(rhs).sort(compareStrings);
    for (let i = 0; i < lk.length && i < rk.length; i++) {
      const c = compareStrings(lk[i]!, rk[i]!) || compareJSONValues(lhs[lk[i]!], rhs[rk[i]!]);
      if (c !== 0) return c;
    }
    return cmpNum(lk.length, rk.length);
  }
  if (isObject(rhs)) return 1;
  return 0;
}

/** PathElement.Compare. */
export function comparePathElements(a: PathElement, b: PathElement): number {
  const ka = kindRank(a);
  const kb = kindRank(b);
  if (ka !== kb) return ka < kb ? -1 : 1;
  if ('field' in a) return compareStrings(a.field, (b as { field: string }).field);
  if ('key' in a) {
    const bk = (b as { key: readonly (readonly [string, JSONValue])[] }).key;
    for (let i = 0; ; i++) {
      if (i >= a.key.length) return i >= bk.length ? 0 : -1;
      if (i >= bk.length) return 1;
      const c = compareStrings(a.key[i]![0], bk[i]![0]) || compareJSONValues(a.key[i]![1], bk[i]![1]);
      if (c !== 0) return c;
    }
  }
  if ('value' in a) return compareJSONValues(a.value, (b as { value: JSONValue }).value);
  return cmpNum(a.index, (b as { index: number }).index);
}

/** encoding/json's string encoding as jsoniter's standard-library mode writes it: HTML
 * characters and the JavaScript line separators escaped. */
function goJSONStringify(value: JSONValue): string {
  return (JSON.stringify(value) ?? 'null').replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Go's encoding of a JSON value with map keys sorted (encoding/json sorts map keys). */
export function goJSONEncode(value: JSONValue): string {
  if (Array.isArray(value)) return `[${value.map(goJSONEncode).join(',')}]`;
  if (isObject(value)) {
    const keys = Object.keys(value).sort(compareStrings);
    return `{${keys.map((k) => `${goJSONStringify(k)}:${goJSONEncode(value[k])}`).join(',')}}`;
  }
  return goJSONStringify(value);
}

/** serializePathElementToWriter: the fieldsV1 member name of a path element. Field names are
 * written raw; key fields in their (sorted) order. */
export function serializePathElement(pe: PathElement): string {
  if ('field' in pe) return `f:${pe.field}`;
  if ('key' in pe) return `k:{${pe.key.map(([n, v]) => `${goJSONStringify(n)}:${goJSONEncode(v)}`).join(',')}}`;
  if ('value' in pe) return `v:${goJSONEncode(pe.value)}`;
  return `i:${pe.index}`;
}

/** Thrown for a fieldsV1 member name that does not parse. */
export class PathElementError extends Error {}

/** The marker DeserializePathElement returns for a prefix it does not know (such members are
 * dropped, as a newer server may write kinds this one does not understand). */
export const UNKNOWN_PATH_ELEMENT = Symbol('unknown path element');

function parseJSONStrict(text: string, what: string): JSONValue {
  try {
    return JSON.parse(text) as JSONValue;
  } catch (err) {
    throw new PathElementError(`parsing ${what}: ${(err as Error).message}`);
  }
}

/** Go's strconv.Atoi over a decimal integer (optional sign, digits only, int64 range). */
function atoi(text: string): number | undefined {
  if (!/^[+-]?\d+$/.test(text)) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** DeserializePathElement. */
export function deserializePathElement(s: string): PathElement | typeof UNKNOWN_PATH_ELEMENT {
  if (s.length < 2) throw new PathElementError('key must be 2 characters long:');
  if (s[1] !== ':') throw new PathElementError(`missing colon: ${s}`);
  const body = s.slice(2);
  switch (s[0]) {
    case 'f':
      return { field: body };
    case 'v':
      return { value: parseJSONStrict(body, 'value') };
    case 'k': {
      const parsed = parseJSONStrict(body, 'key');
      if (!isObject(parsed)) throw new PathElementError(`key must be an object: ${s}`);
      const fields = Object.entries(parsed).sort((x, y) => compareStrings(x[0], y[0]));
      return { key: fields };
    }
    case 'i': {
      const index = atoi(body);
      if (index === undefined) throw new PathElementError(`strconv.Atoi: parsing ${JSON.stringify(body)}: invalid syntax`);
      return { index };
    }
    default:
      return UNKNOWN_PATH_ELEMENT;
  }
}

/** value.ToString: how values print inside a path (strings quoted as Go's %q). */
function valueToString(v: JSONValue): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(valueToString).join(',')}]`;
  if (isObject(v)) return Object.entries(v).map(([k, x]) => `${k}=${valueToString(x)}`).join('');
  return String(v);
}

/** PathElement.String: `.name`, `[name="c",protocol="TCP"]`, `[="x"]`, `[0]`. */
export function pathElementString(pe: PathElement): string {
  if ('field' in pe) return `.${pe.field}`;
  if ('key' in pe) return `[${pe.key.map(([n, v]) => `${n}=${valueToString(v)}`).join(',')}]`;
  if ('value' in pe) return `[=${valueToString(pe.value)}]`;
  return `[${pe.index}]`;
}

/** Path.String. */
export function pathString(path: Path): string {
  return path.map(pathElementString).join('');
}
