// The errors strategic merge patch reports, with the texts of k8s.io/apimachinery/pkg/util/
// mergepatch (errors.go) and strategicpatch. kube-apiserver's interpretStrategicMergePatchError
// (endpoints/handlers/patch.go) turns a few sentinel errors into 400 or 422 and lets every other
// error through unconverted (a 500 with the error text): `sentinel` says which one an error is.

import { compareGoStrings, formatGoNumber } from '../go-format.js';

/** The mergepatch sentinel errors kube-apiserver maps to a status code. */
export type MergePatchSentinel =
  | 'ErrBadJSONDoc'
  | 'ErrNoListOfLists'
  | 'ErrBadPatchFormatForPrimitiveList'
  | 'ErrBadPatchFormatForRetainKeys'
  | 'ErrBadPatchFormatForSetElementOrderList'
  | 'ErrPatchContentNotMatchRetainKeys'
  | 'ErrUnsupportedStrategicMergePatchFormat';

const SENTINEL_TEXT: Record<MergePatchSentinel, string> = {
  ErrBadJSONDoc: 'invalid JSON document',
  ErrNoListOfLists: 'lists of lists are not supported',
  ErrBadPatchFormatForPrimitiveList: 'invalid patch format of primitive list',
  ErrBadPatchFormatForRetainKeys: 'invalid patch format of retainKeys',
  ErrBadPatchFormatForSetElementOrderList: 'invalid patch format of setElementOrder list',
  ErrPatchContentNotMatchRetainKeys: "patch content doesn't match retainKeys list",
  ErrUnsupportedStrategicMergePatchFormat: 'strategic merge patch format is not supported',
};

/** An error applying a strategic merge patch; `sentinel` is set for mergepatch's Err* values. */
export class StrategicMergePatchError extends Error {
  readonly sentinel: MergePatchSentinel | undefined;
  constructor(message: string, sentinel?: MergePatchSentinel) {
    super(message);
    this.name = 'StrategicMergePatchError';
    this.sentinel = sentinel;
  }
}

export function sentinelError(sentinel: MergePatchSentinel): StrategicMergePatchError {
  return new StrategicMergePatchError(SENTINEL_TEXT[sentinel], sentinel);
}

const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** reflect.TypeOf(v).String() for a value decoded into interface{} (ints as int64, as
 * UnmarshalCaseSensitivePreserveInts and ToUnstructured produce them). */
export function goTypeName(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (Array.isArray(v)) return '[]interface {}';
  if (typeof v === 'object') return 'map[string]interface {}';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int64' : 'float64';
  return typeof v;
}

/**
 * fmt's %v (verb 'v') or %s (verb 's') of a value decoded into interface{}: maps as
 * `map[k:v ...]` with sorted keys, slices as `[a b]`, nil as `<nil>`; %s of a non-string scalar
 * reads `%!s(int64=1)` as Go prints a bad verb.
 */
export function goFormat(value: unknown, verb: 'v' | 's' = 'v'): string {
  if (value === null || value === undefined) return verb === 'v' ? '<nil>' : '%!s(<nil>)';
  if (Array.isArray(value)) return '[' + value.map((item) => goFormat(item, verb)).join(' ') + ']';
  if (isMap(value)) {
    const keys = Object.keys(value).sort(compareGoStrings);
    return 'map[' + keys.map((k) => `${k}:${goFormat(value[k], verb)}`).join(' ') + ']';
  }
  if (typeof value === 'string') return value;
  const text = typeof value === 'number' ? formatGoNumber(value) : String(value);
  return verb === 'v' ? text : `%!s(${goTypeName(value)}=${text})`;
}

/** mergepatch.ErrNoMergeKey. */
export function errNoMergeKey(m: Record<string, unknown> | null, key: string): StrategicMergePatchError {
  return new StrategicMergePatchError(`map: ${m === null ? 'map[]' : goFormat(m)} does not contain declared merge key: ${key}`);
}

/** mergepatch.ErrBadArgType: `expected` is the Go type the code asserted. */
export function errBadArgType(expected: string, actual: unknown): StrategicMergePatchError {
  const actualType = actual === null || actual === undefined ? '%!s(<nil>)' : goTypeName(actual);
  return new StrategicMergePatchError(`expected a ${expected}, but received a ${actualType}`);
}

/** mergepatch.ErrBadPatchType. */
export function errBadPatchType(directive: unknown, m: Record<string, unknown>): StrategicMergePatchError {
  return new StrategicMergePatchError(`unknown patch type: ${goFormat(directive, 's')} in map: ${goFormat(m)}`);
}

export const MAP_TYPE = 'map[string]interface {}';
export const SLICE_TYPE = '[]interface {}';
