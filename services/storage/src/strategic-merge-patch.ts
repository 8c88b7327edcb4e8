// application/strategic-merge-patch+json for built-in resources: kube-apiserver's smpPatcher
// (endpoints/handlers/patch.go strategicPatchObject -> applyPatchToObject): the body is decoded
// into a map (a decoding error is a 400 with the decoder's text, a JSON null is an empty patch),
// applied with strategicpatch.StrategicMergeMapPatch against the kind's Go struct, and a failure
// becomes what interpretStrategicMergePatchError makes of it: 400 for malformed directives, the
// generic 422 for lists of lists. Every other error (e.g. "map: map[image:x] does not contain
// declared merge key: name") kube-apiserver passes on unconverted as a 500; kapi answers it 400
// BadRequest with the same text, because the patch is the client's mistake and bad input never
// gets a 500 here.

import {
  isJSONObject,
  type KubeObject,
  LookupPatchMeta,
  StrategicMergePatchError,
  type StatusError,
  goJSONTypeName,
  newBadRequest,
  newGenericUnprocessable,
  parseGoJSON,
  strategicMergeMapPatch,
} from '@kapi/apimachinery';
import { builtinPatchType } from '@kapi/schema';

/** interpretStrategicMergePatchError. */
export function interpretStrategicMergePatchError(err: StrategicMergePatchError): StatusError {
  switch (err.sentinel) {
    case 'ErrBadJSONDoc':
    case 'ErrBadPatchFormatForPrimitiveList':
    case 'ErrBadPatchFormatForRetainKeys':
    case 'ErrBadPatchFormatForSetElementOrderList':
    case 'ErrUnsupportedStrategicMergePatchFormat':
      return newBadRequest(err.message);
    case 'ErrNoListOfLists':
    case 'ErrPatchContentNotMatchRetainKeys':
      return newGenericUnprocessable();
    default:
      return newBadRequest(err.message);
  }
}

/** The patch metadata of a built-in definition, or undefined when the document lacks it. */
export function strategicPatchSchema(definition: string): LookupPatchMeta | undefined {
  const type = builtinPatchType(definition);
  return type === undefined ? undefined : new LookupPatchMeta(type);
}

/** Decodes a strategic merge patch body as kjson.Unmarshal(Strict) decodes it into a map. */
export function decodeStrategicMergePatch(patch: Uint8Array): Record<string, unknown> | null {
  const decoded = parseGoJSON(patch);
  if (!('value' in decoded)) throw newBadRequest(decoded.error);
  const body = decoded.value;
  if (body === null) return null;
  if (!isJSONObject(body)) throw newBadRequest(`json: cannot unmarshal ${goJSONTypeName(body)} into Go value of type map[string]interface {}`);
  return body;
}

/** Applies a decoded strategic merge patch to (a private copy of) the current object. */
export function applyStrategicMergePatch(current: KubeObject, patch: Record<string, unknown> | null, schema: LookupPatchMeta): KubeObject {
  if (patch === null) return current;
  try {
    // The patch is decoded afresh for every attempt, so it is private and may be consumed.
    return strategicMergeMapPatch(current as Record<string, unknown>, patch, schema) as KubeObject;
  } catch (err) {
    if (err instanceof StrategicMergePatchError) throw interpretStrategicMergePatchError(err);
    // A stack exhausted by a pathological object is the client's doing, never a crash.
    if (err instanceof RangeError) throw newBadRequest('strategic merge patch nests too deeply');
    throw err;
  }
}
