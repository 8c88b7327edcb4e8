// Applying a strategic merge patch: k8s.io/apimachinery/pkg/util/strategicpatch (patch.go)
// StrategicMergeMapPatchUsingLookupPatchMeta, i.e. mergeMap with MergeParallelList and
// IgnoreUnmatchedNulls, function by function, with kube's error texts. Maps merge key by key and
// null deletes; a list merges only where the field's patch strategy is "merge" (by the merge
// key for lists of maps, as a union for primitives), otherwise the patch replaces it. Directives:
// `$patch: replace|delete` (in maps and as list elements), `$retainKeys`, `$setElementOrder/<f>`,
// `$deleteFromPrimitiveList/<f>`.
//
// Differences from Go that do not change results: lookups by merge key go through an index
// instead of a scan (so a large patch cannot take quadratic time), patch keys are processed in
// document order (Go's map order is random), and where Go would panic (comparing maps) values
// simply compare unequal. Recursion is bounded by MAX_MERGE_DEPTH.

import {
  MAP_TYPE,
  SLICE_TYPE,
  StrategicMergePatchError,
  errBadArgType,
  errBadPatchType,
  errNoMergeKey,
  goFormat,
  goTypeName,
  sentinelError,
} from './errors.js';
import { goSliceStable } from './go-sort.js';
import type { LookupPatchMeta } from './meta.js';

const DIRECTIVE_MARKER = '$patch';
const DELETE_DIRECTIVE = 'delete';
const REPLACE_DIRECTIVE = 'replace';
const MERGE_DIRECTIVE = 'merge';
const RETAIN_KEYS_STRATEGY = 'retainKeys';
const DELETE_FROM_PRIMITIVE_LIST_PREFIX = '$deleteFromPrimitiveList';
const RETAIN_KEYS_DIRECTIVE = '$' + RETAIN_KEYS_STRATEGY;
const SET_ELEMENT_ORDER_PREFIX = '$setElementOrder';

/** How many maps deep a merge may recurse (objects of built-in types nest a few dozen deep). */
export const MAX_MERGE_DEPTH = 1000;

type JSONMap = Record<string, unknown>;

/**
 * The backing array of the live list that mergePatchIntoOriginal passes to mergeSlice. Go's
 * slices share it: deleting an element shifts the rest down in place (append(s[:i], s[i+1:]...))
 * and appending writes into the room that frees, so the live order mergePatchIntoOriginal sorts by
 * afterwards is that array, not the list before merging. The live list comes from
 * ToUnstructured of the typed object, which allocates exactly: the capacity is the length.
 */
interface SharedBacking {
  arr: unknown[];
  len: number;
  cap: number;
  /** False once Go would have reallocated (or replaced) the slice. */
  attached: boolean;
}

export interface MergeOptions {
  /** Apply `$deleteFromPrimitiveList` and `$setElementOrder` (server side: true). */
  mergeParallelList: boolean;
  /** Drop nulls the original has nothing to delete for (server side: true). */
  ignoreUnmatchedNulls: boolean;
}

const isMap = (v: unknown): v is JSONMap => v !== null && typeof v === 'object' && !Array.isArray(v);
const has = (m: JSONMap, k: string): boolean => Object.hasOwn(m, k);

/** Sets a member, also one named "__proto__" (as an own property, never the prototype). */
function put(target: JSONMap, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  else target[key] = value;
}

/** The Go type of a decoded value, as reflect.TypeOf compares them. */
function goType(v: unknown): string {
  return goTypeName(v);
}

/**
 * StrategicMergeMapPatchUsingLookupPatchMeta: applies `patch` to `original`. Both are changed
 * (pass private copies); the result is returned.
 */
export function strategicMergeMapPatch(original: JSONMap, patch: JSONMap, schema: LookupPatchMeta): JSONMap {
  return mergeMap(original, patch, schema, { mergeParallelList: true, ignoreUnmatchedNulls: true }, 0);
}

