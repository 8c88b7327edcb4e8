// Types for structured merge, compiled from the OpenAPI v2 definitions as kube-openapi's
// schemaconv (ToSchemaFromOpenAPI) does for the apiserver's type converter:
// - arrays: x-kubernetes-list-type atomic | set | map (+ x-kubernetes-list-map-keys); without a
//   list type, x-kubernetes-patch-strategy merge makes the list associative (keyed by
//   x-kubernetes-patch-merge-key, or a set of scalars without one), retainKeys or nothing atomic;
// - objects with properties are structs (granular unless x-kubernetes-map-type atomic), with
//   additionalProperties maps, with neither (RawExtension, JSON) untyped;
// - int-or-string and schemas without a type are untyped scalars/"deduced" values.
// Each schema object is compiled once (cached by identity); children resolve lazily so the
// recursive definitions (JSONSchemaProps) are fine.

import { definitions, resolveRef } from '../openapi.js';
import type { SchemaObject } from '../types.js';

export type ScalarKind = 'string' | 'numeric' | 'boolean' | 'untyped';

export type TypeNode = ScalarType | MapType | ListType | UntypedType;

export interface ScalarType {
  readonly kind: 'scalar';
  readonly scalar: ScalarKind;
}

export interface MapType {
  readonly kind: 'map';
  /** Whether the map is one value (x-kubernetes-map-type atomic). */
  readonly atomic: boolean;
  /** Declared fields (structs); undefined for plain maps. */
  field(name: string): TypeNode | undefined;
  readonly isStruct: boolean;
  /** The type of undeclared entries; undefined: such entries are errors (structs). */
  readonly elementType: TypeNode | undefined;
  /** A declared field's schema default (associative-list keys may be defaulted). */
  fieldDefault(name: string): unknown;
  /** Whether a declared field is required (Go encodes such lists and maps even when empty). */
  isRequired(name: string): boolean;
}

export interface ListType {
  readonly kind: 'list';
  readonly atomic: boolean;
  /** Associative lists: the key fields ([] for a set of scalars). */
  readonly keys: readonly string[];
  readonly elementType: TypeNode;
}

/** schemaconv's __untyped_deduced_: scalars, maps of deduced values (granular), atomic lists. */
export interface UntypedType {
  readonly kind: 'untyped';
  /** __untyped_atomic_: maps and lists are single values. */
  readonly atomic: boolean;
}

export const DEDUCED: UntypedType = { kind: 'untyped', atomic: false };
export const UNTYPED_ATOMIC: UntypedType = { kind: 'untyped', atomic: true };
const STRING: ScalarType = { kind: 'scalar', scalar: 'string' };
const NUMERIC: ScalarType = { kind: 'scalar', scalar: 'numeric' };
const BOOLEAN: ScalarType = { kind: 'scalar', scalar: 'boolean' };
const UNTYPED_SCALAR: ScalarType = { kind: 'scalar', scalar: 'untyped' };

const compiled = new WeakMap<SchemaObject, TypeNode>();

/** Defaults of list-map key fields that the published v2 document lacks (Go's +default markers,
 * which the apiserver's own models carry): a port without a protocol is keyed as TCP. */
const KEY_DEFAULTS: Record<string, Record<string, unknown>> = {
  'io.k8s.api.core.v1.ContainerPort': { protocol: 'TCP' },
  'io.k8s.api.core.v1.ServicePort': { protocol: 'TCP' },
};

/** The structured-merge type of a schema object (a `$ref` is followed). */
export function typeOfSchema(schema: SchemaObject): TypeNode {
  let node = compiled.get(schema);
  if (!node) {
    node = compile(schema);
    compiled.set(schema, node);
  }
  return node;
}

/** The type of a definition by name ("io.k8s.api.apps.v1.Deployment"), or undefined. */
export function typeOfDefinition(name: string): TypeNode | undefined {
  const schema = definitions()[name];
  return schema ? typeOfSchema(schema) : undefined;
}

/** The definition name of a kind in the built-in OpenAPI document, from its
 * x-kubernetes-group-version-kind (several names can carry it; the first wins). */
