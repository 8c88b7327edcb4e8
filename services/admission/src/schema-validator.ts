// Decoding and structural validation of built-in objects against the OpenAPI v2 definitions,
// reproducing what kube-apiserver's JSON decoder (sigs.k8s.io/json over encoding/json, decoding
// into the Go structs) does to a request body:
//
//  - JSON type mismatches: the first one is reported, in Go's words (`json: cannot unmarshal
//    string into Go struct field DeploymentSpec.spec.replicas of type int32`); types with their
//    own UnmarshalJSON (Quantity, IntOrString, Time, MicroTime) fail with their own texts and stop
//    decoding at once, as a returned (not saved) error does in Go.
//  - Unknown fields: always dropped (a Go struct has nowhere to keep them); reported as strict
//    errors (`unknown field "spec.foo"`, path with list indices) under Strict, as warnings under
//    Warn, not at all under Ignore. At most 100, deduplicated, as sigs.k8s.io/json collects them.
//  - Canonical forms Go's encoder writes back: quantities ("0.5" -> "500m"), times (UTC,
//    RFC3339), base64 of []byte, JSON null of a field (dropped when optional, the zero value when
//    the field is required, i.e. has no omitempty).
//  - `required` (422 `Required value`) and `enum` (422 `Unsupported value`), collected as field
//    errors for the chain to report after mutation. ObjectMeta is only type-checked (storage
//    validates it), and so is the top-level status unless the status subresource is written
//    (the main resource's status is reset or ignored by the strategy).
//
// Each definition is compiled once into closures; one decode is one walk over the object, which
// is changed in place.

import {
  type FieldError,
  type FieldPath,
  fieldPath,
  goQuote,
  newBadRequest,
  notSupported,
  required,
  type StatusError,
} from '@kapi/apimachinery';
import type { SchemaObject } from '@kapi/schema';
import { decodeGoBase64, encodeGoBase64 } from './go-base64.js';
import { RFC3339, RFC3339_MICRO, parseGoTime, type TimeLayout } from './go-time.js';
import { NAMED_FIELD_TYPES, goNamedType, goStructName, jsonValueKind, quantityMapType } from './go-types.js';
import { parseQuantity } from '@kapi/apimachinery';

/** The fieldValidation request parameter (`Warn` when the request leaves it empty). */
export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

/** Most strict errors sigs.k8s.io/json keeps. */
export const MAX_STRICT_ERRORS = 100;

export interface DecodeOptions {
  fieldValidation: FieldValidation;
  /** Enforce required/enum inside the top-level `status` (writes to the status subresource). */
  checkStatus?: boolean;
  /**
   * The kind and version the body names (kube puts them in the 400 message: `Deployment in
   * version "v1" cannot be handled as a Deployment: ...`). An empty kind gives kube's
   * "the object provided is unrecognized" form, which quotes the start of `body`.
   */
  kind: string;
  version: string;
  body?: Uint8Array;
}

export interface DecodeResult {
  /** The decoded object (the input, changed in place, unless the root itself was replaced). */
  object: unknown;
  /** Whether decoding changed anything (pruned, canonicalised, nulls resolved). */
  changed: boolean;
  /** `unknown field "..."` warnings (fieldValidation=Warn). */
  warnings: string[];
  /** Required and enum violations, in document order; reported by the caller as 422 Invalid. */
  fieldErrors: FieldError[];
}

/** A decoded type: decode() walks one object of it. */
export interface CompiledKind {
  readonly definition: string;
  decode(object: unknown, options: DecodeOptions): DecodeResult;
}

// ---- walk state ---------------------------------------------------------------------------------

const SEG_FIELD = 0;
const SEG_INDEX = 1;
const SEG_KEY = 2;

/** A decode error that ends the walk (Go returns it instead of saving it). */
class FatalDecode {
  constructor(readonly message: string) {}
}

class WalkState {
  /** The path of the value being walked: struct fields, list indices and map keys. */
  readonly segs: (string | number)[] = [];
  readonly kinds: number[] = [];
  /** First saved (non-fatal) decode error, already rendered. */
  savedError: string | undefined;
  readonly strictErrors: string[] = [];
  private readonly seenStrict = new Set<string>();
  readonly fieldErrors: FieldError[] = [];
  changed = false;
  /** Required/enum checks apply in the current subtree. */
  checks = true;

