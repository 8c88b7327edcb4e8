// Decoding of object bodies (create, update) the way kube-apiserver's handlers decode them, so a
// bad body is rejected with kube's exact 400 text:
//   - YAML is converted to JSON first (sigs.k8s.io/yaml's rules, see yaml-codec.ts);
//   - the JSON must pass Go's syntax check ("couldn't get version/kind; json parse error: ...");
//   - apiVersion/kind are read as encoding/json reads them, defaulted from the endpoint, and must
//     name a kind that converts to the endpoint's kind in the endpoint's group/version.
// Schema-level checks (field types, unknown fields) belong to storage and admission, which get the
// JSON bytes: for a JSON body the client's bytes themselves (so strict decoding still sees
// duplicate fields), with apiVersion/kind added in front when the client left them out.

import { apiVersionOf, checkGoJSON, goJSONTypeName, goQuote, newBadRequest, type StatusError } from '@kapi/apimachinery';
import type { Catalogue } from '@kapi/schema';
import { internalPackage, LEGACY_SCHEME_NAME } from './go-types.js';
import { PROTOBUF_MEDIA_TYPE, YAML_MEDIA_TYPE, type SerializerInfo } from './negotiation.js';
import { decodeProtobufObjectBody } from './protobuf.js';
import { YAMLDecodeError } from './yaml-codec.js';
import type { YAMLOffload } from './yaml-offload.js';

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

export interface DecodedObject {
  /** The object as parsed (apiVersion and kind filled in). */
  object: Record<string, unknown>;
  /** JSON bytes for storage. */
  json: Buffer;
  gvk: GroupVersionKind;
}

const META_STRUCT_TYPE = 'struct { APIVersion string "json:\\"apiVersion,omitempty\\""; Kind string "json:\\"kind,omitempty\\"" }';

/** Kinds registered with kube's scheme in every served group/version besides the catalogue's. */
const OPTION_KINDS = ['CreateOptions', 'DeleteOptions', 'GetOptions', 'ListOptions', 'PatchOptions', 'UpdateOptions', 'WatchEvent'];

const registeredKindsCache = new WeakMap<Catalogue, Map<string, Set<string>>>();

/** The kinds a group/version's scheme knows: resources, their lists, subresource kinds, options. */
export function registeredKinds(catalogue: Catalogue, group: string, version: string): Set<string> {
  let byGV = registeredKindsCache.get(catalogue);
  if (!byGV) {
    byGV = new Map();
    const add = (g: string, v: string, kind: string): void => {
      if (kind === '') return;
      const key = `${g}/${v}`;
      let set = byGV!.get(key);
      if (!set) {
        set = new Set(OPTION_KINDS);
        byGV!.set(key, set);
      }
      set.add(kind);
    };
    for (const r of catalogue.resources) {
      add(r.group, r.version, r.kind);
      add(r.group, r.version, r.listKind);
      for (const s of r.subresources) add(s.group, s.version, s.kind);
    }
    registeredKindsCache.set(catalogue, byGV);
  }
  return byGV.get(`${group}/${version}`) ?? new Set();
}

/** summarizeData(data, 30): how kube quotes a body it could not understand. */
export function summarizeBody(data: Uint8Array): string {
  const max = 30;
  if (data.length === 0) return '<empty>';
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (buf[0] === 0x7b) return buf.length > max ? buf.subarray(0, max).toString('utf8') + ' ...' : buf.toString('utf8');
  return buf.length > max ? buf.subarray(0, max).toString('hex') + ' ...' : buf.toString('hex');
}

/** schema.ParseGroupVersion. */
function parseGroupVersion(gv: string): { group: string; version: string } | string {
  if (gv === '' || gv === '/') return { group: '', version: '' };
  const slashes = gv.split('/').length - 1;
  if (slashes === 0) return { group: '', version: gv };
  if (slashes === 1) {
    const i = gv.indexOf('/');
    return { group: gv.slice(0, i), version: gv.slice(i + 1) };
  }
  return `unexpected GroupVersion string: ${gv}`;
}

/** gvkWithDefaults from the JSON serializer. */
function withDefaults(actual: GroupVersionKind, defaults: GroupVersionKind): GroupVersionKind {
  const out = { ...actual };
  if (out.kind === '') out.kind = defaults.kind;
  if (out.version === '' && out.group === '') {
    out.group = defaults.group;
    out.version = defaults.version;
  }
  if (out.version === '' && out.group === defaults.group) out.version = defaults.version;
  return out;
}

/**
 * SimpleMetaFactory.Interpret: apiVersion and kind as encoding/json fills them (keys matched
 * exactly, else case-insensitively; the last match wins; a non-string value is an error).
 */
function interpretMeta(value: unknown): { apiVersion: string; kind: string } | string {
  if (value === null) return { apiVersion: '', kind: '' };
  if (typeof value !== 'object' || Array.isArray(value)) {
    return `json: cannot unmarshal ${goJSONTypeName(value)} into Go value of type ${META_STRUCT_TYPE}`;
  }
  const found: { apiVersion: string; kind: string } = { apiVersion: '', kind: '' };
  let firstError: string | undefined;
  for (const [key, v] of Object.entries(value)) {
    const field = key === 'apiVersion' || key === 'kind' ? key : key.toLowerCase() === 'apiversion' ? 'apiVersion' : key.toLowerCase() === 'kind' ? 'kind' : undefined;
    if (field === undefined || v === null) continue;
    if (typeof v !== 'string') {
      firstError ??= `json: cannot unmarshal ${goJSONTypeName(v)} into Go struct field .${field} of type string`;
      continue;
    }
    found[field] = v;
  }
  return firstError ?? found;
}