/** Go's == on two interface{} values holding JSON scalars (maps and slices never equal). */
function goEqual(a: unknown, b: unknown): boolean {
  if (a === undefined) a = null;
  if (b === undefined) b = null;
  return a === b && (a === null || typeof a !== 'object');
}

/** A hashable stand-in for a scalar (Map keys compare as Go's == does for scalars). */
function scalarKey(v: unknown): unknown {
  if (v === undefined) return null;
  return v;
}

/**
 * findMapInSliceBasedOnKeyValue over one list, answered from an index: the first element whose
 * merge key equals a value, with Go's error when a non-map element comes before the match.
 * Kept current by `replaced` and `appended` as mergeSliceWithoutSpecialElements changes the list.
 */
class MergeKeyIndex {
  private readonly first = new Map<unknown, number>();
  private firstNonMap = Infinity;

  constructor(
    private readonly list: unknown[],
    private readonly key: string,
  ) {
    for (let i = 0; i < list.length; i++) this.note(i);
  }

  private note(i: number): void {
    const item = this.list[i];
    if (!isMap(item)) {
      if (i < this.firstNonMap) this.firstNonMap = i;
      return;
    }
    if (!has(item, this.key)) return;
    const value = item[this.key];
    if (value !== null && typeof value === 'object') return; // Never equal to anything.
    const k = scalarKey(value);
    if (!this.first.has(k)) this.first.set(k, i);
  }

  /** The matching map and its position, or undefined; throws as Go does for a non-map. */
  find(value: unknown): { map: JSONMap; index: number } | undefined {
    const found = value !== null && typeof value === 'object' ? undefined : this.first.get(scalarKey(value));
    const limit = found ?? this.list.length;
    if (this.firstNonMap < limit) throw new StrategicMergePatchError(`value for key ${this.firstNonMap} is not a map`);
    return found === undefined ? undefined : { map: this.list[found] as JSONMap, index: found };
  }

  appended(): void {
    this.note(this.list.length - 1);
  }
}

// ---- map-level directives ------------------------------------------------------------------

/** handleDirectiveInMergeMap: `$patch: replace` keeps the patch map, `delete` empties it. */
function handleDirectiveInMergeMap(directive: unknown, patch: JSONMap): JSONMap {
  if (directive === REPLACE_DIRECTIVE) {
    delete patch[DIRECTIVE_MARKER];
    return patch;
  }
  if (directive === DELETE_DIRECTIVE) return {};
  throw errBadPatchType(directive, patch);
}

function containsDirectiveMarker(item: unknown): boolean {
  return isMap(item) && has(item, DIRECTIVE_MARKER);
}

function mergeKeyValueEqual(left: unknown, right: unknown, mergeKey: string): boolean {
  if (mergeKey.length === 0) return goEqual(left, right);
  if (!isMap(left)) throw errBadArgType(MAP_TYPE, left);
  if (!isMap(right)) throw errBadArgType(MAP_TYPE, right);
  if (!has(left, mergeKey)) throw errNoMergeKey(left, mergeKey);
  if (!has(right, mergeKey)) throw errNoMergeKey(right, mergeKey);
  return goEqual(left[mergeKey], right[mergeKey]);
}

/** extractKey: "<prefix>/<field>" -> field. */
function extractKey(s: string, prefix: string): string {
  const slash = s.indexOf('/');
  if (slash < 0 || s.slice(0, slash) !== prefix) {
    if (prefix === DELETE_FROM_PRIMITIVE_LIST_PREFIX) throw sentinelError('ErrBadPatchFormatForPrimitiveList');
    if (prefix === SET_ELEMENT_ORDER_PREFIX) throw sentinelError('ErrBadPatchFormatForSetElementOrderList');
    throw new StrategicMergePatchError(`fail to find unknown prefix "${prefix}" in ${s}\n`);
  }
  return s.slice(slash + 1);
}

/**
 * validatePatchWithSetOrderList: the patch list's items (deletions aside) appear in the
 * $setElementOrder list, in the same relative order.
 */
