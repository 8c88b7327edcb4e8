// fieldpath.Set: a set of paths stored as a tree. `members` are the path elements that end a path
// at this node; `children` the ones that continue below it (a path element may be both, which
// fieldsV1 writes as `".": {}` inside the child). Elements are indexed by their serialized form,
// which is canonical (key fields sorted), and sorted with PathElement.Compare when listed.

import {
  type Path,
  type PathElement,
  PathElementError,
  UNKNOWN_PATH_ELEMENT,
  comparePathElements,
  deserializePathElement,
  serializePathElement,
} from './path-element.js';

/** How deep a fieldsV1 document may nest (objects are far shallower; this bounds recursion). */
export const MAX_FIELDS_DEPTH = 1000;

interface ChildNode {
  pe: PathElement;
  set: FieldSet;
}

const byElement = (a: { pe: PathElement }, b: { pe: PathElement }): number => comparePathElements(a.pe, b.pe);

export class FieldSet {
  readonly members = new Map<string, PathElement>();
  readonly children = new Map<string, ChildNode>();

  static of(...paths: Path[]): FieldSet {
    const set = new FieldSet();
    for (const p of paths) set.insert(p);
    return set;
  }

  isEmpty(): boolean {
    if (this.members.size > 0) return false;
    for (const child of this.children.values()) if (!child.set.isEmpty()) return false;
    return true;
  }

  /** The child set under one element (created when absent). */
  descend(pe: PathElement, serialized?: string): FieldSet {
    const k = serialized ?? serializePathElement(pe);
    let node = this.children.get(k);
    if (!node) {
      node = { pe, set: new FieldSet() };
      this.children.set(k, node);
    }
    return node.set;
  }

  insert(path: Path): void {
    if (path.length === 0) return;
    let set: FieldSet = this;
    for (let i = 0; i < path.length - 1; i++) set = set.descend(path[i]!);
    const last = path[path.length - 1]!;
    set.members.set(serializePathElement(last), last);
  }

  has(path: Path): boolean {
    if (path.length === 0) return false;
    let set: FieldSet | undefined = this;
    for (let i = 0; i < path.length - 1 && set; i++) set = set.children.get(serializePathElement(path[i]!))?.set;
    return set !== undefined && set.members.has(serializePathElement(path[path.length - 1]!));
  }

  /** WithPrefix: the paths below one element, relative to it (empty when none). */
  withPrefix(pe: PathElement): FieldSet {
    return this.children.get(serializePathElement(pe))?.set ?? new FieldSet();
  }