/**
 * Decodes a create/update body into the endpoint's kind `expected` (served at the endpoint's
 * group/version). Throws kube's 400 StatusError for anything the handler would reject.
 */
export async function decodeObjectBody(
  body: Buffer,
  serializer: SerializerInfo,
  expected: GroupVersionKind,
  catalogue: Catalogue,
  yaml: YAMLOffload,
  signal?: AbortSignal,
): Promise<DecodedObject> {
  if (serializer.mediaType === PROTOBUF_MEDIA_TYPE) return decodeProtobufObjectBody(body, expected, catalogue);
  const unrecognized = (why: string): StatusError =>
    newBadRequest(`the object provided is unrecognized (must be of type ${expected.kind}): ${why} (${summarizeBody(body)})`);

  let parsed: unknown;
  let jsonBytes: Buffer | undefined;
  if (serializer.mediaType === YAML_MEDIA_TYPE) {
    try {
      parsed = await yaml.toJSONValue(body.toString('utf8'), signal);
    } catch (err) {
      if (err instanceof YAMLDecodeError) throw unrecognized(err.message);
      throw unrecognized(`error converting YAML to JSON: ${err instanceof Error ? err.message : String(err)}`);
    }
  } else {
    const syntax = checkGoJSON(body);
    if (syntax !== undefined) throw unrecognized(`couldn't get version/kind; json parse error: ${syntax}`);
    parsed = JSON.parse(body.toString('utf8'));
    jsonBytes = body;
  }

  const meta = interpretMeta(parsed);
  if (typeof meta === 'string') throw unrecognized(`couldn't get version/kind; json parse error: ${meta}`);
  const gv = parseGroupVersion(meta.apiVersion);
  if (typeof gv === 'string') throw unrecognized(gv);

  // Defaults: from the endpoint, then from the type decoded into (the endpoint's internal kind).
  let actual = withDefaults({ ...gv, kind: meta.kind }, expected);
  actual = withDefaults(actual, { group: expected.group, version: '__internal', kind: expected.kind });
  const cannotHandle = (why: string): StatusError =>
    newBadRequest(`${actual.kind} in version ${goQuote(actual.version)} cannot be handled as a ${expected.kind}: ${why}`);
  if (actual.version === '' || actual.version === '__internal') {
    throw cannotHandle(`Object 'apiVersion' is missing in '${body.toString('utf8')}'`);
  }
  const actualGV = apiVersionOf(actual.group, actual.version);
  if (!registeredKinds(catalogue, actual.group, actual.version).has(actual.kind)) {
    throw cannotHandle(`no kind ${goQuote(actual.kind)} is registered for version ${goQuote(actualGV)} in scheme ${goQuote(LEGACY_SCHEME_NAME)}`);
  }
  if (actual.kind !== expected.kind || internalPackage(actual.group) !== internalPackage(expected.group)) {
    throw cannotHandle(`converting (${actual.version}.${actual.kind}) to (${internalPackage(expected.group)}.${expected.kind}): unknown conversion`);
  }
  if (actual.group !== expected.group || actual.version !== expected.version) {
    throw newBadRequest(
      `the API version in the data (${actualGV}) does not match the expected API version (${apiVersionOf(expected.group, expected.version)})`,
    );
  }

  const object: Record<string, unknown> = parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
  const json = withTypeMeta(object, jsonBytes, actualGV, actual.kind);
  object.apiVersion = actualGV;
  object.kind = actual.kind;
  return { object, json, gvk: actual };
}

/**
 * The JSON to hand on: the client's bytes when they already carry apiVersion and kind, the
 * client's bytes with the missing members spliced in after "{" when they lack them (so nothing
 * else about the bytes changes), and a fresh serialization otherwise.
 */
function withTypeMeta(object: Record<string, unknown>, original: Buffer | undefined, apiVersion: string, kind: string): Buffer {
  const hasVersion = typeof object.apiVersion === 'string' && object.apiVersion === apiVersion;
  const hasKind = typeof object.kind === 'string' && object.kind === kind;
  if (original && hasVersion && hasKind) return original;
  const versionAbsent = !Object.hasOwn(object, 'apiVersion');
  const kindAbsent = !Object.hasOwn(object, 'kind');
  if (original && (hasVersion || versionAbsent) && (hasKind || kindAbsent)) {
    const brace = original.indexOf(0x7b);
    if (brace >= 0) {
      const members: string[] = [];
      if (versionAbsent) members.push(`"apiVersion":${JSON.stringify(apiVersion)}`);
      if (kindAbsent) members.push(`"kind":${JSON.stringify(kind)}`);
      const rest = original.subarray(brace + 1);
      let next = 0;
      while (next < rest.length && (rest[next] === 0x20 || rest[next] === 0x09 || rest[next] === 0x0a || rest[next] === 0x0d)) next++;
      const empty = rest[next] === 0x7d;
      return Buffer.concat([original.subarray(0, brace + 1), Buffer.from(members.join(',') + (empty ? '' : ',')), rest]);
    }
  }
  return Buffer.from(JSON.stringify({ ...object, apiVersion, kind }));
}