function validatePatchWithSetOrderList(patchList: unknown, setOrderList: unknown, mergeKey: string): void {
  if (!Array.isArray(setOrderList)) throw sentinelError('ErrBadPatchFormatForSetElementOrderList');
  // A field missing from the patch is a nil []interface{} in Go: no items to check.
  const typedPatchList = patchList === undefined ? [] : patchList;
  if (!Array.isArray(typedPatchList)) throw sentinelError('ErrBadPatchFormatForSetElementOrderList');
  if (setOrderList.length === 0 || typedPatchList.length === 0) return;
  const nonDeleteList = mergeKey.length > 0 ? extractToDeleteItems(typedPatchList).nonDelete : typedPatchList;
  let patchIndex = 0;
  let setOrderIndex = 0;
  while (patchIndex < nonDeleteList.length && setOrderIndex < setOrderList.length) {
    if (containsDirectiveMarker(nonDeleteList[patchIndex])) {
      patchIndex++;
      continue;
    }
    if (mergeKeyValueEqual(nonDeleteList[patchIndex], setOrderList[setOrderIndex], mergeKey)) patchIndex++;
    setOrderIndex++;
  }
  if (patchIndex < nonDeleteList.length && setOrderIndex >= setOrderList.length) {
    throw new StrategicMergePatchError(
      `The order in patch list:\n${goFormat(typedPatchList)}\n doesn't match ${SET_ELEMENT_ORDER_PREFIX} list:\n${goFormat(setOrderList)}\n`,
    );
  }
}

/** applyRetainKeysDirective: keeps only the listed keys of the original. */
function applyRetainKeysDirective(original: JSONMap, patch: JSONMap, options: MergeOptions): void {
  if (!has(patch, RETAIN_KEYS_DIRECTIVE)) return;
  const retainKeysInPatch = patch[RETAIN_KEYS_DIRECTIVE];
  delete patch[RETAIN_KEYS_DIRECTIVE];
  if (!options.mergeParallelList) {
    if (has(original, RETAIN_KEYS_DIRECTIVE)) {
      if (JSON.stringify(original[RETAIN_KEYS_DIRECTIVE]) !== JSON.stringify(retainKeysInPatch)) {
        throw new StrategicMergePatchError(
          `${goFormat(original[RETAIN_KEYS_DIRECTIVE])} and ${goFormat(retainKeysInPatch)} are not deep equal: this may happen when calculating the 3-way diff patch`,
        );
      }
    } else {
      put(original, RETAIN_KEYS_DIRECTIVE, retainKeysInPatch);
    }
    return;
  }
  if (!Array.isArray(retainKeysInPatch)) throw sentinelError('ErrBadPatchFormatForRetainKeys');
  // Only string entries can ever match a key (Go's set is keyed by interface{} values).
  const retained = new Set<string>();
  for (const v of retainKeysInPatch) if (typeof v === 'string') retained.add(v);
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || k.startsWith(DELETE_FROM_PRIMITIVE_LIST_PREFIX) || k.startsWith(SET_ELEMENT_ORDER_PREFIX)) continue;
    if (!retained.has(k)) throw sentinelError('ErrBadPatchFormatForRetainKeys');
  }
  for (const k of Object.keys(original)) if (!retained.has(k)) delete original[k];
}

/** extractRetainKeysPatchStrategy: the strategy besides retainKeys ("merge", "replace" or ""). */
function extractRetainKeysPatchStrategy(strategies: readonly string[]): string {
  switch (strategies.length) {
    case 0:
      return '';
    case 1:
      return strategies[0] === RETAIN_KEYS_STRATEGY ? '' : strategies[0]!;
    case 2:
      if (strategies[0] === RETAIN_KEYS_STRATEGY) return strategies[1]!;
      if (strategies[1] === RETAIN_KEYS_STRATEGY) return strategies[0]!;
      break;
  }
  throw new StrategicMergePatchError(`unexpected patch strategy: [${strategies.join(' ')}]`);
}

// ---- directive removal and null handling ---------------------------------------------------

/**
 * removeDirectives: drops every map holding `$patch` (the value itself when it is one: keep is
 * false). Iterative: a patch may nest as deep as Go's decoder allows.
 */
