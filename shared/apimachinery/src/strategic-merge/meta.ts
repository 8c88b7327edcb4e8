// Patch metadata lookup: what strategicpatch.PatchMetaFromStruct answers from a built-in type's Go
// struct tags (patchStrategy, patchMergeKey), over a description of the Go type rather than Go
// reflection. kube-apiserver applies a strategic merge patch to a built-in type with the
// versioned Go struct as schema (handlers/patch.go smpPatcher: schemaReferenceObj), so lookups
// fail exactly where a Go struct has no such JSON field; @kapi/schema builds the description from
// the OpenAPI document, whose x-kubernetes-patch-* extensions are generated from those tags.

import { goQuote } from '../go-format.js';
import { StrategicMergePatchError } from './errors.js';

/** A Go type as strategic merge patch sees it (pointers are transparent). */
export type PatchGoType =
  | {
      readonly kind: 'struct';
      /** reflect.Type.Name(): "PodSpec", "RawExtension". */
      readonly name: string;
      /** The field the JSON name selects (encoding/json's rules: exact, else case-insensitive). */
      field(jsonName: string): PatchField | undefined;
    }
  | { readonly kind: 'map'; readonly value: PatchGoType }
  | { readonly kind: 'slice'; readonly elem: PatchGoType }
  /** goKind: reflect.Kind's name ("string", "int32", "int64", "float64", "bool"). */
  | { readonly kind: 'scalar'; readonly goKind: string };

export interface PatchField {
  /** The patchStrategy tag split on "," ([""] for none, as strings.Split gives it). */
  readonly strategies: readonly string[];
  readonly mergeKey: string;
  readonly type: PatchGoType;
}

/** strategicpatch.PatchMeta. */
export interface PatchMeta {
  strategies: readonly string[];
  mergeKey: string;
}

/** reflect.Kind.String() of the type. */
function kindName(t: PatchGoType): string {
  return t.kind === 'scalar' ? t.goKind : t.kind;
}

/** strategicpatch.LookupPatchMeta over a PatchGoType (PatchMetaFromStruct). */
export class LookupPatchMeta {
  constructor(readonly type: PatchGoType) {}

  /** forkedjson.LookupPatchMetadataForStruct. */
  lookupForStruct(key: string): { schema: LookupPatchMeta; meta: PatchMeta } {
    const t = this.type;
    if (t.kind !== 'struct') {
      throw new StrategicMergePatchError(`merging an object in json but data type is not struct, instead is: ${kindName(t)}`);
    }
    const field = t.field(key);
    if (field === undefined) {
      throw new StrategicMergePatchError(`unable to find api field in struct ${t.name} for the json field ${goQuote(key)}`);
    }
    return { schema: new LookupPatchMeta(field.type), meta: { strategies: field.strategies, mergeKey: field.mergeKey } };
  }

  /** PatchMetaFromStruct.LookupPatchMetadataForSlice: the element type of a slice field. */
  lookupForSlice(key: string): { schema: LookupPatchMeta; meta: PatchMeta } {
    const { schema, meta } = this.lookupForStruct(key);
    const t = schema.type;
    if (t.kind !== 'slice') {
      // Go reports the kind of the struct holding the field (s.T), not the field's.
      throw new StrategicMergePatchError(`expected slice or array type, but got: ${kindName(this.type)}`);
    }
    if (t.elem.kind === 'slice') throw new StrategicMergePatchError('unexpected slice of slice');
    return { schema: new LookupPatchMeta(t.elem), meta };
  }

  /** PatchMetaFromStruct.Name(): the type's kind. */
  name(): string {
    return kindName(this.type);
  }
}