let kindIndex: Map<string, string> | undefined;
export function definitionNameOfKind(group: string, version: string, kind: string): string | undefined {
  if (!kindIndex) {
    kindIndex = new Map();
    for (const [name, schema] of Object.entries(definitions())) {
      for (const gvk of schema['x-kubernetes-group-version-kind'] ?? []) {
        const k = `${gvk.group}/${gvk.version}/${gvk.kind}`;
        if (!kindIndex.has(k)) kindIndex.set(k, name);
      }
    }
  }
  return kindIndex.get(`${group}/${version}/${kind}`);
}

function deref(schema: SchemaObject): SchemaObject {
  let s = schema;
  for (let i = 0; i < 8; i++) {
    if (s.$ref) {
      const target = resolveRef(s.$ref);
      if (!target) return {};
      s = target;
    } else if (!s.type && !s.properties && s.allOf?.length === 1) {
      s = s.allOf[0]!;
    } else {
      return s;
    }
  }
  return s;
}

function compile(original: SchemaObject): TypeNode {
  // Extensions may sit next to a $ref (the referring property) — list and map types then win.
  const schema = deref(original);
  const ext = (name: string): unknown => original[name] ?? schema[name];
  const definition = original.$ref?.startsWith('#/definitions/') ? original.$ref.slice('#/definitions/'.length) : '';
  if (schema['x-kubernetes-int-or-string'] || schema.format === 'int-or-string') return UNTYPED_SCALAR;
  switch (schema.type) {
    case 'string':
      return STRING;
    case 'integer':
    case 'number':
      return NUMERIC;
    case 'boolean':
      return BOOLEAN;
    case 'array':
      return compileList(schema, ext);
    case 'object':
    case undefined:
      break;
    default:
      return DEDUCED;
  }
  const atomic = ext('x-kubernetes-map-type') === 'atomic';
  const preserve = schema['x-kubernetes-preserve-unknown-fields'] === true;
  if (schema.properties) {
    const props = schema.properties;
    const fields = new Map<string, TypeNode>();
    const additional = typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined;
    return {
      kind: 'map',
      atomic,
      isStruct: true,
      field(name: string): TypeNode | undefined {
        if (!Object.hasOwn(props, name)) return undefined;
        let t = fields.get(name);
        if (!t) {
          t = typeOfSchema(props[name]!);
          fields.set(name, t);
        }
        return t;
      },
      get elementType(): TypeNode | undefined {
        if (additional) return typeOfSchema(additional);
        return preserve ? DEDUCED : undefined;
      },
      fieldDefault(name: string): unknown {
        if (!Object.hasOwn(props, name)) return undefined;
        return props[name]!.default ?? deref(props[name]!).default ?? KEY_DEFAULTS[definition]?.[name];
      },
      isRequired: (name: string): boolean => schema.required?.includes(name) ?? false,
    };
  }
  if (typeof schema.additionalProperties === 'object') {
    const additional = schema.additionalProperties;
    return {
      kind: 'map',
      atomic,
      isStruct: false,
      field: () => undefined,
      get elementType(): TypeNode {
        return typeOfSchema(additional);
      },
      fieldDefault: () => undefined,
      isRequired: () => false,
    };
  }
  return atomic ? UNTYPED_ATOMIC : DEDUCED;
}

function compileList(schema: SchemaObject, ext: (name: string) => unknown): TypeNode {
  const items = schema.items ?? {};
  let atomic = true;
  let keys: string[] = [];
  const listType = ext('x-kubernetes-list-type');
  if (listType === 'set') atomic = false;
  else if (listType === 'map') {
    atomic = false;
    const mapKeys = ext('x-kubernetes-list-map-keys');
    keys = Array.isArray(mapKeys) ? mapKeys.filter((k): k is string => typeof k === 'string') : [];
  } else if (listType === undefined) {
    const strategy = ext('x-kubernetes-patch-strategy');
    if (strategy === 'merge' || strategy === 'merge,retainKeys') {
      atomic = false;
      const key = ext('x-kubernetes-patch-merge-key');
      if (typeof key === 'string') keys = [key];
    }
  }
  let element: TypeNode | undefined;
  return {
    kind: 'list',
    atomic,
    keys,
    get elementType(): TypeNode {
      element ??= typeOfSchema(items);
      return element;
    },
  };
}
