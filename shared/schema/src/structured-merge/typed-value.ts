// Walks over a JSON value and its structured-merge type, as structured-merge-diff's typed
// package: the field set a value sets (ToFieldSet), validation of an applied configuration
// (FromUnstructured's checks), merging an applied configuration into a live object (Merge),
// comparing two objects (Compare) and removing a set of fields (RemoveItems). Values are plain
// JSON; `undefined` stands for "absent". Nesting is bounded by MAX_DEPTH.

import { FieldSet } from './field-set.js';
import { type JSONValue, type Path, type PathElement, goJSONEncode, pathString, serializePathElement } from './path-element.js';
import { DEDUCED, type ListType, type MapType, type TypeNode, UNTYPED_ATOMIC } from './schema-types.js';

/** Deeper values are refused: the walks recurse, and typed objects are a few dozen levels deep
 * (untyped data may go deeper, never this deep in practice). */
export const MAX_DEPTH = 1000;

const isObject = (v: unknown): v is Record<string, JSONValue> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** A ValidationError of the typed package: the path and what is wrong there. */
export interface TypeError_ {
  path: string;
  message: string;
}

/** ValidationErrors.Error(): one error as "path: message", several under "errors:". */
export function formatTypeErrors(errs: readonly TypeError_[]): string {
  const one = (e: TypeError_): string => `${e.path}: ${e.message}`;
  if (errs.length === 1) return one(errs[0]!);
  return ['errors:', ...errs.map((e) => `  ${one(e)}`)].join('\n');
}

export class TypedValueError extends Error {
  constructor(readonly errors: TypeError_[]) {
    super(formatTypeErrors(errors));
  }
}

const DEDUCED_MAP: MapType = { kind: 'map', atomic: false, isStruct: false, field: () => undefined, elementType: DEDUCED, fieldDefault: () => undefined, isRequired: () => false };
const ATOMIC_MAP: MapType = { kind: 'map', atomic: true, isStruct: false, field: () => undefined, elementType: UNTYPED_ATOMIC, fieldDefault: () => undefined, isRequired: () => false };
const ATOMIC_LIST: ListType = { kind: 'list', atomic: true, keys: [], elementType: UNTYPED_ATOMIC };

/** deduceAtom: an untyped value takes the shape of what it holds (maps of deduced values are
 * granular, lists atomic). */
function resolve(t: TypeNode, v: JSONValue): TypeNode {
  if (t.kind !== 'untyped') return t;
  if (isObject(v)) return t.atomic ? ATOMIC_MAP : DEDUCED_MAP;
  if (Array.isArray(v)) return ATOMIC_LIST;
  return { kind: 'scalar', scalar: 'untyped' };
}

function fieldType(t: MapType, name: string): TypeNode {
  return t.field(name) ?? t.elementType ?? DEDUCED;
}

function shapeOf(t: TypeNode): string {
  return t.kind === 'untyped' ? 'scalar' : t.kind;
}

/** listItemToPathElement: how an item of a list is named. */
export function listItemPathElement(t: ListType, item: JSONValue, index: number): PathElement {
  if (t.atomic) return { index };
  if (t.keys.length > 0) {
    if (!isObject(item)) throw new Error('associative list with keys may not have non-map elements');
    const element = t.elementType.kind === 'map' ? t.elementType : undefined;
    const key: [string, JSONValue][] = [];
    for (const name of [...t.keys].sort()) {
      if (Object.hasOwn(item, name) && item[name] !== undefined) key.push([name, item[name]]);
      else {
        const def = element?.fieldDefault(name);
        if (def === undefined) throw new Error(`associative list with keys has an element that omits key field ${JSON.stringify(name)} (and doesn't have default value)`);
        key.push([name, def]);
      }
    }
    return { key };
  }
  if (isObject(item)) throw new Error("associative list without keys has an element that's a map type");
  if (Array.isArray(item)) throw new Error("associative list without keys has an element that's a list type");
  return { value: item };
}

function checkDepth(depth: number): void {
  if (depth > MAX_DEPTH) throw new TypedValueError([{ path: '', message: `value nested more than ${MAX_DEPTH} deep` }]);
}

// ---- validation ---------------------------------------------------------------------------

/** What ObjectToTyped checks: scalar kinds, maps and lists where the schema says, no field a
 * struct does not declare, key fields present, and (unless duplicates are allowed, as for live
 * objects) no two items of an associative list with the same key. */
