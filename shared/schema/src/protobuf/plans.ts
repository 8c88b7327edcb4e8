// Per-message conversion plans built from the protobuf descriptor of the built-in types
// (data/kubernetes-1.36-proto.json) joined with the Go struct facts the descriptor lacks
// (data/kubernetes-1.36-go-fields.json: JSON names, inlined structs, pointers, omitempty). A plan
// is built once per message, on first use, and shared by every encode and decode after that.

import { readFileSync } from 'node:fs';
import { dataFile } from '../openapi.js';

export type ScalarType = 'string' | 'bool' | 'int32' | 'int64' | 'bytes';

/** Go types whose JSON form is not their struct's (custom MarshalJSON / named slices). */
export type SpecialKind = 'time' | 'microtime' | 'duration' | 'quantity' | 'intstr' | 'raw' | 'stringlist';

export interface FieldPlan {
  id: number;
  /** Position in MessagePlan.fields. */
  index: number;
  /** Wire type of one scalar value (map values and repeated items included): 0 varint, 2 bytes. */
  valueWire: number;
  /** Field name in the descriptor (the proto name). */
  name: string;
  /** The member name in kube's JSON. */
  json: string;
  /** The Go field name as generated.pb.go's error texts print it. */
  goName: string;
  repeated: boolean;
  /** A map<string, V> field: the key is always a string in kube's types. */
  map: boolean;
  scalar: ScalarType | undefined;
  /** The message type name (fully qualified, no leading dot) when the value is a message. */
  messageName: string | undefined;
  /** Go field is a pointer: present on the wire = set, even when zero. */
  pointer: boolean;
  /** json tag without omitempty: a zero value is written. */
  always: boolean;
  /** json tag with omitzero: a zero struct is left out. */
  omitZero: boolean;
  /** Embedded struct whose fields JSON inlines into the parent object. */
  inline: boolean;
  /** The message's plan, filled in on first use (codec.ts). */
  plan?: MessagePlan;
}

export interface MessagePlan {
  fullName: string;
  /** Go type name without package, for error texts. */
  goName: string;
  special: SpecialKind | undefined;
  /** Fields in Go struct order (the order kube's JSON writes them). */
  fields: FieldPlan[];
  /** Fields in field-number order (the order generated.pb.go writes them). */
  byNumber: FieldPlan[];
  /** Field by number (sparse). */
  byId: Map<number, FieldPlan>;
}

interface DescriptorNode {
  nested?: Record<string, DescriptorNode>;
  fields?: Record<string, { type: string; id: number; rule?: string; keyType?: string }>;
}

interface GoField {
  json?: string;
  inline?: boolean;
  pointer?: boolean;
  always?: boolean;
  omitzero?: boolean;
}

const META = 'k8s.io.apimachinery.pkg.apis.meta.v1';

const SPECIAL: Record<string, SpecialKind> = {
  [`${META}.Time`]: 'time',
  [`${META}.MicroTime`]: 'microtime',
  [`${META}.Duration`]: 'duration',
  [`${META}.FieldsV1`]: 'raw',
  [`${META}.Verbs`]: 'stringlist',
  'k8s.io.apimachinery.pkg.api.resource.Quantity': 'quantity',
  'k8s.io.apimachinery.pkg.api.resource.QuantityValue': 'quantity',
  'k8s.io.apimachinery.pkg.util.intstr.IntOrString': 'intstr',
  'k8s.io.apimachinery.pkg.runtime.RawExtension': 'raw',
};

const SCALARS = new Set(['string', 'bool', 'int32', 'int64', 'bytes']);

let descriptor: DescriptorNode | undefined;
let goFields: Record<string, Record<string, GoField>> | undefined;
const plans = new Map<string, MessagePlan | null>();

function loadData(): void {
  descriptor ??= JSON.parse(readFileSync(dataFile('kubernetes-1.36-proto.json'), 'utf8')) as DescriptorNode;
  goFields ??= JSON.parse(readFileSync(dataFile('kubernetes-1.36-go-fields.json'), 'utf8')) as Record<string, Record<string, GoField>>;
}

function lookup(fullName: string): DescriptorNode | undefined {
  let node: DescriptorNode | undefined = descriptor;
  for (const part of fullName.split('.')) {
    node = node?.nested?.[part];
    if (node === undefined) return undefined;
  }
  return node?.fields ? node : undefined;
}