function removeDirectives(obj: unknown): { value: unknown; keep: boolean } {
  if (containsDirectiveMarker(obj)) return { value: null, keep: false };
  const pending: unknown[] = [obj];
  for (let node = pending.pop(); node !== undefined; node = pending.pop()) {
    if (Array.isArray(node)) {
      const kept = node.filter((item) => !containsDirectiveMarker(item));
      node.length = 0;
      node.push(...kept);
      for (const item of node) if (item !== null && typeof item === 'object') pending.push(item);
    } else if (isMap(node)) {
      for (const k of Object.keys(node)) {
        const child = node[k];
        if (containsDirectiveMarker(child)) delete node[k];
        else if (child !== null && typeof child === 'object') pending.push(child);
      }
    }
  }
  return { value: obj, keep: true };
}

/** discardNullValuesFromPatch: removes null members of maps at every depth (iteratively). */
function discardNullValuesFromPatch(patchV: unknown): void {
  const pending: unknown[] = [patchV];
  for (let node = pending.pop(); node !== undefined; node = pending.pop()) {
    if (Array.isArray(node)) {
      for (const item of node) if (item !== null && typeof item === 'object') pending.push(item);
    } else if (isMap(node)) {
      for (const k of Object.keys(node)) {
        const child = node[k];
        if (child === null) delete node[k];
        else if (typeof child === 'object') pending.push(child);
      }
    }
  }
}

// ---- maps ----------------------------------------------------------------------------------

function checkDepth(depth: number): void {
  if (depth > MAX_MERGE_DEPTH) {
    throw new StrategicMergePatchError(`strategic merge patch nests deeper than ${MAX_MERGE_DEPTH} levels`, 'ErrBadJSONDoc');
  }
}

/** mergeMap: merges the patch map into the original map (both may change). */
function mergeMap(originalIn: JSONMap | null, patch: JSONMap, schema: LookupPatchMeta, options: MergeOptions, depth: number): JSONMap {
  checkDepth(depth);
  if (has(patch, DIRECTIVE_MARKER)) return handleDirectiveInMergeMap(patch[DIRECTIVE_MARKER], patch);
  const original = originalIn ?? {};
  applyRetainKeysDirective(original, patch, options);
  mergePatchIntoOriginal(original, patch, schema, options, depth);

  for (const key of Object.keys(patch)) {
    let k = key;
    const patchV = patch[key];
    // preprocessDeletionListForMerging
    let isDeleteList = false;
    if (key.startsWith(DELETE_FROM_PRIMITIVE_LIST_PREFIX)) {
      if (!options.mergeParallelList) {
        put(original, key, patchV);
        continue;
      }
      k = extractKey(key, DELETE_FROM_PRIMITIVE_LIST_PREFIX);
      isDeleteList = true;
    }

    if (patchV === null) {
      delete original[k];
      if (options.ignoreUnmatchedNulls) continue;
    }

    if (!has(original, k) || goType(original[k]) !== goType(patchV)) {
      if (!isDeleteList) {
        if (options.ignoreUnmatchedNulls) discardNullValuesFromPatch(patchV);
        const { value, keep } = removeDirectives(patchV);
        if (keep) put(original, k, value);
        else delete original[k];
      }
      continue;
    }

    const originalV = original[k];
    if (isMap(originalV)) {
      const { schema: subschema, meta } = schema.lookupForStruct(k);
      const strategy = extractRetainKeysPatchStrategy(meta.strategies);
      put(original, k, mergeMapHandler(originalV, patchV, subschema, strategy, options, depth + 1));
    } else if (Array.isArray(originalV)) {
      const { schema: subschema, meta } = schema.lookupForSlice(k);
      const strategy = extractRetainKeysPatchStrategy(meta.strategies);
      put(original, k, mergeSliceHandler(originalV, patchV, subschema, strategy, meta.mergeKey, isDeleteList, options, depth + 1));
    } else {
      const { value, keep } = removeDirectives(patchV);
      if (keep) put(original, k, value);
      else delete original[k];
    }
  }
  return original;
}

