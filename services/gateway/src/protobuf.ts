// application/vnd.kubernetes.protobuf at the gateway. Storage keeps kube's JSON, so protobuf
// exists only at the edge: request bodies are converted to JSON before storage sees them, JSON
// replies are converted to protobuf on the way out, and only for clients that asked for it (the
// JSON path is untouched). Which endpoints offer protobuf follows kube: every built-in kind (they
// all have a generated proto message); kinds without one (custom resources) serve JSON and YAML
// only, as kube's CRD handler does.

import { apiVersionOf, goQuote, newBadRequest, type StatusError } from '@kapi/apimachinery';
import {
  decodeEnvelope,
  decodeMessage,
  encodeObject,
  encodeWatchFrame,
  messageNameForKind,
  NotMarshalableError,
  ProtoDecodeError,
  type Catalogue,
} from '@kapi/schema';
import { registeredKinds, summarizeBody, type DecodedObject, type GroupVersionKind } from './decode.js';
import { internalPackage, LEGACY_SCHEME_NAME } from './go-types.js';
import { JSON_SERIALIZER, PROTOBUF_MEDIA_TYPE, SERIALIZERS, YAML_SERIALIZER, type SerializerInfo } from './negotiation.js';
import { notAcceptableMessage } from './status.js';

export const PROTOBUF_SERIALIZER: SerializerInfo = {
  mediaType: PROTOBUF_MEDIA_TYPE,
  mediaTypeType: 'application',
  mediaTypeSubType: 'vnd.kubernetes.protobuf',
  streaming: true,
};

/** kube's serializers for types with a protobuf message, in CodecFactory order. */
export const SERIALIZERS_WITH_PROTOBUF: readonly SerializerInfo[] = [JSON_SERIALIZER, YAML_SERIALIZER, PROTOBUF_SERIALIZER];

const byKind = new Map<string, readonly SerializerInfo[]>();

/** The serializers an endpoint whose objects are of kind `gvk` offers. */
export function serializersForKind(gvk: GroupVersionKind): readonly SerializerInfo[] {
  const key = `${gvk.group}/${gvk.version}/${gvk.kind}`;
  let found = byKind.get(key);
  if (!found) {
    found = messageNameForKind(gvk.group, gvk.version, gvk.kind) ? SERIALIZERS_WITH_PROTOBUF : SERIALIZERS;
    byKind.set(key, found);
  }
  return found;
}

export function isProtobuf(serializer: SerializerInfo): boolean {
  return serializer.mediaType === PROTOBUF_MEDIA_TYPE;
}

/** schema.ParseGroupVersion for the Unknown's apiVersion; a bad one decodes as empty (kube
 * ignores the parse error in Unknown.GroupVersionKind). */
function parseGV(apiVersion: string): { group: string; version: string } {
  if (apiVersion === '' || apiVersion === '/') return { group: '', version: '' };
  const parts = apiVersion.split('/');
  if (parts.length === 1) return { group: '', version: apiVersion };
  if (parts.length === 2) return { group: parts[0]!, version: parts[1]! };
  return { group: '', version: '' };
}

/**
 * The protobuf Serializer.Decode path of a create/update body, with transformDecodeError's texts:
 * envelope errors are "the object provided is unrecognized", errors once the kind is known are
 * "<Kind> in version <v> cannot be handled as a <Kind>". The result is the JSON a Go server would
 * get by decoding into the Go struct and encoding JSON.
 */