  union(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [k, pe] of this.members) out.members.set(k, pe);
    for (const [k, pe] of other.members) out.members.set(k, pe);
    for (const [k, node] of this.children) {
      const o = other.children.get(k);
      out.children.set(k, { pe: node.pe, set: o ? node.set.union(o.set) : node.set });
    }
    for (const [k, node] of other.children) if (!this.children.has(k)) out.children.set(k, node);
    return out;
  }

  intersection(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [k, pe] of this.members) if (other.members.has(k)) out.members.set(k, pe);
    for (const [k, node] of this.children) {
      const o = other.children.get(k);
      if (!o) continue;
      const i = node.set.intersection(o.set);
      if (!i.isEmpty()) out.children.set(k, { pe: node.pe, set: i });
    }
    return out;
  }

  difference(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [k, pe] of this.members) if (!other.members.has(k)) out.members.set(k, pe);
    for (const [k, node] of this.children) {
      const o = other.children.get(k);
      if (!o) {
        out.children.set(k, node);
        continue;
      }
      const d = node.set.difference(o.set);
      if (!d.isEmpty()) out.children.set(k, { pe: node.pe, set: d });
    }
    return out;
  }

  equals(other: FieldSet): boolean {
    return this.difference(other).isEmpty() && other.difference(this).isEmpty();
  }

  /** Every path in the set, in PathElement order (members of a node before its children's). */
  paths(): Path[] {
    const out: Path[] = [];
    const walk = (set: FieldSet, prefix: PathElement[]): void => {
      for (const pe of [...set.members.values()].sort(comparePathElements)) out.push([...prefix, pe]);
      for (const node of [...set.children.values()].sort(byElement)) walk(node.set, [...prefix, node.pe]);
    };
    walk(this, []);
    return out;
  }

  /** Leaves: the paths with nothing below them in the set. */
  leaves(): Path[] {
    return this.paths().filter((p) => this.withPath(p).isEmpty());
  }

  private withPath(path: Path): FieldSet {
    let set: FieldSet | undefined = this;
    for (const pe of path) {
      set = set.children.get(serializePathElement(pe))?.set;
      if (!set) return new FieldSet();
    }
    return set;
  }

  /** Set.ToJSON's document (emitContentsV1): members and children merged in PathElement order;
   * an element that is both writes `".": {}` first in its object. JS objects keep the insertion
   * order of these (non-numeric) keys, so JSON.stringify reproduces kube's bytes. */
  toFieldsV1(): Record<string, unknown> {
    return this.emit(false);
  }

  private emit(includeSelf: boolean): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    type Entry = { pe: PathElement; member: boolean; child?: FieldSet };
    const entries = new Map<string, Entry>();
    for (const [k, pe] of this.members) entries.set(k, { pe, member: true });
    for (const [k, node] of this.children) {
      if (node.set.isEmpty()) continue;
      const e = entries.get(k);
      if (e) e.child = node.set;
      else entries.set(k, { pe: node.pe, member: false, child: node.set });
    }
    if (includeSelf && entries.size > 0) out['.'] = {};
    for (const e of [...entries.values()].sort(byElement)) {
      const name = serializePathElement(e.pe);
      const value = e.child ? e.child.emit(e.member) : {};
      Object.defineProperty(out, name, { value, enumerable: true, writable: true, configurable: true });
    }
    return out;
  }

  /** Set.FromJSON over a decoded fieldsV1 document. Unknown element kinds are dropped; anything
   * else that does not parse throws a FieldsV1Error. */
  static fromFieldsV1(doc: unknown): FieldSet {
    if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new FieldsV1Error('ReadMapCB: expect { or n, but found something else');
    const { children } = readV1(doc as Record<string, unknown>, 0);
    return children ?? new FieldSet();
  }
}

export class FieldsV1Error extends Error {}

function readV1(doc: Record<string, unknown>, depth: number): { children: FieldSet | undefined; isMember: boolean } {
  if (depth > MAX_FIELDS_DEPTH) throw new FieldsV1Error('fieldsV1 nested too deeply');
  let children: FieldSet | undefined;
  let isMember = false;
  for (const [key, value] of Object.entries(doc)) {
    if (key === '.') {
      isMember = true;
      continue;
    }
    let pe: ReturnType<typeof deserializePathElement>;
    try {
      pe = deserializePathElement(key);
    } catch (err) {
      if (err instanceof PathElementError) throw new FieldsV1Error(`parsing key as path element: ${err.message}`);
      throw err;
    }
    if (pe === UNKNOWN_PATH_ELEMENT) continue;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new FieldsV1Error(`ReadMapCB: expect { or n, but found something else at ${JSON.stringify(key)}`);
    const sub = readV1(value as Record<string, unknown>, depth + 1);
    // A field's member name is already its canonical form; keys and values are re-serialized.
    const canonical = 'field' in pe ? key : serializePathElement(pe);
    if (sub.isMember) {
      children ??= new FieldSet();
      children.members.set(canonical, pe);
    }
    if (sub.children) {
      children ??= new FieldSet();
      const target = children.descend(pe, canonical);
      for (const [k, v] of sub.children.members) target.members.set(k, v);
      for (const [k, v] of sub.children.children) target.children.set(k, v);
    }
  }
  // readIterV1: a node with no children it understands is itself a member.
  return { children, isMember: isMember || children === undefined };
}