  constructor(
    /** Collect unknown-field paths (Strict and Warn). */
    readonly collectUnknown: boolean,
    readonly checkStatus: boolean,
  ) {}

  push(kind: number, seg: string | number): void {
    this.segs.push(seg);
    this.kinds.push(kind);
  }

  pop(): void {
    this.segs.pop();
    this.kinds.pop();
  }

  /** encoding/json's error context: struct field names only, no indices or map keys. */
  private goFieldStack(): string {
    let out = '';
    for (let i = 0; i < this.segs.length; i++) {
      if (this.kinds[i] !== SEG_FIELD) continue;
      out += out.length > 0 ? '.' + String(this.segs[i]) : String(this.segs[i]);
    }
    return out;
  }

  /** An UnmarshalTypeError's text at the current position. */
  typeErrorText(value: string, goType: string, owner: string): string {
    const field = this.goFieldStack();
    if (owner === '' && field === '') return `json: cannot unmarshal ${value} into Go value of type ${goType}`;
    return `json: cannot unmarshal ${value} into Go struct field ${owner}.${field} of type ${goType}`;
  }

  /** d.saveError(&UnmarshalTypeError{...}): only the first one counts. */
  typeError(value: string, goType: string, owner: string): void {
    this.savedError ??= this.typeErrorText(value, goType, owner);
  }

  /** d.saveError(err) for an error without type context (bad base64). */
  saveError(text: string): void {
    this.savedError ??= text;
  }

  fatal(text: string): never {
    throw new FatalDecode(text);
  }

  /** sigs.k8s.io/json's strict path: `spec.containers[0].foo` (map keys joined with dots). */
  private strictPath(last: string): string {
    let out = '';
    for (let i = 0; i < this.segs.length; i++) {
      if (this.kinds[i] === SEG_INDEX) out += `[${this.segs[i]}]`;
      else out += out.length > 0 ? '.' + String(this.segs[i]) : String(this.segs[i]);
    }
    return out.length > 0 ? `${out}.${last}` : last;
  }

  unknownField(key: string): void {
    if (!this.collectUnknown || this.strictErrors.length >= MAX_STRICT_ERRORS) return;
    const text = `unknown field ${goQuote(this.strictPath(key))}`;
    if (this.seenStrict.has(text)) return;
    this.seenStrict.add(text);
    this.strictErrors.push(text);
  }

  /** field.Path of the current position, extended by `child` when given. */
  fieldPath(child?: string): FieldPath {
    let p: FieldPath | undefined;
    for (let i = 0; i < this.segs.length; i++) {
      const seg = this.segs[i]!;
      switch (this.kinds[i]) {
        case SEG_FIELD:
          p = p ? p.child(String(seg)) : fieldPath(String(seg));
          break;
        case SEG_INDEX:
          p = p ? p.index(seg as number) : fieldPath(`[${seg}]`);
          break;
        default:
          p = p ? p.key(String(seg)) : fieldPath(`[${seg}]`);
      }
    }
    if (child !== undefined) p = p ? p.child(child) : fieldPath(child);
    return p ?? fieldPath('');
  }
}

// ---- compiled nodes -----------------------------------------------------------------------------

/** Walks one value; returns the value to keep (the same one, or its canonical replacement). */
type WalkFn = (value: unknown, st: WalkState, owner: string) => unknown;

interface Node {
  /** Set after compilation, so that recursive definitions can refer to a node being compiled. */
  walk: WalkFn;
  /** What Go's reflect prints for the type (in type errors). */
  readonly goType: string;
  /** What Go's encoder writes for the zero value of the type; a struct's zero is walked. */
  zero(): unknown;
  readonly isStruct: boolean;
}