/** mergeMapHandler: "replace" takes the patch map as is; anything else merges. */
function mergeMapHandler(original: unknown, patch: unknown, schema: LookupPatchMeta, strategy: string, options: MergeOptions, depth: number): JSONMap {
  if (!isMap(original)) throw errBadArgType(MAP_TYPE, original);
  if (!isMap(patch)) throw errBadArgType(MAP_TYPE, patch);
  if (strategy !== REPLACE_DIRECTIVE) return mergeMap(original, patch, schema, options, depth);
  return patch;
}

/** mergeSliceHandler: lists merge under the "merge" strategy (and deletion lists always). */
function mergeSliceHandler(
  original: unknown,
  patch: unknown,
  schema: LookupPatchMeta,
  strategy: string,
  mergeKey: string,
  isDeleteList: boolean,
  options: MergeOptions,
  depth: number,
  backing?: SharedBacking,
): unknown[] {
  if (!Array.isArray(original)) throw errBadArgType(SLICE_TYPE, original);
  if (!Array.isArray(patch)) throw errBadArgType(SLICE_TYPE, patch);
  if (strategy === MERGE_DIRECTIVE || isDeleteList) return mergeSlice(original, patch, schema, mergeKey, options, isDeleteList, depth, backing);
  return patch;
}

// ---- $setElementOrder ----------------------------------------------------------------------

/**
 * mergePatchIntoOriginal: merges each list that has a `$setElementOrder/<field>` directive and
 * orders it ($setElementOrder first, then the live order); both are removed from the patch.
 */
function mergePatchIntoOriginal(original: JSONMap, patch: JSONMap, schema: LookupPatchMeta, options: MergeOptions, depth: number): void {
  for (const key of Object.keys(patch)) {
    if (!key.startsWith(SET_ELEMENT_ORDER_PREFIX)) continue;
    const setElementOrderInPatch = patch[key];
    if (!options.mergeParallelList) {
      if (has(original, key)) {
        if (JSON.stringify(original[key]) !== JSON.stringify(setElementOrderInPatch)) throw sentinelError('ErrBadPatchFormatForSetElementOrderList');
      } else {
        put(original, key, setElementOrderInPatch);
      }
    }
    delete patch[key];

    if (!Array.isArray(setElementOrderInPatch)) throw errBadArgType(SLICE_TYPE, setElementOrderInPatch);
    const originalKey = extractKey(key, SET_ELEMENT_ORDER_PREFIX);
    const foundOriginal = has(original, originalKey);
    const foundPatch = has(patch, originalKey);
    const originalList = original[originalKey];
    const patchList = patch[originalKey];
    let originalFieldValue: unknown[] = [];
    let patchFieldValue: unknown[] | undefined;
    if (foundOriginal) {
      if (!Array.isArray(originalList)) throw errBadArgType(SLICE_TYPE, originalList);
      originalFieldValue = originalList;
    }
    if (foundPatch) {
      if (!Array.isArray(patchList)) throw errBadArgType(SLICE_TYPE, patchList);
      patchFieldValue = patchList;
    }
    const { schema: subschema, meta } = schema.lookupForSlice(originalKey);
    const strategy = extractRetainKeysPatchStrategy(meta.strategies);
    validatePatchWithSetOrderList(patchFieldValue, setElementOrderInPatch, meta.mergeKey);

    let merged: unknown[];
    // The live order used below: originalFieldValue as mergeSlice leaves its backing array.
    let serverOrder = originalFieldValue;
    if (foundOriginal && !foundPatch) {
      merged = originalFieldValue;
    } else if (!foundOriginal && foundPatch) {
      merged = removeDirectives(patchFieldValue).value as unknown[];
    } else if (foundOriginal && foundPatch) {
      const backing: SharedBacking = { arr: [...originalFieldValue], len: originalFieldValue.length, cap: originalFieldValue.length, attached: true };
      merged = mergeSliceHandler([...originalFieldValue], patchList, subschema, strategy, meta.mergeKey, false, options, depth + 1, backing);
      serverOrder = backing.arr;
    } else {
      continue;
    }

    const { inList: patchItems, notInList: serverOnlyItems } =
      meta.mergeKey.length === 0
        ? partitionPrimitivesByPresentInList(merged, setElementOrderInPatch)
        : partitionMapsByPresentInList(merged, setElementOrderInPatch, meta.mergeKey);
    const kind = sliceElementKind([originalFieldValue, patchFieldValue ?? []]);
    put(original, originalKey, normalizeElementOrder(patchItems, serverOnlyItems, setElementOrderInPatch, serverOrder, meta.mergeKey, kind));
    delete patch[originalKey];
  }
}