export function decodeProtobufObjectBody(body: Buffer, expected: GroupVersionKind, catalogue: Catalogue): DecodedObject {
  let envelope;
  try {
    envelope = decodeEnvelope(body);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw newBadRequest(`the object provided is unrecognized (must be of type ${expected.kind}): ${why} (${summarizeBody(body)})`);
  }
  // copyKindDefaults(actual, defaultGVK).
  const gv = parseGV(envelope.apiVersion);
  const actual: GroupVersionKind = { group: gv.group, version: gv.version, kind: envelope.kind || expected.kind };
  if (actual.version === '') {
    actual.group = expected.group;
    actual.version = expected.version;
  }
  const cannotHandle = (why: string): StatusError =>
    newBadRequest(`${actual.kind} in version ${goQuote(actual.version)} cannot be handled as a ${expected.kind}: ${why}`);
  const actualGV = apiVersionOf(actual.group, actual.version);
  if (!registeredKinds(catalogue, actual.group, actual.version).has(actual.kind)) {
    throw cannotHandle(`no kind ${goQuote(actual.kind)} is registered for version ${goQuote(actualGV)} in scheme ${goQuote(LEGACY_SCHEME_NAME)}`);
  }
  const messageName = messageNameForKind(actual.group, actual.version, actual.kind);
  if (!messageName) throw cannotHandle(`object *unstructured.Unstructured does not implement the protobuf marshalling interface and cannot be decoded from a protobuf message`);
  let decoded: Record<string, unknown>;
  try {
    decoded = decodeMessage(messageName, envelope.raw);
  } catch (err) {
    if (err instanceof ProtoDecodeError) throw cannotHandle(err.message);
    throw err;
  }
  if (actual.kind !== expected.kind || internalPackage(actual.group) !== internalPackage(expected.group)) {
    throw cannotHandle(`converting (${actual.version}.${actual.kind}) to (${internalPackage(expected.group)}.${expected.kind}): unknown conversion`);
  }
  if (actual.group !== expected.group || actual.version !== expected.version) {
    throw newBadRequest(
      `the API version in the data (${actualGV}) does not match the expected API version (${apiVersionOf(expected.group, expected.version)})`,
    );
  }
  const object: Record<string, unknown> = { kind: actual.kind, apiVersion: actualGV, ...decoded };
  return { object, json: Buffer.from(JSON.stringify(object)), gvk: actual };
}

const DELETE_OPTIONS = 'k8s.io.apimachinery.pkg.apis.meta.v1.DeleteOptions';

/**
 * A DeleteOptions body in protobuf, as JSON for deleteOptionsFromBody. kube decodes it with the
 * metainternalversion scheme's codec; an envelope of another kind fails its conversion.
 */
export function decodeProtobufDeleteOptions(body: Buffer): Record<string, unknown> {
  try {
    const envelope = decodeEnvelope(body);
    if (envelope.kind !== '' && envelope.kind !== 'DeleteOptions') {
      throw newBadRequest('decoded object cannot be converted to DeleteOptions');
    }
    return { kind: 'DeleteOptions', apiVersion: envelope.apiVersion || 'meta.k8s.io/v1', ...decodeMessage(DELETE_OPTIONS, envelope.raw) };
  } catch (err) {
    if (err instanceof ProtoDecodeError) throw newBadRequest(err.message);
    throw err;
  }
}

/**
 * A response object (kube JSON with apiVersion and kind) as the protobuf serializer writes it.
 * A kind without a message is errNotMarshalable: 406 with kube's text.
 */
export function encodeProtobufResponse(object: Record<string, unknown>, sizeHint?: number): Buffer {
  try {
    const bytes = encodeObject(object, sizeHint);
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  } catch (err) {
    if (err instanceof NotMarshalableError) {
      const kind = err.kind === '' ? 'unstructured.Unstructured' : `${internalPackage(splitGroup(err.apiVersion))}.${err.kind}`;
      throw notAcceptableMessage(`object *${kind} does not implement the protobuf marshalling interface and cannot be encoded to a protobuf message`);
    }
    throw err;
  }
}

function splitGroup(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/** Content-Type of a protobuf watch stream. */
export const PROTOBUF_WATCH_CONTENT_TYPE = `${PROTOBUF_MEDIA_TYPE};stream=watch`;

/**
 * One frame of a protobuf watch stream for an event whose object is kube JSON (bytes from the
 * watch cache, or an object such as an ERROR event's Status): the object enveloped as
 * encodeProtobufResponse writes it, inside a length-prefixed metav1.WatchEvent (see
 * encodeWatchFrame in @kapi/schema).
 */
export function encodeProtobufWatchEvent(type: string, object: Uint8Array | Record<string, unknown>): Buffer {
  const value: Record<string, unknown> =
    object instanceof Uint8Array ? (JSON.parse(Buffer.from(object.buffer, object.byteOffset, object.byteLength).toString('utf8')) as Record<string, unknown>) : object;
  const frame = encodeWatchFrame(type, encodeProtobufResponse(value));
  return Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength);
}