interface Prop {
  readonly node: Node;
  readonly required: boolean;
  readonly hasDefault: boolean;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The text Go puts after "number " for a value it cannot store (the literal as written). */
function numberText(n: number): string {
  return String(n).replace('e+', 'e');
}

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
const INT64_LIMIT = 9223372036854775808; // 2^63, exclusive upper bound

const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
const TIME = 'io.k8s.apimachinery.pkg.apis.meta.v1.Time';
const MICRO_TIME = 'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime';
const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';

/**
 * Definitions whose values are kept as they are. RawExtension, FieldsV1 and JSON keep any JSON
 * (their UnmarshalJSON stores the raw bytes). The JSONSchemaPropsOr* unions decode a schema or a
 * list with a nested, non-strict json.Unmarshal; kapi keeps them whole rather than re-implementing
 * that second decoder, so unknown fields inside them are kept where kube drops them silently.
 */
const FREE_FORM = new Set([
  'io.k8s.apimachinery.pkg.runtime.RawExtension',
  'io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1',
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSON',
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrArray',
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrBool',
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrStringArray',
]);

/** Go type names of the special definitions (as elements of maps and lists). */
const SPECIAL_GO_TYPES: Record<string, string> = {
  [QUANTITY]: 'resource.Quantity',
  [INT_OR_STRING]: 'intstr.IntOrString',
  'io.k8s.apimachinery.pkg.runtime.RawExtension': 'runtime.RawExtension',
};

function refName(ref: string): string | undefined {
  const prefix = '#/definitions/';
  return ref.startsWith(prefix) ? ref.slice(prefix.length) : undefined;
}

const anyNode: Node = {
  walk: (v) => v,
  goType: 'interface {}',
  zero: () => null,
  isStruct: false,
};

/** Where an inline schema sits: its definition, and the Go type the named-type table gives it. */
interface Site {
  definition: string;
  goType?: string;
}

/** Compiles OpenAPI v2 definitions into decoders, each definition once. */
export class SchemaValidator {
  private readonly compiled = new Map<string, Node>();
  private readonly kinds = new Map<string, CompiledKind>();
  private gvkIndex: Map<string, string> | undefined;

  constructor(private readonly definitions: Readonly<Record<string, SchemaObject>>) {}

  /** The definition that declares group/version/kind (x-kubernetes-group-version-kind). */
  definitionFor(group: string, version: string, kind: string): string | undefined {
    if (!this.gvkIndex) {
      this.gvkIndex = new Map();
      for (const [name, def] of Object.entries(this.definitions)) {
        for (const gvk of def['x-kubernetes-group-version-kind'] ?? []) {
          const key = `${gvk.group}/${gvk.version}/${gvk.kind}`;
          if (!this.gvkIndex.has(key)) this.gvkIndex.set(key, name);
        }
      }
    }
    return this.gvkIndex.get(`${group}/${version}/${kind}`);
  }

  /** The decoder of a definition, or undefined when the document does not have it. */
  forDefinition(definition: string): CompiledKind | undefined {
    const cached = this.kinds.get(definition);
    if (cached) return cached;
    if (!Object.hasOwn(this.definitions, definition)) return undefined;
    const node = this.definitionNode(definition);
    const kind: CompiledKind = {
      definition,
      decode: (object, options) => decodeWith(node, definition, object, options),
    };
    this.kinds.set(definition, kind);
    return kind;
  }

  /** The decoder for a group/version/kind, or undefined for kinds without a definition. */
  forKind(group: string, version: string, kind: string): CompiledKind | undefined {
    const definition = this.definitionFor(group, version, kind);
    return definition === undefined ? undefined : this.forDefinition(definition);
  }

  // ---- compilation ------------------------------------------------------------------------------

  private definitionNode(name: string): Node {
    const cached = this.compiled.get(name);
    if (cached) return cached;
    const def = this.definitions[name];
    let node: Node;
    if (!def || FREE_FORM.has(name)) node = anyNode;
    else if (name === QUANTITY) node = quantityNode();
    else if (name === INT_OR_STRING) node = intOrStringNode();
    else if (name === TIME) node = timeNode(RFC3339);
    else if (name === MICRO_TIME) node = timeNode(RFC3339_MICRO);
    else if (def.properties || def.type === 'object') {
      if (!def.properties && def['x-kubernetes-preserve-unknown-fields']) node = anyNode;
      else {
        // Register before compiling the properties: definitions may refer to themselves.
        const struct = structShell(goNamedType(name));
        this.compiled.set(name, struct);
        this.fillStruct(struct, def, name, goStructName(name), name === OBJECT_META);
        return struct;
      }
    } else node = this.schemaNode(def, { definition: name });
    this.compiled.set(name, node);
    return node;
  }

