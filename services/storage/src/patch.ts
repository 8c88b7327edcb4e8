// PATCH bodies applied to the stored object: RFC 6902 JSON patch (fast-json-patch) and RFC 7386
// JSON merge patch. Strategic merge patch and server-side apply need the schema's merge keys and
// managedFields; they are served by a later stage of kapi and answered 415 until then.

import { type KubeObject, StatusError, newBadRequest, newUnsupportedMediaType } from '@kapi/apimachinery';
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

function unprocessable(message: string): StatusError {
  return new StatusError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: 'Invalid', code: 422 });
}

function applyJsonPatch(current: KubeObject, operations: unknown): KubeObject {
  if (!Array.isArray(operations)) throw newBadRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  const error = fastJsonPatch.validate(operations as fastJsonPatch.Operation[], current);
  if (error) {
    // An operation on a path that does not exist is the patch's fault, not a malformed request.
    if (error.name === 'OPERATION_PATH_UNRESOLVABLE' || error.name === 'TEST_OPERATION_FAILED' || error.name === 'OPERATION_FROM_UNRESOLVABLE') {
      throw unprocessable(error.message.split('\n')[0]!);
    }
    throw newBadRequest(error.message.split('\n')[0]!);
  }
  return fastJsonPatch.applyPatch(current, operations as fastJsonPatch.Operation[], false, false).newDocument as KubeObject;
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