export function validateValue(v: JSONValue, type: TypeNode, allowDuplicates = false): TypeError_[] {
  const errs: TypeError_[] = [];
  const walk = (value: JSONValue, t0: TypeNode, path: PathElement[], depth: number): void => {
    checkDepth(depth);
    if (value === null || value === undefined) return;
    const t = resolve(t0, value);
    const at = (): string => pathString(path);
    if (t.kind === 'scalar') {
      if (isObject(value) || Array.isArray(value)) errs.push({ path: at(), message: `expected ${t.scalar === 'untyped' ? 'scalar' : t.scalar}, got ${Array.isArray(value) ? 'list' : 'map'}` });
      else if (t.scalar === 'string' && typeof value !== 'string') errs.push({ path: at(), message: `expected string, got ${goJSONEncode(value)}` });
      else if (t.scalar === 'numeric' && typeof value !== 'number') errs.push({ path: at(), message: `expected numeric (int or float), got ${typeof value === 'string' ? 'string' : 'bool'}` });
      else if (t.scalar === 'boolean' && typeof value !== 'boolean') errs.push({ path: at(), message: `expected boolean, got ${goJSONEncode(value)}` });
      return;
    }
    if (t.kind === 'map') {
      if (!isObject(value)) {
        errs.push({ path: at(), message: `expected map, got ${goJSONEncode(value)}` });
        return;
      }
      for (const [k, child] of Object.entries(value)) {
        const declared = t.field(k);
        if (!declared && !t.elementType) {
          errs.push({ path: pathString([...path, { field: k }]), message: 'field not declared in schema' });
          continue;
        }
        walk(child, declared ?? t.elementType!, [...path, { field: k }], depth + 1);
      }
      return;
    }
    if (t.kind === 'list') {
      if (!Array.isArray(value)) {
        errs.push({ path: at(), message: `expected list, got ${goJSONEncode(value)}` });
        return;
      }
      const seen = new Set<string>();
      value.forEach((item, i) => {
        let pe: PathElement;
        try {
          pe = listItemPathElement(t, item, i);
        } catch (err) {
          errs.push({ path: at(), message: `element ${i}: ${(err as Error).message}` });
          return;
        }
        const k = serializePathElement(pe);
        if (!t.atomic && !allowDuplicates && seen.has(k)) {
          errs.push({ path: at(), message: `duplicate entries for key ${pathString([pe]).slice(0)}` });
          return;
        }
        seen.add(k);
        walk(item, t.elementType, [...path, pe], depth + 1);
      });
    }
  };
  walk(v, type, [], 0);
  return errs;
}

// ---- ToFieldSet ---------------------------------------------------------------------------

/** ToFieldSet: every leaf the value sets, every list item, every map entry that is not a declared
 * struct field, and struct fields whose value is null or an empty map. */
export function toFieldSet(v: JSONValue, type: TypeNode): FieldSet {
  const set = new FieldSet();
  const walk = (value: JSONValue, t0: TypeNode, path: PathElement[], depth: number): void => {
    checkDepth(depth);
    const t = resolve(t0, value);
    if (t.kind === 'scalar' || t.kind === 'untyped') {
      set.insert(path);
      return;
    }
    if (t.atomic) {
      set.insert(path);
      return;
    }
    if (t.kind === 'list') {
      if (!Array.isArray(value)) return;
      const pes = value.map((item, i) => safePathElement(t, item, i));
      const counts = new Map<string, number>();
      for (const pe of pes) if (pe) counts.set(serializePathElement(pe), (counts.get(serializePathElement(pe)) ?? 0) + 1);
      const duplicateInserted = new Set<string>();
      value.forEach((item, i) => {
        const pe = pes[i];
        if (!pe) return;
        const k = serializePathElement(pe);
        if (counts.get(k)! > 1) {
          // Duplicated items are owned as a whole, once.
          if (!duplicateInserted.has(k)) set.insert([...path, pe]);
          duplicateInserted.add(k);
          return;
        }
        walk(item, t.elementType, [...path, pe], depth + 1);
        set.insert([...path, pe]);
      });
      return;
    }
    if (!isObject(value)) return;
    for (const [k, child] of Object.entries(value)) {
      const childPath = [...path, { field: k }];
      walk(child, fieldType(t, k), childPath, depth + 1);
      if (child === null || (isObject(child) && Object.keys(child).length === 0) || !t.field(k)) set.insert(childPath);
    }
  };
  walk(v, type, [], 0);
  return set;
}

function safePathElement(t: ListType, item: JSONValue, i: number): PathElement | undefined {
  try {
    return listItemPathElement(t, item, i);
  } catch {
    return undefined;
  }
}

// ---- Merge --------------------------------------------------------------------------------