// ---- lists ---------------------------------------------------------------------------------

type ElementKind = 'map' | 'scalar';

/**
 * sliceElementType: every element of the lists has the same Go type, which is not a list
 * (ErrNoListOfLists); answers whether they are maps.
 */
function sliceElementKind(lists: unknown[][]): ElementKind {
  let prev: string | undefined;
  for (const list of lists) {
    for (const v of list) {
      const current = goType(v);
      if (prev === undefined) {
        prev = current;
        if (current === SLICE_TYPE) throw sentinelError('ErrNoListOfLists');
      } else if (prev !== current) {
        throw new StrategicMergePatchError(`list element types are not identical: ${goFormat(lists)}`);
      }
    }
  }
  if (prev === undefined) throw new StrategicMergePatchError('no elements in any of the given slices');
  // A first element that is JSON null has no type: Go fails on it (reflect.Type(nil).Kind()).
  if (prev === '<nil>') throw new StrategicMergePatchError(`list element types are not identical: ${goFormat(lists)}`);
  return prev === MAP_TYPE ? 'map' : 'scalar';
}

/** mergeSlice: a merging list with the patch list merged in, in kube's order. */
function mergeSlice(
  originalIn: unknown[],
  patchIn: unknown[],
  schema: LookupPatchMeta,
  mergeKey: string,
  options: MergeOptions,
  isDeleteList: boolean,
  depth: number,
  backing?: SharedBacking,
): unknown[] {
  let original = originalIn;
  let patch = patchIn;
  if (original.length === 0 && patch.length === 0) return original;
  const kind = sliceElementKind([original, patch]);
  let merged: unknown[];
  if (kind !== 'map') {
    if (options.mergeParallelList && isDeleteList) return deleteFromSlice(original, patch);
    merged = deduplicateScalars([...original, ...patch]);
  } else {
    if (mergeKey === '') throw new StrategicMergePatchError(`cannot merge lists without merge key for ${schema.name()}`);
    ({ original, patch } = mergeSliceWithSpecialElements(original, patch, mergeKey, backing));
    merged = mergeSliceWithoutSpecialElements(original, patch, mergeKey, schema, options, depth, backing);
  }
  const { inList: patchItems, notInList: serverOnlyItems } =
    mergeKey.length === 0 ? partitionPrimitivesByPresentInList(merged, patch) : partitionMapsByPresentInList(merged, patch, mergeKey);
  return normalizeElementOrder(patchItems, serverOnlyItems, patch, original, mergeKey, kind);
}

/**
 * mergeSliceWithSpecialElements: applies `$patch: delete` elements to the original and, for a
 * `$patch: replace` element, makes the patch's other elements the whole list.
 */
