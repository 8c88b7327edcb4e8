// PATCH bodies applied to the stored object: RFC 6902 JSON patch (fast-json-patch) and RFC 7386
// JSON merge patch, with kube-apiserver's bounds (endpoints/handlers/patch.go and the
// evanphx/json-patch options kube sets): at most 10,000 JSON patch operations (413), at most
// JSONPatchMaxCopyBytes (3 MiB) copied by a patch's `copy` operations in total (the generic 422
// every failed JSON patch gets), and JSON nested at most 10,000 deep (Go's decoder limit, a 400).
// Strategic merge patch is applied against the kind's schema (strategic-merge-patch.ts). Server-side
// apply needs managedFields; until it is served, storage answers it 415 listing what it applies.

import {
  isJSONObject,
  type KubeObject,
  JSON_PATCH_TYPE,
  MERGE_PATCH_TYPE,
  STRATEGIC_MERGE_PATCH_TYPE,
  PATCH_TYPES,
  goJSONEncodedLength,
  goJSONTypeName,
  isStatusError,
  newBadRequest,
  newGenericUnprocessable,
  newRequestEntityTooLarge,
  newUnsupportedMediaType,
  parseGoJSON,
} from '@kapi/apimachinery';
import fastJsonPatch from 'fast-json-patch';
import { applyStrategicMergePatch, decodeStrategicMergePatch, strategicPatchSchema } from './strategic-merge-patch.js';

/** The patch types storage applies (the 415 text's list): all of kube's (apply is routed to the
 * field manager before preparePatch). */
export const SUPPORTED_PATCH_TYPES: readonly string[] = PATCH_TYPES;

/** patch.go maxJSONPatchOperations. */
export const MAX_JSON_PATCH_OPERATIONS = 10_000;

/** kube's default JSONPatchMaxCopyBytes (server.Config), the same 3 MiB as MaxRequestBodyBytes:
 * the bytes a JSON patch's copy operations may add up to (jsonpatch.AccumulatedCopySizeLimit). */
export const DEFAULT_JSON_PATCH_MAX_COPY_BYTES = 3 * 1024 * 1024;

export interface PatchOptions {
  /** The request's fieldValidation ('' is kube's default, Warn). */
  fieldValidation: string;
  /** The accumulated copy size limit; 0 or less: unlimited. */
  maxCopyBytes: number;
  /** The OpenAPI definition of the resource's kind: the schema of a strategic merge patch. */
  definition?: string;
}

/** Applies the patch to a private copy of the current object (which it may change). */
export type Patcher = (current: KubeObject) => KubeObject;

/** Strict and Warn decode the patch strictly first (kjson.UnmarshalStrict), whose errors read
 * "error decoding patch: ..."; Ignore goes straight to the jsonpatch library. */
function decodesStrictly(fieldValidation: string): boolean {
  return fieldValidation === '' || fieldValidation === 'Strict' || fieldValidation === 'Warn';
}

/** Sets a member, also one named "__proto__" (as an own property, never the prototype). */
function setMember(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  else target[key] = value;
}

/**
 * RFC 7386: objects merge recursively, null deletes, anything else replaces. The target is not
 * modified. Iterative, so a patch as deep as Go's decoder allows cannot exhaust the stack here.
 */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isJSONObject(patch)) return patch;
  const root: Record<string, unknown> = isJSONObject(target) ? { ...target } : {};
  const pending: [Record<string, unknown>, Record<string, unknown>][] = [[root, patch]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [result, changes] = next;
    for (const [key, value] of Object.entries(changes)) {
      if (value === null) {
        delete result[key];
      } else if (!isJSONObject(value)) {
        setMember(result, key, value);
      } else {
        const existing = Object.hasOwn(result, key) ? result[key] : undefined;
        const merged: Record<string, unknown> = isJSONObject(existing) ? { ...existing } : {};
        setMember(result, key, merged);
        pending.push([merged, value]);
      }
    }
  }
  return root;
}

/** The first UnmarshalTypeError kjson.UnmarshalStrict reports decoding a JSON patch into
 * []handlers.jsonPatchOp (op, path and from are strings; value is anything). */
function strictJsonPatchError(operations: unknown): string | undefined {
  if (operations === null) return undefined;
  if (!Array.isArray(operations)) return `json: cannot unmarshal ${goJSONTypeName(operations)} into Go value of type []handlers.jsonPatchOp`;
  for (const operation of operations) {
    if (operation === null) continue;
    if (!isJSONObject(operation)) return `json: cannot unmarshal ${goJSONTypeName(operation)} into Go value of type handlers.jsonPatchOp`;
    for (const [key, value] of Object.entries(operation)) {
      if ((key === 'op' || key === 'path' || key === 'from') && value !== null && typeof value !== 'string') {
        return `json: cannot unmarshal ${goJSONTypeName(value)} into Go struct field jsonPatchOp.${key} of type string`;
      }
    }
  }
  return undefined;
}