/** Merge with ruleKeepRHS: the applied configuration (rhs) wins at every leaf; granular maps
 * merge entry by entry; associative lists merge item by item, keeping the live order for items
 * the configuration does not order and the configuration's order for the ones it lists. */
export function mergeValues(lhs: JSONValue, rhs: JSONValue, type: TypeNode): JSONValue {
  const walk = (l: JSONValue, r: JSONValue, t0: TypeNode, depth: number): JSONValue => {
    checkDepth(depth);
    if (r === undefined) return l;
    if (l === undefined) return r;
    const tl = resolve(t0, l);
    const t = resolve(t0, r);
    if (shapeOf(tl) !== shapeOf(t) || (tl.kind === 'map' && t.kind === 'map' && tl.atomic !== t.atomic)) return r;
    if (t.kind === 'scalar' || t.kind === 'untyped') return r;
    if (t.kind === 'list') {
      const la = Array.isArray(l) ? l : [];
      const ra = Array.isArray(r) ? r : [];
      if (t.atomic || (la.length === 0 && ra.length === 0)) return r;
      if (!Array.isArray(l) && !Array.isArray(r)) return r;
      return mergeListItems(t, la, ra, (a, b) => walk(a, b, t.elementType, depth + 1));
    }
    const lm = isObject(l) ? l : undefined;
    const rm = isObject(r) ? r : undefined;
    const empty = (m: Record<string, JSONValue> | undefined): boolean => !m || Object.keys(m).length === 0;
    if (t.atomic || (empty(lm) && empty(rm))) return r;
    if (!lm && !rm) return r;
    const out: Record<string, JSONValue> = {};
    const keys = [...Object.keys(lm ?? {}), ...Object.keys(rm ?? {}).filter((k) => !lm || !Object.hasOwn(lm, k))];
    for (const k of keys) {
      const merged = walk(lm && Object.hasOwn(lm, k) ? lm[k] : undefined, rm && Object.hasOwn(rm, k) ? rm[k] : undefined, fieldType(t, k), depth + 1);
      if (merged !== undefined) defineMember(out, k, merged);
    }
    return Object.keys(out).length > 0 ? out : undefined;
  };
  return walk(lhs, rhs, type, 0);
}

function defineMember(target: Record<string, JSONValue>, key: string, value: JSONValue): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** mergingWalker.visitListItems: walks both lists at once. Items in both are merged where the
 * configuration puts them; items only the live list has stay where they were. */
function mergeListItems(t: ListType, lhs: JSONValue[], rhs: JSONValue[], merge: (l: JSONValue, r: JSONValue) => JSONValue): JSONValue[] {
  const index = (list: JSONValue[], allowDuplicates: boolean): { pes: PathElement[]; observed: Map<string, JSONValue> } => {
    const pes: PathElement[] = [];
    const observed = new Map<string, JSONValue>();
    list.forEach((item, i) => {
      const pe = listItemPathElement(t, item, i);
      const k = serializePathElement(pe);
      if (observed.has(k)) {
        if (!allowDuplicates) throw new TypedValueError([{ path: '', message: `duplicate entries for key ${pathString([pe])}` }]);
        observed.set(k, null);
      } else observed.set(k, item);
      pes.push(pe);
    });
    return { pes, observed };
  };
  const { pes: rhsPEs, observed: observedRHS } = index(rhs, false);
  const { pes: lhsPEs, observed: observedLHS } = index(lhs, true);
  const key = serializePathElement;
  const sharedOrder = rhsPEs.filter((pe) => observedLHS.has(key(pe)));
  let nextShared: PathElement | undefined = sharedOrder.shift();
  const mergedRHS = new Set<string>();
  const out: JSONValue[] = [];
  const push = (v: JSONValue): void => {
    if (v !== undefined) out.push(v);
  };
  for (let lI = 0, rI = 0; lI < lhsPEs.length || rI < rhsPEs.length; ) {
    if (lI < lhsPEs.length && rI < rhsPEs.length) {
      const pe = lhsPEs[lI]!;
      if (key(pe) === key(rhsPEs[rI]!)) {
        mergedRHS.add(key(pe));
        push(merge(observedLHS.get(key(pe)), observedRHS.get(key(pe))));
        lI++;
        rI++;
        nextShared = sharedOrder.shift();
        continue;
      }
      if (observedRHS.has(key(pe)) && nextShared !== undefined && key(nextShared) !== key(pe)) {
        lI++;
        continue;
      }
    }
    if (lI < lhsPEs.length) {
      const pe = lhsPEs[lI]!;
      if (!observedRHS.has(key(pe))) {
        push(merge(lhs[lI], undefined));
        lI++;
        continue;
      } else if (mergedRHS.has(key(pe))) {
        lI++;
      }
    }
    if (rI < rhsPEs.length) {
      const pe = rhsPEs[rI]!;
      mergedRHS.add(key(pe));
      push(merge(observedLHS.get(key(pe)), observedRHS.get(key(pe))));
      rI++;
      if (nextShared !== undefined && key(nextShared) === key(pe)) nextShared = sharedOrder.shift();
    }
  }
  return out;
}

