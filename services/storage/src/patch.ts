// PATCH bodies applied to the stored object: RFC 6902 JSON patch (fast-json-patch) and RFC 7386
// JSON merge patch. Strategic merge patch and server-side apply need the schema's merge keys and
// managedFields; they are served by a later stage of kapi and answered 415 until then.

import { type KubeObject, newBadRequest, newGenericUnprocessable, newUnsupportedMediaType } from '@kapi/apimachinery';
import type { ResourceInfo } from '@kapi/schema';
import fastJsonPatch from 'fast-json-patch';

export const JSON_PATCH = 'application/json-patch+json';
export const MERGE_PATCH = 'application/merge-patch+json';
export const SUPPORTED_PATCH_TYPES = [JSON_PATCH, MERGE_PATCH];

const decoder = new TextDecoder();

function parsePatch(patch: Uint8Array): unknown {
  try {
    return JSON.parse(decoder.decode(patch));
  } catch (err) {
    throw newBadRequest(`error decoding patch: ${(err as Error).message}`);
  }
}

/** RFC 7386: objects merge recursively, null deletes, anything else replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const result: Record<string, unknown> =
    target !== null && typeof target === 'object' && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [key, value] of Object.entries(patch as Record<string, unknown>)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

/** Go's name for a JSON value's kind in an UnmarshalTypeError. */
function goJSONKind(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'boolean') return 'bool';
  return typeof value; // number, string
}

/**
 * kube's applyJSPatch: a body that does not decode into a list of operations is a 400 with the
 * decoder's text; any failure to apply it (a failed test, a missing path, an unknown op) is
 * NewGenericServerResponse(422), whose message says nothing about the cause.
 */
function applyJsonPatch(current: KubeObject, operations: unknown): KubeObject {
  if (!Array.isArray(operations)) throw newBadRequest(`json: cannot unmarshal ${goJSONKind(operations)} into Go value of type jsonpatch.Patch`);
  for (const operation of operations) {
    if (operation !== null && (typeof operation !== 'object' || Array.isArray(operation))) {
      throw newBadRequest(`json: cannot unmarshal ${goJSONKind(operation)} into Go value of type jsonpatch.Operation`);
    }
  }
  if (fastJsonPatch.validate(operations as fastJsonPatch.Operation[], current)) throw newGenericUnprocessable();
  try {
    return fastJsonPatch.applyPatch(current, operations as fastJsonPatch.Operation[], false, false).newDocument as KubeObject;
  } catch {
    throw newGenericUnprocessable();
  }
}

/** Applies a PATCH body to (a private copy of) the current object. */
export function applyPatch(patchType: string, current: KubeObject, patch: Uint8Array, _info: ResourceInfo): KubeObject {
  switch (patchType) {
    case JSON_PATCH:
      return applyJsonPatch(current, parsePatch(patch));
    case MERGE_PATCH: {
      const body = parsePatch(patch);
      if (body === null || typeof body !== 'object' || Array.isArray(body)) throw newBadRequest('invalid JSON document: a merge patch must be an object');
      return mergePatch(current, body) as KubeObject;
    }
    default:
      throw newUnsupportedMediaType(SUPPORTED_PATCH_TYPES);
  }
}
