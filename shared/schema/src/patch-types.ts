// Built-in types as strategic merge patch sees their Go structs (strategicpatch.
// PatchMetaFromStruct), compiled from the OpenAPI v2 document: every definition is a Go struct
// whose JSON fields are its properties, each with its patch strategy and merge key
// (x-kubernetes-patch-strategy, x-kubernetes-patch-merge-key — generated from the Go tags
// patchStrategy and patchMergeKey). A definition without properties (RawExtension, JSON,
// FieldsV1, Quantity, IntOrString, Time) is a struct with no JSON fields, as in Go. Each
// definition is compiled once per process, its fields on first use.
//
// The shapes match @kapi/apimachinery's PatchGoType (structurally: this package imports
// nothing from there, per DESIGN's walls).

import { definitions } from './openapi.js';
import type { SchemaObject } from './types.js';

export type PatchGoType =
  | { readonly kind: 'struct'; readonly name: string; field(jsonName: string): PatchField | undefined }
  | { readonly kind: 'map'; readonly value: PatchGoType }
  | { readonly kind: 'slice'; readonly elem: PatchGoType }
  | { readonly kind: 'scalar'; readonly goKind: string };

export interface PatchField {
  readonly strategies: readonly string[];
  readonly mergeKey: string;
  readonly type: PatchGoType;
}

const DEFINITION_PREFIX = '#/definitions/';

/** A Go struct over one definition's (or inline object's) properties, compiled lazily. */
class StructType {
  readonly kind = 'struct';
  private fields: Map<string, PatchField> | undefined;
  private folded: Map<string, PatchField> | undefined;

  constructor(
    readonly name: string,
    private readonly properties: Record<string, SchemaObject> | undefined,
    private readonly compile: (schema: SchemaObject) => PatchGoType,
  ) {}

  /** encoding/json's field selection: the exact name, else the first case-insensitive match. */
  field(jsonName: string): PatchField | undefined {
    if (this.fields === undefined) {
      this.fields = new Map();
      this.folded = new Map();
      for (const [name, schema] of Object.entries(this.properties ?? {})) {
        const strategy = schema['x-kubernetes-patch-strategy'];
        const mergeKey = schema['x-kubernetes-patch-merge-key'];
        const field: PatchField = {
          // strings.Split of the tag: an absent tag is [""].
          strategies: (typeof strategy === 'string' ? strategy : '').split(','),
          mergeKey: typeof mergeKey === 'string' ? mergeKey : '',
          type: this.compile(schema),
        };
        this.fields.set(name, field);
        const lower = name.toLowerCase();
        if (!this.folded.has(lower)) this.folded.set(lower, field);
      }
    }
    return this.fields.get(jsonName) ?? this.folded!.get(jsonName.toLowerCase());
  }
}

/** reflect.Kind of a JSON scalar schema's Go field. */
function scalarKind(schema: SchemaObject): string {
  switch (schema.type) {
    case 'integer':
      return schema.format === 'int32' ? 'int32' : 'int64';
    case 'number':
      return 'float64';
    case 'boolean':
      return 'bool';
    default:
      return 'string';
  }
}

/** Compiles OpenAPI schemas of one document into PatchGoTypes, one StructType per definition. */
export class PatchTypeCompiler {
  private readonly structs = new Map<string, StructType>();

  constructor(private readonly defs: Record<string, SchemaObject>) {}

  /** The struct of a definition ("io.k8s.api.apps.v1.Deployment"), or undefined if unknown. */
  definition(name: string): PatchGoType | undefined {
    const cached = this.structs.get(name);
    if (cached !== undefined) return cached;
    const def = this.defs[name];
    if (def === undefined) return undefined;
    const goName = name.slice(name.lastIndexOf('.') + 1);
    const struct = new StructType(goName, def.properties, (s) => this.compile(s));
    this.structs.set(name, struct);
    return struct;
  }

  /** The Go type of a property's schema. */
  compile(schema: SchemaObject): PatchGoType {
    const ref = schema.$ref ?? (schema.allOf?.length === 1 ? schema.allOf[0]!.$ref : undefined);
    if (ref !== undefined) {
      const resolved = ref.startsWith(DEFINITION_PREFIX) ? this.definition(ref.slice(DEFINITION_PREFIX.length)) : undefined;
      return resolved ?? new StructType('', undefined, (s) => this.compile(s));
    }
    if (schema.type === 'array') return { kind: 'slice', elem: schema.items ? this.compile(schema.items) : { kind: 'scalar', goKind: 'interface' } };
    if (schema.type === 'object' || schema.type === undefined) {
      const additional = schema.additionalProperties;
      if (additional !== undefined && typeof additional === 'object' && schema.properties === undefined) {
        return { kind: 'map', value: this.compile(additional) };
      }
      return new StructType('', schema.properties, (s) => this.compile(s));
    }
    return { kind: 'scalar', goKind: scalarKind(schema) };
  }
}

let builtin: PatchTypeCompiler | undefined;

/**
 * The Go type of a built-in definition for strategic merge patch ("io.k8s.api.core.v1.Pod"), from
 * the Kubernetes 1.36 OpenAPI document; undefined for a name it does not define.
 */
export function builtinPatchType(definition: string): PatchGoType | undefined {
  builtin ??= new PatchTypeCompiler(definitions());
  return builtin.definition(definition);
}