/** Resolves a field's type reference the way protobuf scoping does (innermost package first). */
function resolveType(ref: string, scope: string): string | undefined {
  if (ref.startsWith('.')) return lookup(ref.slice(1)) ? ref.slice(1) : undefined;
  const parts = scope.split('.');
  for (let i = parts.length; i >= 0; i--) {
    const candidate = [...parts.slice(0, i), ref].join('.');
    if (lookup(candidate)) return candidate;
  }
  return undefined;
}

function goFieldName(protoName: string): string {
  return protoName.length === 0 ? protoName : protoName[0]!.toUpperCase() + protoName.slice(1);
}

/** The plan of a message by full name ("k8s.io.api.core.v1.ConfigMap"), or undefined when the
 * descriptor has no such message. */
export function messagePlan(fullName: string): MessagePlan | undefined {
  const cached = plans.get(fullName);
  if (cached !== undefined) return cached ?? undefined;
  loadData();
  const node = lookup(fullName);
  if (!node) {
    plans.set(fullName, null);
    return undefined;
  }
  const scope = fullName.slice(0, fullName.lastIndexOf('.'));
  const facts = goFields![fullName] ?? {};
  const fields: FieldPlan[] = [];
  for (const [name, f] of Object.entries(node.fields!)) {
    const fact = facts[name] ?? {};
    const scalar = SCALARS.has(f.type) ? (f.type as ScalarType) : undefined;
    const messageName = scalar ? undefined : resolveType(f.type, fullName) ?? resolveType(f.type, scope);
    if (!scalar && !messageName) throw new Error(`protobuf descriptor: ${fullName}.${name} has unknown type ${f.type}`);
    fields.push({
      id: f.id,
      index: fields.length,
      valueWire: scalar === undefined || scalar === 'string' || scalar === 'bytes' ? 2 : 0,
      name,
      json: fact.json ?? name,
      goName: goFieldName(name),
      repeated: f.rule === 'repeated',
      map: f.keyType !== undefined,
      scalar,
      messageName,
      pointer: fact.pointer === true,
      always: fact.always === true,
      omitZero: fact.omitzero === true,
      inline: fact.inline === true,
    });
  }
  let special = SPECIAL[fullName];
  // `type ExtraValue []string` in authentication, authorization and certificates.
  if (special === undefined && fullName.endsWith('.ExtraValue') && fields.length === 1 && fields[0]!.repeated) special = 'stringlist';
  const plan: MessagePlan = {
    fullName,
    goName: fullName.slice(fullName.lastIndexOf('.') + 1),
    special,
    fields,
    byNumber: [...fields].sort((a, b) => a.id - b.id),
    byId: new Map(fields.map((f) => [f.id, f])),
  };
  plans.set(fullName, plan);
  return plan;
}

/** The proto package of an API group ("" -> core, "rbac.authorization.k8s.io" -> rbac). */
function apiPackage(group: string): string {
  if (group === '') return 'core';
  if (group === 'internal.apiserver.k8s.io') return 'apiserverinternal';
  const dot = group.indexOf('.');
  return dot < 0 ? group : group.slice(0, dot);
}

/** The message that carries a group/version/kind on the wire, if the descriptor has one. Kinds of
 * meta.k8s.io (and Status, the options and WatchEvent, which every group version registers) map to
 * apimachinery's meta/v1 messages. */
export function messageNameForKind(group: string, version: string, kind: string): string | undefined {
  const key = `${group}/${version}/${kind}`;
  const cached = byKind.get(key);
  if (cached !== undefined || byKind.has(key)) return cached;
  const found = findMessageForKind(group, version, kind);
  // Bounded: kinds come from requests, so only found ones (a fixed set) are remembered.
  if (found !== undefined) byKind.set(key, found);
  return found;
}

const byKind = new Map<string, string | undefined>();

function findMessageForKind(group: string, version: string, kind: string): string | undefined {
  const candidates: string[] = [];
  if (group === 'meta.k8s.io') candidates.push(`k8s.io.apimachinery.pkg.apis.meta.${version}.${kind}`, `${META}.${kind}`);
  else {
    candidates.push(`k8s.io.api.${apiPackage(group)}.${version}.${kind}`);
    if (META_KINDS.has(kind)) candidates.push(`${META}.${kind}`);
  }
  for (const c of candidates) if (messagePlan(c)) return c;
  return undefined;
}

/** Kinds of meta/v1 that kube's scheme registers in every group version (AddToGroupVersion). */
const META_KINDS = new Set(['Status', 'WatchEvent', 'DeleteOptions', 'CreateOptions', 'UpdateOptions', 'PatchOptions', 'GetOptions', 'ListOptions', 'List']);