function mergeSliceWithSpecialElements(
  original: unknown[],
  patch: unknown[],
  mergeKey: string,
  backing: SharedBacking | undefined,
): { original: unknown[]; patch: unknown[] } {
  const patchWithoutSpecialElements: unknown[] = [];
  let replace = false;
  let result = original;
  for (const v of patch) {
    const typedV = v as JSONMap;
    if (!has(typedV, DIRECTIVE_MARKER)) {
      patchWithoutSpecialElements.push(v);
      continue;
    }
    const patchType = typedV[DIRECTIVE_MARKER];
    if (patchType === DELETE_DIRECTIVE) {
      if (!has(typedV, mergeKey)) throw errNoMergeKey(typedV, mergeKey);
      const mergeValue = typedV[mergeKey];
      // deleteMatchingEntries: every element with that merge key value goes.
      const matches = (item: unknown): boolean => isMap(item) && has(item, mergeKey) && goEqual(item[mergeKey], mergeValue);
      result = result.filter((item) => !matches(item));
      if (backing?.attached) shiftOutMatches(backing, matches);
    } else if (patchType === REPLACE_DIRECTIVE) {
      replace = true;
    } else if (patchType === MERGE_DIRECTIVE) {
      throw new StrategicMergePatchError('merging lists cannot yet be specified in the patch');
    } else {
      throw errBadPatchType(patchType, typedV);
    }
  }
  if (replace) {
    if (backing) backing.attached = false;
    return { original: patchWithoutSpecialElements, patch: [] };
  }
  return { original: result, patch: patchWithoutSpecialElements };
}

/** mergeSliceWithoutSpecialElements: merges patch maps into the original maps with the same merge
 * key value, appending the others. */
function mergeSliceWithoutSpecialElements(
  originalIn: unknown[],
  patch: unknown[],
  mergeKey: string,
  schema: LookupPatchMeta,
  options: MergeOptions,
  depth: number,
  backing: SharedBacking | undefined,
): unknown[] {
  const original = [...originalIn];
  const index = new MergeKeyIndex(original, mergeKey);
  for (const v of patch) {
    const typedV = v as JSONMap;
    if (!has(typedV, mergeKey)) throw errNoMergeKey(typedV, mergeKey);
    const found = index.find(typedV[mergeKey]);
    if (found !== undefined) {
      original[found.index] = mergeMap(found.map, typedV, schema, options, depth + 1);
      if (backing?.attached) backing.arr[found.index] = original[found.index];
    } else {
      original.push(v);
      index.appended();
      if (backing?.attached) {
        if (backing.len < backing.cap) backing.arr[backing.len++] = v;
        else backing.attached = false;
      }
    }
  }
  return original;
}

/** deleteMatchingEntries on the shared backing array: each match shifts the rest down. */
function shiftOutMatches(backing: SharedBacking, matches: (item: unknown) => boolean): void {
  const { arr } = backing;
  for (;;) {
    let i = 0;
    while (i < backing.len && !matches(arr[i])) i++;
    if (i >= backing.len) return;
    for (let k = i; k < backing.len - 1; k++) arr[k] = arr[k + 1];
    backing.len--;
  }
}

/** deleteFromSlice: the primitives of `current` not in `toDelete`. */
function deleteFromSlice(current: unknown[], toDelete: unknown[]): unknown[] {
  const doomed = new Set(toDelete.map(scalarKey));
  return current.filter((v) => !doomed.has(scalarKey(v)));
}

/** deduplicateScalars: each value once (the order is settled by normalizeElementOrder). */
function deduplicateScalars(s: unknown[]): unknown[] {
  const seen = new Set<unknown>();
  const out: unknown[] = [];
  for (const v of s) {
    const k = scalarKey(v);
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(v);
  }
  return out;
}

/** partitionPrimitivesByPresentInList. */
function partitionPrimitivesByPresentInList(original: unknown[], partitionBy: unknown[]): { inList: unknown[]; notInList: unknown[] } {
  const present = new Set(partitionBy.map(scalarKey));
  const inList: unknown[] = [];
  const notInList: unknown[] = [];
  for (const v of original) (present.has(scalarKey(v)) ? inList : notInList).push(v);
  return { inList, notInList };
}

/** partitionMapsByPresentInList. */
function partitionMapsByPresentInList(original: unknown[], partitionBy: unknown[], mergeKey: string): { inList: unknown[]; notInList: unknown[] } {
  const index = new MergeKeyIndex(partitionBy, mergeKey);
  const inList: unknown[] = [];
  const notInList: unknown[] = [];
  for (const v of original) {
    if (!isMap(v)) throw errBadArgType(MAP_TYPE, v);
    if (!has(v, mergeKey)) throw errNoMergeKey(v, mergeKey);
    (index.find(v[mergeKey]) !== undefined ? inList : notInList).push(v);
  }
  return { inList, notInList };
}