// ---- Compare ------------------------------------------------------------------------------

export interface Comparison {
  added: FieldSet;
  modified: FieldSet;
  removed: FieldSet;
}

function jsonEquals(a: JSONValue, b: JSONValue): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => jsonEquals(x, b[i]));
  if (isObject(a)) {
    if (!isObject(b)) return false;
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && jsonEquals(a[k], b[k]));
  }
  return false;
}
export { jsonEquals as valuesEqual };

/** Struct fields Kubernetes' Go types declare without a pointer (so a present parent always
 * encodes them, empty at worst); the OpenAPI document does not say, the API conventions name
 * them consistently. */
const VALUE_STRUCT_FIELDS = new Set(['metadata', 'spec', 'status', 'template', 'jobTemplate', 'strategy', 'updateStrategy', 'resources', 'loadBalancer']);

/** Whether kube's Go view of a present struct always has this field: a value struct, or a
 * required list or map (encoded as null when empty). */
function zeroPresent(parent: MapType, name: string, child: TypeNode): boolean {
  if (!parent.isStruct || !parent.field(name)) return false;
  if (child.kind === 'map' && child.isStruct) return VALUE_STRUCT_FIELDS.has(name);
  return (child.kind === 'list' || child.kind === 'map') && parent.isRequired(name);
}

/** Compare: leaves added, modified and removed from lhs to rhs; a granular node present on one
 * side only is itself added or removed as well. */
export function compareValues(lhs: JSONValue, rhs: JSONValue, type: TypeNode): Comparison {
  const c: Comparison = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };
  const leaf = (l: JSONValue, r: JSONValue, path: Path): void => {
    if (l === undefined) c.added.insert(path);
    else if (r === undefined) c.removed.insert(path);
    else if (!jsonEquals(l, r)) c.modified.insert(path);
  };
  // implicitL/implicitR: the node exists on that side of kube's comparison even when the JSON
  // lacks it, because kube compares objects converted from Go structs (see zeroPresent).
  const walk = (l: JSONValue, r: JSONValue, t0: TypeNode, path: PathElement[], depth: number, implicitL: boolean, implicitR: boolean): void => {
    checkDepth(depth);
    const tl = l === undefined ? undefined : resolve(t0, l);
    const tr = r === undefined ? undefined : resolve(t0, r);
    const t = tr ?? tl!;
    if (tl && tr && (shapeOf(tl) !== shapeOf(tr) || (tl.kind === 'map' && tr.kind === 'map' && tl.atomic !== tr.atomic))) {
      leaf(l, r, path);
      return;
    }
    let inLeaf = false;
    if (t.kind === 'scalar' || t.kind === 'untyped') {
      leaf(l, r, path);
      inLeaf = true;
    } else if (t.kind === 'list') {
      const la = Array.isArray(l) ? l : undefined;
      const ra = Array.isArray(r) ? r : undefined;
      if (t.atomic || ((la?.length ?? 0) === 0 && (ra?.length ?? 0) === 0)) {
        leaf(l, r, path);
        inLeaf = true;
      } else {
        const lValues = new Map<string, [PathElement, JSONValue]>();
        (la ?? []).forEach((item, i) => {
          const pe = safePathElement(t, item, i);
          if (pe && !lValues.has(serializePathElement(pe))) lValues.set(serializePathElement(pe), [pe, item]);
        });
        const rValues = new Map<string, [PathElement, JSONValue]>();
        (ra ?? []).forEach((item, i) => {
          const pe = safePathElement(t, item, i);
          if (pe && !rValues.has(serializePathElement(pe))) rValues.set(serializePathElement(pe), [pe, item]);
        });
        for (const [k, [pe, item]] of rValues) walk(lValues.get(k)?.[1], item, t.elementType, [...path, pe], depth + 1, false, false);
        for (const [k, [pe, item]] of lValues) if (!rValues.has(k)) walk(item, undefined, t.elementType, [...path, pe], depth + 1, false, false);
      }
    } else {
      const lm = isObject(l) ? l : undefined;
      const rm = isObject(r) ? r : undefined;
      const empty = (m: Record<string, JSONValue> | undefined): boolean => !m || Object.keys(m).length === 0;
      if (t.atomic || (empty(lm) && empty(rm))) {
        leaf(l, r, path);
        inLeaf = true;
      } else {
        const keys = new Set([...Object.keys(lm ?? {}), ...Object.keys(rm ?? {})]);
        for (const k of keys) {
          const child = fieldType(t, k);
          const zero = zeroPresent(t, k, child);
          walk(lm && Object.hasOwn(lm, k) ? lm[k] : undefined, rm && Object.hasOwn(rm, k) ? rm[k] : undefined, child, [...path, { field: k }], depth + 1, zero && (l !== undefined || implicitL), zero && (r !== undefined || implicitR));
        }
      }
    }
    // kube compares objects converted from Go structs, where a struct that is not a pointer and
    // a required list or map are always present (empty at worst): appearing or disappearing,
    // such a node is not itself added or removed.
    if (!inLeaf) {
      if (l === undefined && !implicitL) c.added.insert(path);
      else if (r === undefined && !implicitR) c.removed.insert(path);
    }
  };
  walk(lhs, rhs, type, [], 0, true, true);
  return c;
}