/** jsonpatch.DecodePatch's type errors (a Patch is a list of map[string]*json.RawMessage). */
function jsonPatchDecodeError(operations: unknown): string | undefined {
  if (operations === null) return undefined;
  if (!Array.isArray(operations)) return `json: cannot unmarshal ${goJSONTypeName(operations)} into Go value of type jsonpatch.Patch`;
  for (const operation of operations) {
    if (operation !== null && !isJSONObject(operation)) return `json: cannot unmarshal ${goJSONTypeName(operation)} into Go value of type jsonpatch.Operation`;
  }
  return undefined;
}

/** The value a JSON pointer names, or undefined (the operation itself then fails). */
function valueAt(document: unknown, pointer: string): unknown {
  try {
    return fastJsonPatch.getValueByPointer(document, pointer);
  } catch {
    return undefined;
  }
}

/**
 * kube's jsonPatcher for application/json-patch+json: decoded (400), counted (413), then applied
 * once, operation by operation; any failure to apply (a failed test, a missing path, an unknown
 * op, copies beyond the limit) is NewGenericServerResponse(422), whose message says nothing about
 * the cause.
 */
function applyJsonPatch(current: KubeObject, operations: unknown, options: PatchOptions): KubeObject {
  const decodeError = decodesStrictly(options.fieldValidation) ? strictJsonPatchError(operations) : jsonPatchDecodeError(operations);
  if (decodeError !== undefined) {
    throw newBadRequest(decodesStrictly(options.fieldValidation) ? `error decoding patch: ${decodeError}` : decodeError);
  }
  const ops = (operations ?? []) as fastJsonPatch.Operation[];
  if (ops.length > MAX_JSON_PATCH_OPERATIONS) {
    throw newRequestEntityTooLarge(`The allowed maximum operations in a JSON patch is ${MAX_JSON_PATCH_OPERATIONS}, got ${ops.length}`);
  }
  let document: unknown = current;
  let copied = 0;
  try {
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i]!;
      // evanphx/json-patch copy(): the copied value's encoded size counts against
      // AccumulatedCopySizeLimit before it is added.
      if (op !== null && op.op === 'copy' && typeof op.from === 'string' && options.maxCopyBytes > 0) {
        const source = valueAt(document, op.from);
        if (source !== undefined) {
          copied += goJSONEncodedLength(source);
          if (copied > options.maxCopyBytes) throw newGenericUnprocessable();
        }
      }
      // The document is the caller's private copy: changed in place, validated as it goes.
      document = fastJsonPatch.applyOperation(document, op, true, true, true, i).newDocument;
    }
  } catch (err) {
    if (isStatusError(err)) throw err;
    throw newGenericUnprocessable();
  }
  return document as KubeObject;
}

/** jsonpatch.MergePatch behind kube's strict pre-decode into map[string]interface{}. */
function applyMergePatch(current: KubeObject, body: unknown, options: PatchOptions): KubeObject {
  if (body !== null && !isJSONObject(body)) {
    if (decodesStrictly(options.fieldValidation)) {
      throw newBadRequest(`error decoding patch: json: cannot unmarshal ${goJSONTypeName(body)} into Go value of type map[string]interface {}`);
    }
    throw newBadRequest('invalid JSON document: a merge patch must be an object');
  }
  // A JSON null decodes into a nil map: jsonpatch.ErrBadJSONPatch.
  if (body === null) throw newBadRequest('Invalid JSON Patch');
  return mergePatch(current, body) as KubeObject;
}

/**
 * Checks the patch type at once (kube's PatchResource does, before anything else) and answers the
 * function that applies the patch to each state GuaranteedUpdate tries. The body is decoded as
 * Go decodes it (grammar and nesting limit) when first applied, and afresh for every attempt
 * (applying a JSON patch consumes its operations).
 */
export function preparePatch(patchType: string, patch: Uint8Array, options: PatchOptions): Patcher {
  if (patchType === STRATEGIC_MERGE_PATCH_TYPE) {
    const schema = options.definition === undefined ? undefined : strategicPatchSchema(options.definition);
    if (schema === undefined) throw newUnsupportedMediaType(SUPPORTED_PATCH_TYPES.filter((t) => t !== STRATEGIC_MERGE_PATCH_TYPE));
    return (current) => applyStrategicMergePatch(current, decodeStrategicMergePatch(patch), schema);
  }
  if (patchType !== JSON_PATCH_TYPE && patchType !== MERGE_PATCH_TYPE) throw newUnsupportedMediaType(SUPPORTED_PATCH_TYPES);
  const parse = (): unknown => {
    const decoded = parseGoJSON(patch);
    if ('value' in decoded) return decoded.value;
    if (decodesStrictly(options.fieldValidation)) throw newBadRequest(`error decoding patch: ${decoded.error}`);
    // Without the strict pass, the jsonpatch library reports it: DecodePatch with Go's text,
    // MergePatch as ErrBadJSONPatch.
    throw newBadRequest(patchType === JSON_PATCH_TYPE ? decoded.error : 'Invalid JSON Patch');
  };
  return patchType === JSON_PATCH_TYPE
    ? (current) => applyJsonPatch(current, parse(), options)
    : (current) => applyMergePatch(current, parse(), options);
}

/** Applies a PATCH body to (a private copy of) the current object. */
export function applyPatch(patchType: string, current: KubeObject, patch: Uint8Array, options: PatchOptions): KubeObject {
  return preparePatch(patchType, patch, options)(current);
}