  private fillStruct(node: Node, schema: SchemaObject, definition: string, structName: string, noChecks: boolean): void {
    const props = new Map<string, Prop>();
    const requiredSet = new Set(schema.required ?? []);
    for (const [key, propSchema] of Object.entries(schema.properties ?? {})) {
      const site: Site = { definition };
      const named = NAMED_FIELD_TYPES.get(`${definition}.${key}`);
      if (named !== undefined) site.goType = named;
      props.set(key, {
        node: this.schemaNode(propSchema, site),
        required: requiredSet.has(key),
        hasDefault: propSchema.default !== undefined,
      });
    }
    // A required field that has a default is never missing: the defaulter fills it in.
    const requiredList = [...requiredSet].filter((r) => !props.get(r)?.hasDefault);
    const preserveUnknown = schema['x-kubernetes-preserve-unknown-fields'] === true;
    node.walk = structWalk(node.goType, structName, props, requiredList, preserveUnknown, noChecks);
  }

  private schemaNode(schema: SchemaObject, site: Site): Node {
    if (schema.$ref) {
      const name = refName(schema.$ref);
      return name === undefined ? anyNode : this.definitionNode(name);
    }
    if (schema.allOf && schema.allOf.length === 1 && schema.allOf[0]) return this.schemaNode(schema.allOf[0], site);
    if (schema['x-kubernetes-int-or-string'] === true || schema.format === 'int-or-string') return intOrStringNode();
    const enumValues = Array.isArray(schema.enum) && schema.enum.length > 0 ? schema.enum : undefined;
    switch (schema.type) {
      case 'object': {
        if (schema.properties) {
          const struct = structShell(site.goType ?? 'struct {}');
          this.fillStruct(struct, schema, site.definition, goStructName(site.definition), false);
          return struct;
        }
        const ap = schema.additionalProperties;
        if (ap !== undefined && ap !== false) {
          if (ap === true) return mapNode(anyNode, site.goType ?? 'map[string]interface {}');
          const elem = this.schemaNode(ap, { definition: site.definition });
          const isQuantityMap = ap.$ref !== undefined && refName(ap.$ref) === QUANTITY;
          const goType = site.goType ?? (isQuantityMap ? quantityMapType(site.definition) : `map[string]${this.goTypeOf(ap)}`);
          return mapNode(elem, goType);
        }
        return anyNode;
      }
      case 'array': {
        const elemGoType = site.goType?.startsWith('[]') ? site.goType.slice(2) : undefined;
        // A named list type ([]v1.Capability) names its elements too.
        const itemSite: Site = { definition: site.definition };
        if (elemGoType !== undefined) itemSite.goType = elemGoType;
        const elem = schema.items ? this.schemaNode(schema.items, itemSite) : anyNode;
        return sliceNode(elem, site.goType ?? `[]${schema.items ? this.goTypeOf(schema.items) : 'interface {}'}`);
      }
      case 'string':
        if (schema.format === 'byte') return bytesNode();
        if (schema.format === 'date-time') return timeNode(RFC3339);
        return primitiveNode('string', site.goType ?? 'string', enumValues);
      case 'integer':
        return primitiveNode(schema.format === 'int32' ? 'int32' : 'int64', site.goType ?? (schema.format === 'int32' ? 'int32' : 'int64'), enumValues);
      case 'number':
        return primitiveNode('float64', site.goType ?? (schema.format === 'float' ? 'float32' : 'float64'), enumValues);
      case 'boolean':
        return primitiveNode('bool', site.goType ?? 'bool', enumValues);
      default:
        return anyNode;
    }
  }