// ---- ordering ------------------------------------------------------------------------------

/** `index` of patch.go as a lookup: the position of an item (by merge key for maps), or -1. */
function positionsOf(list: unknown[], mergeKey: string, kind: ElementKind): (item: unknown) => number {
  const valueOf = (item: unknown): unknown => (kind === 'map' ? (isMap(item) && has(item, mergeKey) ? item[mergeKey] : null) : item);
  const first = new Map<unknown, number>();
  for (let i = 0; i < list.length; i++) {
    const v = valueOf(list[i]);
    if (v !== null && typeof v === 'object') continue;
    const k = scalarKey(v);
    if (!first.has(k)) first.set(k, i);
  }
  return (item) => {
    const v = valueOf(item);
    if (v !== null && typeof v === 'object') return -1;
    return first.get(scalarKey(v)) ?? -1;
  };
}

function validateMergeKeyInLists(mergeKey: string, ...lists: unknown[][]): void {
  for (const list of lists) {
    for (const item of list) {
      if (!isMap(item)) throw errBadArgType(MAP_TYPE, item);
      if (!has(item, mergeKey)) throw errNoMergeKey(item, mergeKey);
    }
  }
}

/** extractToDeleteItems: the items without and with `$patch: delete`. */
function extractToDeleteItems(l: unknown[]): { nonDelete: unknown[]; toDelete: unknown[] } {
  const nonDelete: unknown[] = [];
  const toDelete: unknown[] = [];
  for (const v of l) {
    if (!isMap(v)) throw errBadArgType(MAP_TYPE, v);
    if (has(v, DIRECTIVE_MARKER) && v[DIRECTIVE_MARKER] === DELETE_DIRECTIVE) toDelete.push(v);
    else nonDelete.push(v);
  }
  return { nonDelete, toDelete };
}

/** normalizeSliceOrder: sorts `toSort` by the positions in `order` (Go's SliceStable). */
function normalizeSliceOrder(toSortIn: unknown[], order: unknown[], mergeKey: string, kind: ElementKind): unknown[] {
  let toSort = [...toSortIn];
  let toDelete: unknown[] = [];
  if (kind === 'map') {
    validateMergeKeyInLists(mergeKey, toSort, order);
    ({ nonDelete: toSort, toDelete } = extractToDeleteItems(toSort));
  }
  const position = positionsOf(order, mergeKey, kind);
  goSliceStable(toSort, (a, b) => {
    const ia = position(a);
    if (ia >= 0) {
      const ib = position(b);
      if (ib >= 0) return ia < ib;
    }
    return true;
  });
  return [...toSort, ...toDelete];
}

/**
 * normalizeElementOrder: patch items in patch order, server-only items in live order, then the
 * two interleaved by mergeSortedSlice.
 */
function normalizeElementOrder(
  patch: unknown[],
  serverOnly: unknown[],
  patchOrder: unknown[],
  serverOrder: unknown[],
  mergeKey: string,
  kind: ElementKind,
): unknown[] {
  const sortedPatch = normalizeSliceOrder(patch, patchOrder, mergeKey, kind);
  const sortedServerOnly = normalizeSliceOrder(serverOnly, serverOrder, mergeKey, kind);
  return mergeSortedSlice(sortedServerOnly, sortedPatch, serverOrder, mergeKey, kind);
}

/**
 * mergeSortedSlice: inserts each `left` item into `right` before the first item it precedes in
 * the live order, keeping both lists' own relative order.
 */
function mergeSortedSlice(left: unknown[], right: unknown[], serverOrder: unknown[], mergeKey: string, kind: ElementKind): unknown[] {
  const position = positionsOf(serverOrder, mergeKey, kind);
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (i >= left.length) out.push(right[j++]);
    else if (j >= right.length) out.push(left[i++]);
    else {
      const li = position(left[i]);
      const ri = position(right[j]);
      if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++]);
      else out.push(right[j++]);
    }
  }
  return out;
}