// ---- RemoveItems --------------------------------------------------------------------------

/** RemoveItems: the value without the paths in the set (a removed list item or map entry goes
 * entirely; a node emptied by the removal is dropped). Atomic values are never entered. */
export function removeItems(v: JSONValue, set: FieldSet, type: TypeNode): JSONValue {
  const walk = (value: JSONValue, toRemove: FieldSet, t0: TypeNode, depth: number): JSONValue => {
    checkDepth(depth);
    const t = resolve(t0, value);
    if (t.kind === 'scalar' || t.kind === 'untyped' || t.atomic) return value;
    if (t.kind === 'list') {
      if (!Array.isArray(value) || value.length === 0) return value;
      const out: JSONValue[] = [];
      value.forEach((item, i) => {
        const pe = safePathElement(t, item, i);
        if (!pe) {
          out.push(item);
          return;
        }
        if (toRemove.has([pe])) return;
        const sub = toRemove.withPrefix(pe);
        const kept = sub.isEmpty() ? item : walk(item, sub, t.elementType, depth + 1);
        if (kept !== undefined) out.push(kept);
      });
      return out.length > 0 ? out : undefined;
    }
    if (!isObject(value) || Object.keys(value).length === 0) return value;
    const out: Record<string, JSONValue> = {};
    for (const [k, child] of Object.entries(value)) {
      const pe: PathElement = { field: k };
      if (toRemove.has([pe])) continue;
      const sub = toRemove.withPrefix(pe);
      const kept = sub.isEmpty() ? child : walk(child, sub, fieldType(t, k), depth + 1);
      if (kept !== undefined) defineMember(out, k, kept);
    }
    return Object.keys(out).length > 0 ? out : undefined;
  };
  return walk(v, set, type, 0);
}

/** Set.EnsureNamedFieldsAreMembers: a struct field that only has children in the set becomes a
 * member too, so removing the set removes the field itself once it is emptied. */
export function ensureNamedFieldsAreMembers(set: FieldSet, type: TypeNode | undefined): FieldSet {
  const out = new FieldSet();
  for (const [k, pe] of set.members) out.members.set(k, pe);
  const map = type?.kind === 'map' ? type : type?.kind === 'untyped' ? DEDUCED_MAP : undefined;
  const list = type?.kind === 'list' ? type : undefined;
  for (const [k, node] of set.children) {
    if ('field' in node.pe && map && map.field(node.pe.field)) out.members.set(k, node.pe);
    let childType: TypeNode | undefined;
    if ('field' in node.pe && map) childType = map.field(node.pe.field) ?? map.elementType;
    else if ('key' in node.pe && list) childType = list.elementType;
    out.children.set(k, { pe: node.pe, set: ensureNamedFieldsAreMembers(node.set, childType) });
  }
  return out;
}

/** Set.RecursiveDifference: the set without the other's members and everything below them. */
export function recursiveDifference(set: FieldSet, other: FieldSet): FieldSet {
  const out = new FieldSet();
  for (const [k, pe] of set.members) if (!other.members.has(k)) out.members.set(k, pe);
  for (const [k, node] of set.children) {
    if (other.members.has(k)) continue;
    const o = other.children.get(k);
    const d = o ? recursiveDifference(node.set, o.set) : node.set;
    if (!d.isEmpty()) out.children.set(k, { pe: node.pe, set: d });
  }
  return out;
}