  /** reflect's name for the Go type of a schema (for map and slice type names). */
  private goTypeOf(schema: SchemaObject): string {
    if (schema.$ref) {
      const name = refName(schema.$ref);
      if (name === undefined) return 'interface {}';
      return SPECIAL_GO_TYPES[name] ?? goNamedType(name);
    }
    switch (schema.type) {
      case 'array':
        return `[]${schema.items ? this.goTypeOf(schema.items) : 'interface {}'}`;
      case 'object':
        if (schema.additionalProperties && schema.additionalProperties !== true) {
          return `map[string]${this.goTypeOf(schema.additionalProperties)}`;
        }
        return 'map[string]interface {}';
      case 'string':
        return schema.format === 'byte' ? '[]uint8' : schema.format === 'date-time' ? 'v1.Time' : 'string';
      case 'integer':
        return schema.format === 'int32' ? 'int32' : 'int64';
      case 'number':
        return schema.format === 'float' ? 'float32' : 'float64';
      case 'boolean':
        return 'bool';
      default:
        return 'interface {}';
    }
  }
}

// ---- node builders ------------------------------------------------------------------------------

function structShell(goType: string): Node {
  return {
    walk: () => {
      throw new Error('schema node used before compilation');
    },
    goType,
    zero: () => ({}),
    isStruct: true,
  };
}

/** The value a JSON null leaves in a list element or map value, walked when it is a struct. */
function zeroFor(node: Node, st: WalkState, owner: string): unknown {
  const z = node.zero();
  return node.isStruct ? node.walk(z, st, owner) : z;
}

function structWalk(
  goType: string,
  structName: string,
  props: ReadonlyMap<string, Prop>,
  requiredList: readonly string[],
  preserveUnknown: boolean,
  noChecks: boolean,
): WalkFn {
  return (value, st, owner) => {
    if (!isPlainObject(value)) {
      st.typeError(jsonValueKind(value), goType, owner);
      return value;
    }
    const savedChecks = st.checks;
    if (noChecks) st.checks = false;
    const atRoot = st.segs.length === 0;
    // Before the fields: errors come out in document order, a struct's own before its children's.
    // (A required field that is null stays present: its zero value is kept.)
    if (st.checks) {
      for (const r of requiredList) {
        if (value[r] === undefined) st.fieldErrors.push(required(st.fieldPath(r)));
      }
    }
    for (const key in value) {
      const prop = props.get(key);
      if (prop === undefined) {
        if (preserveUnknown) continue;
        st.unknownField(key);
        delete value[key];
        st.changed = true;
        continue;
      }
      const v = value[key];
      st.push(SEG_FIELD, key);
      const checks = st.checks;
      if (atRoot && key === 'status' && !st.checkStatus) st.checks = false;
      if (v === null) {
        // Go leaves the zero value; its encoder omits it for an optional (omitempty) field.
        if (prop.required) {
          const z = zeroFor(prop.node, st, structName);
          if (z !== null) {
            value[key] = z;
            st.changed = true;
          }
        } else {
          delete value[key];
          st.changed = true;
        }
      } else {
        const nv = prop.node.walk(v, st, structName);
        if (nv !== v) {
          value[key] = nv;
          st.changed = true;
        }
      }
      st.checks = checks;
      st.pop();
    }
    st.checks = savedChecks;
    return value;
  };
}

function mapNode(elem: Node, goType: string): Node {
  return {
    walk: (value, st, owner) => {
      if (!isPlainObject(value)) {
        st.typeError(jsonValueKind(value), goType, owner);
        return value;
      }
      for (const key in value) {
        const v = value[key];
        st.push(SEG_KEY, key);
        if (v === null) {
          const z = zeroFor(elem, st, owner);
          if (z !== null) {
            value[key] = z;
            st.changed = true;
          }
        } else {
          const nv = elem.walk(v, st, owner);
          if (nv !== v) {
            value[key] = nv;
            st.changed = true;
          }
        }
        st.pop();
      }
      return value;
    },
    goType,
    zero: () => null,
    isStruct: false,
  };
}

function sliceNode(elem: Node, goType: string): Node {
  return {
    walk: (value, st, owner) => {
      if (!Array.isArray(value)) {
        st.typeError(jsonValueKind(value), goType, owner);
        return value;
      }
      for (let i = 0; i < value.length; i++) {
        const v: unknown = value[i];
        st.push(SEG_INDEX, i);
        if (v === null) {
          const z = zeroFor(elem, st, owner);
          if (z !== null) {
            value[i] = z;
            st.changed = true;
          }
        } else {
          const nv = elem.walk(v, st, owner);
          if (nv !== v) {
            value[i] = nv;
            st.changed = true;
          }
        }
        st.pop();
      }
      return value;
    },
    goType,
    zero: () => null,
    isStruct: false,
  };
}

type Primitive = 'string' | 'int32' | 'int64' | 'float64' | 'bool';

const PRIMITIVE_ZERO: Record<Primitive, unknown> = { string: '', int32: 0, int64: 0, float64: 0, bool: false };

function primitiveNode(kind: Primitive, goType: string, enumValues: readonly unknown[] | undefined): Node {
  const allowed = enumValues ? new Set(enumValues) : undefined;
  const supported = enumValues?.filter((v): v is string | number | boolean => ['string', 'number', 'boolean'].includes(typeof v));
  const checkEnum = (value: unknown, st: WalkState): void => {
    if (allowed && st.checks && !allowed.has(value)) st.fieldErrors.push(notSupported(st.fieldPath(), value, supported ?? []));
  };
  let walk: WalkFn;
  switch (kind) {
    case 'string':
      walk = (value, st, owner) => {
        if (typeof value !== 'string') st.typeError(jsonValueKind(value), goType, owner);
        else checkEnum(value, st);
        return value;
      };
      break;
    case 'bool':
      walk = (value, st, owner) => {
        if (typeof value !== 'boolean') st.typeError(jsonValueKind(value), goType, owner);
        else checkEnum(value, st);
        return value;
      };
      break;
    case 'float64':
      walk = (value, st, owner) => {
        if (typeof value !== 'number') st.typeError(jsonValueKind(value), goType, owner);
        else checkEnum(value, st);
        return value;
      };
      break;
    default: {
      const min = kind === 'int32' ? INT32_MIN : -INT64_LIMIT;
      const fits = kind === 'int32' ? (n: number) => n <= INT32_MAX : (n: number) => n < INT64_LIMIT;
      walk = (value, st, owner) => {
        if (typeof value !== 'number') st.typeError(jsonValueKind(value), goType, owner);
        else if (!Number.isInteger(value) || value < min || !fits(value)) st.typeError(`number ${numberText(value)}`, goType, owner);
        else checkEnum(value, st);
        return value;
      };
    }
  }
  const zero = PRIMITIVE_ZERO[kind];
  return { walk, goType, zero: () => zero, isStruct: false };
}

/** intstr.IntOrString: a string, or an int32 (its UnmarshalJSON errors end the decode). */
function intOrStringNode(): Node {
  return {
    walk: (value, st, owner) => {
      if (typeof value === 'string') return value;
      if (typeof value === 'number') {
        if (Number.isInteger(value) && value >= INT32_MIN && value <= INT32_MAX) return value;
        st.fatal(st.typeErrorText(`number ${numberText(value)}`, 'int32', owner));
      }
      return st.fatal(st.typeErrorText(jsonValueKind(value), 'int32', owner));
    },
    goType: 'intstr.IntOrString',
    zero: () => 0,
    isStruct: false,
  };
}

/** resource.Quantity: a string or number in quantity syntax; stored in canonical form. */
function quantityNode(): Node {
  return {
    walk: (value, st) => {
      let text: string;
      if (typeof value === 'string') text = value;
      else if (typeof value === 'number') text = numberText(value);
      else if (typeof value === 'boolean') text = String(value);
      else text = Array.isArray(value) ? '[' : '{'; // never a quantity
      const r = parseQuantity(text);
      if (!r.ok) return st.fatal(r.error);
      return r.canonical === value ? value : r.canonical;
    },
    goType: 'resource.Quantity',
    zero: () => '0',
    isStruct: false,
  };
}

/** metav1.Time / MicroTime: an RFC 3339 string, stored in UTC (the zero time as null). */
function timeNode(layout: TimeLayout): Node {
  return {
    walk: (value, st, owner) => {
      if (typeof value !== 'string') return st.fatal(st.typeErrorText(jsonValueKind(value), 'string', owner));
      const r = parseGoTime(value, layout);
      if (!r.ok) return st.fatal(r.error);
      return r.canonical;
    },
    goType: layout === RFC3339 ? 'v1.Time' : 'v1.MicroTime',
    zero: () => null,
    isStruct: false,
  };
}

/** []byte: base64 text (or, as Go also accepts, a list of byte values); stored as base64. */
function bytesNode(): Node {
  return {
    walk: (value, st, owner) => {
      if (typeof value === 'string') {
        const r = decodeGoBase64(value);
        if (!r.ok) {
          st.saveError(r.error);
          return value;
        }
        return r.canonical;
      }
      if (!Array.isArray(value)) {
        st.typeError(jsonValueKind(value), '[]uint8', owner);
        return value;
      }
      const bytes: number[] = [];
      for (let i = 0; i < value.length; i++) {
        const b: unknown = value[i];
        if (b === null) bytes.push(0);
        else if (typeof b !== 'number') st.typeError(jsonValueKind(b), 'uint8', owner);
        else if (!Number.isInteger(b) || b < 0 || b > 255) st.typeError(`number ${numberText(b)}`, 'uint8', owner);
        else bytes.push(b);
      }
      return bytes.length === value.length ? encodeGoBase64(bytes) : value;
    },
    goType: '[]uint8',
    zero: () => null,
    isStruct: false,
  };
}

// ---- decode -------------------------------------------------------------------------------------

/** summarizeData(body, 30): the start of a JSON body (hex for anything else). */
function summarize(body: Uint8Array | undefined): string {
  if (!body || body.length === 0) return '<empty>';
  const max = 30;
  if (body[0] === 0x7b) {
    const text = Buffer.from(body.subarray(0, Math.min(body.length, max))).toString('utf8');
    return body.length > max ? `${text} ...` : text;
  }
  const hex = Buffer.from(body.subarray(0, Math.min(body.length, max))).toString('hex');
  return body.length > max ? `${hex} ...` : hex;
}

/** transformDecodeError: the 400 kube-apiserver answers a body its decoder rejects. */
export function decodeError(definition: string, options: Pick<DecodeOptions, 'kind' | 'version' | 'body'>, message: string): StatusError {
  const into = goStructName(definition);
  if (options.kind !== '') {
    return newBadRequest(`${options.kind} in version ${goQuote(options.version)} cannot be handled as a ${into}: ${message}`);
  }
  return newBadRequest(`the object provided is unrecognized (must be of type ${into}): ${message} (${summarize(options.body)})`);
}

function decodeWith(root: Node, definition: string, object: unknown, options: DecodeOptions): DecodeResult {
  const mode = options.fieldValidation;
  const st = new WalkState(mode !== 'Ignore', options.checkStatus === true);
  let out: unknown;
  try {
    out = root.walk(object, st, '');
  } catch (err) {
    if (err instanceof FatalDecode) throw decodeError(definition, options, err.message);
    throw err;
  }
  if (st.savedError !== undefined) throw decodeError(definition, options, st.savedError);
  const warnings: string[] = [];
  if (st.strictErrors.length > 0) {
    if (mode === 'Strict') throw decodeError(definition, options, `strict decoding error: ${st.strictErrors.join(', ')}`);
    warnings.push(...st.strictErrors);
  }
  return { object: out, changed: st.changed || out !== object, warnings, fieldErrors: st.fieldErrors };
}

/** The fieldValidation parameter as kube reads it: empty means Warn; undefined for other values. */
export function parseFieldValidation(value: string): FieldValidation | undefined {
  switch (value) {
    case '':
    case 'Warn':
      return 'Warn';
    case 'Strict':
      return 'Strict';
    case 'Ignore':
      return 'Ignore';
    default:
      return undefined;
  }
}
