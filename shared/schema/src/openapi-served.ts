// The OpenAPI documents a server publishes for the resources it serves, derived from the
// Kubernetes 1.36 OpenAPI v2 document in data/ (which is kube-apiserver's own /openapi/v2):
//  - servedOpenAPIv2: that document restricted to the served paths, the parameters they use and
//    the definitions they reach (kube's builder only emits definitions its routes reach);
//  - openAPIv3Documents: one OpenAPI 3.0 document per group/version path ("api/v1",
//    "apis/apps/v1", "apis/apps", "api", "apis", "version") converted as kube-openapi's
//    openapiconv.ConvertV2ToV3 converts (refs to #/components/schemas/, bodies as requestBody,
//    responses with content per produced media type, builder3/util.WrapRefs wrapping a $ref that
//    has siblings into allOf), with parameters inlined as kube's builder3 writes them and only the
//    schemas that group/version's paths reach.
// Both are plain JSON values; the caller serializes and caches them.

import type { Catalogue, SchemaObject } from './types.js';
import { openapiV2, type OpenAPIv2Document } from './openapi.js';

const V2_DEF_PREFIX = '#/definitions/';
const V3_DEF_PREFIX = '#/components/schemas/';
const V2_PARAM_PREFIX = '#/parameters/';

type JSONObject = Record<string, unknown>;

function isObject(v: unknown): v is JSONObject {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * The key a v2 path belongs to in /openapi/v3 (the web service kube registered it under):
 * "/api/v1/pods" -> "api/v1", "/apis/apps/" -> "apis/apps", "/apis/" -> "apis", "/version/" ->
 * "version", other paths -> the path without its slashes at either end.
 */
export function openAPIv3GroupOf(path: string): string {
  const parts = path.split('/').filter((p) => p !== '');
  if (parts[0] === 'api') return parts.length >= 2 ? `api/${parts[1]}` : 'api';
  if (parts[0] === 'apis') {
    if (parts.length >= 3) return `apis/${parts[1]}/${parts[2]}`;
    return parts.length === 2 ? `apis/${parts[1]}` : 'apis';
  }
  return parts.join('/');
}

/** The v3 group keys the catalogue serves: discovery ("api", "apis", "apis/<g>"), every served
 * group/version, and "version". */
export function servedOpenAPIv3Groups(catalogue: Catalogue): Set<string> {
  const out = new Set<string>(['api', 'apis', 'version']);
  for (const g of catalogue.groups()) {
    if (g.name === '') {
      for (const v of g.versions) out.add(`api/${v}`);
      continue;
    }
    out.add(`apis/${g.name}`);
    for (const v of g.versions) out.add(`apis/${g.name}/${v}`);
  }
  return out;
}

/** Whether a resource path of a served group/version names a resource (and subresource) the
 * catalogue serves ("/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale"). */
function servesResourcePath(catalogue: Catalogue, key: string, path: string): boolean {
  const keyParts = key.split('/');
  const [group, version] = keyParts[0] === 'api' ? ['', keyParts[1]!] : [keyParts[1]!, keyParts[2]!];
  let rest = path.split('/').filter((p) => p !== '').slice(keyParts.length);
  if (rest.length === 0) return true; // the group/version's own discovery path
  if (rest[0] === 'watch') rest = rest.slice(1);
  let resource: string;
  let tail: string[];
  if (rest[0] === 'namespaces' && rest[1] === '{namespace}' && rest.length >= 3) {
    resource = rest[2]!;
    tail = rest.slice(3);
  } else {
    resource = rest[0]!;
    tail = rest.slice(1);
  }
  const info = catalogue.lookup(group, version, resource);
  if (!info) return false;
  if (tail.length < 2) return true;
  return info.subresources.some((s) => s.name === tail[1]);
}

/** Names of definitions a JSON value refers to with `prefix` (direct references only). */
function collectRefs(value: unknown, prefix: string, out: Set<string>): void {
  if (Array.isArray(value)) {
    for (const v of value) collectRefs(v, prefix, out);
    return;
  }
  if (!isObject(value)) return;
  for (const [k, v] of Object.entries(value)) {
    if (k === '$ref' && typeof v === 'string' && v.startsWith(prefix)) out.add(v.slice(prefix.length));
    else collectRefs(v, prefix, out);
  }
}

/** The definitions reachable from `roots`, transitively, in sorted order (Go marshals maps sorted). */
function reachableDefinitions(roots: Set<string>, definitions: Record<string, SchemaObject>, prefix: string, convert: (s: SchemaObject) => unknown): Record<string, unknown> {
  const seen = new Set<string>();
  const converted = new Map<string, unknown>();
  const queue = [...roots];
  while (queue.length > 0) {
    const name = queue.pop()!;
    if (seen.has(name)) continue;
    seen.add(name);
    const def = definitions[name];
    if (!def) continue;
    const value = convert(def);
    converted.set(name, value);
    const next = new Set<string>();
    collectRefs(value, prefix, next);
    for (const n of next) if (!seen.has(n)) queue.push(n);
  }
  const out: Record<string, unknown> = {};
  for (const name of [...converted.keys()].sort()) out[name] = converted.get(name);
  return out;
}

/** Paths of the v2 document the catalogue serves, keyed by v3 group, in document order. */
function servedPaths(catalogue: Catalogue, doc: OpenAPIv2Document): Map<string, [string, JSONObject][]> {
  const groups = servedOpenAPIv3Groups(catalogue);
  const out = new Map<string, [string, JSONObject][]>();
  for (const [path, item] of Object.entries(doc.paths)) {
    const key = openAPIv3GroupOf(path);
    if (!groups.has(key)) continue;
    if ((key.startsWith('api/') || key.split('/').length === 3) && !servesResourcePath(catalogue, key, path)) continue;
    const list = out.get(key);
    if (list) list.push([path, item as JSONObject]);
    else out.set(key, [[path, item as JSONObject]]);
  }
  return out;
}

/**
 * kube-apiserver's /openapi/v2 for the served resources: info (with the server's version),
 * the served paths, the global parameters they use, the definitions they reach, and the
 * document's security settings.
 */
export function servedOpenAPIv2(catalogue: Catalogue, infoVersion?: string, doc: OpenAPIv2Document = openapiV2()): JSONObject {
  const paths: Record<string, unknown> = {};
  for (const entries of servedPaths(catalogue, doc).values()) for (const [p, item] of entries) paths[p] = item;
  const sortedPaths: Record<string, unknown> = {};
  for (const p of Object.keys(paths).sort()) sortedPaths[p] = paths[p];

  const usedParams = new Set<string>();
  collectRefs(sortedPaths, V2_PARAM_PREFIX, usedParams);
  const parameters: Record<string, unknown> = {};
  for (const name of [...usedParams].sort()) if (doc.parameters?.[name]) parameters[name] = doc.parameters[name];

  const roots = new Set<string>();
  collectRefs(sortedPaths, V2_DEF_PREFIX, roots);
  collectRefs(parameters, V2_DEF_PREFIX, roots);
  const definitions = reachableDefinitions(roots, doc.definitions, V2_DEF_PREFIX, (s) => s);

  const out: JSONObject = { swagger: doc.swagger, info: { ...doc.info, ...(infoVersion ? { version: infoVersion } : {}) }, paths: sortedPaths, definitions };
  if (Object.keys(parameters).length > 0) out.parameters = parameters;
  if (doc.securityDefinitions) out.securityDefinitions = doc.securityDefinitions;
  if (doc.security) out.security = doc.security;
  return out;
}

/** Object keys sorted, as Go marshals maps and kube-openapi marshals schemas. */
function sortKeys(o: JSONObject): JSONObject {
  const out: JSONObject = {};
  for (const k of Object.keys(o).sort()) out[k] = o[k];
  return out;
}

/** openapiconv.ConvertSchema followed by builderutil.WrapRefs, on the JSON form. */
export function convertSchemaV2ToV3(schema: unknown): unknown {
  if (!isObject(schema)) return schema;
  const out: JSONObject = {};
  for (const [k, v] of Object.entries(schema)) {
    switch (k) {
      case '$ref':
        out.$ref = typeof v === 'string' && v.startsWith(V2_DEF_PREFIX) ? V3_DEF_PREFIX + v.slice(V2_DEF_PREFIX.length) : v;
        break;
      case 'properties':
      case 'patternProperties':
      case 'definitions': {
        const props: JSONObject = {};
        if (isObject(v)) for (const name of Object.keys(v).sort()) props[name] = convertSchemaV2ToV3(v[name]);
        out[k] = props;
        break;
      }
      case 'items':
      case 'additionalItems':
        out[k] = Array.isArray(v) ? v.map(convertSchemaV2ToV3) : convertSchemaV2ToV3(v);
        break;
      case 'additionalProperties':
      case 'not':
        out[k] = convertSchemaV2ToV3(v);
        break;
      case 'allOf':
      case 'anyOf':
      case 'oneOf':
        out[k] = Array.isArray(v) ? v.map(convertSchemaV2ToV3) : v;
        break;
      default:
        out[k] = v;
    }
  }
  // WrapRefs: a $ref with siblings (description, default, extensions) becomes allOf: [{$ref}].
  if (typeof out.$ref === 'string' && Object.keys(out).length > 1) {
    const ref = out.$ref;
    delete out.$ref;
    out.allOf = [{ $ref: ref }, ...(Array.isArray(out.allOf) ? out.allOf : [])];
  }
  return sortKeys(out);
}

/** openapiconv.ConvertParameter, with a $ref to a global parameter resolved (kube's builder3
 * writes every parameter inline). */
function convertParameter(param: JSONObject, globals: Record<string, unknown>): JSONObject {
  let p = param;
  if (typeof p.$ref === 'string' && p.$ref.startsWith(V2_PARAM_PREFIX)) {
    const found = globals[p.$ref.slice(V2_PARAM_PREFIX.length)];
    if (isObject(found)) p = found;
  }
  const out: JSONObject = { name: p.name, in: p.in };
  if (p.description !== undefined) out.description = p.description;
  if (p.required === true) out.required = true;
  if (p.allowEmptyValue === true) out.allowEmptyValue = true;
  if (isObject(p.schema)) {
    out.schema = convertSchemaV2ToV3(p.schema);
  } else {
    const schema: JSONObject = { type: p.type };
    if (p.format !== undefined) schema.format = p.format;
    if (p.uniqueItems === true) schema.uniqueItems = true;
    out.schema = schema;
  }
  for (const [k, v] of Object.entries(p)) if (k.startsWith('x-')) out[k] = v;
  return out;
}

const OPERATION_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch'] as const;

/** openapiconv.ConvertOperation. */
function convertOperation(op: JSONObject, globals: Record<string, unknown>): JSONObject {
  const out: JSONObject = {};
  if (op.tags !== undefined) out.tags = op.tags;
  if (op.summary !== undefined) out.summary = op.summary;
  if (op.description !== undefined) out.description = op.description;
  if (op.externalDocs !== undefined) out.externalDocs = op.externalDocs;
  if (op.operationId !== undefined) out.operationId = op.operationId;
  const parameters: JSONObject[] = [];
  const consumes = Array.isArray(op.consumes) ? (op.consumes as string[]) : [];
  for (const raw of Array.isArray(op.parameters) ? (op.parameters as JSONObject[]) : []) {
    let p = raw;
    if (typeof p.$ref === 'string' && p.$ref.startsWith(V2_PARAM_PREFIX)) {
      const found = globals[p.$ref.slice(V2_PARAM_PREFIX.length)];
      if (isObject(found)) p = found;
    }
    if (p.in === 'body' && isObject(p.schema)) {
      const content: JSONObject = {};
      const schema = convertSchemaV2ToV3(p.schema);
      for (const c of consumes) content[c] = { schema };
      const body: JSONObject = { content };
      if (p.description !== undefined) body.description = p.description;
      if (p.required === true) body.required = true;
      out.requestBody = body;
    } else {
      parameters.push(convertParameter(p, globals));
    }
  }
  if (parameters.length > 0) out.parameters = parameters;
  const produces = Array.isArray(op.produces) ? (op.produces as string[]) : [];
  const responses: JSONObject = {};
  for (const [code, r] of Object.entries(isObject(op.responses) ? op.responses : {})) {
    if (!isObject(r)) continue;
    const response: JSONObject = { description: r.description ?? '' };
    if (isObject(r.schema)) {
      const schema = convertSchemaV2ToV3(r.schema);
      const content: JSONObject = {};
      for (const m of produces) content[m] = { schema };
      response.content = content;
    }
    responses[code] = response;
  }
  out.responses = responses;
  if (op.deprecated === true) out.deprecated = true;
  for (const [k, v] of Object.entries(op)) if (k.startsWith('x-')) out[k] = v;
  return out;
}

/** openapiconv.ConvertPathItem. */
function convertPathItem(item: JSONObject, globals: Record<string, unknown>): JSONObject {
  const out: JSONObject = {};
  for (const m of OPERATION_METHODS) if (isObject(item[m])) out[m] = convertOperation(item[m], globals);
  if (Array.isArray(item.parameters)) out.parameters = (item.parameters as JSONObject[]).map((p) => convertParameter(p, globals));
  for (const [k, v] of Object.entries(item)) if (k.startsWith('x-')) out[k] = v;
  return out;
}

/** The security schemes of /openapi/v3 documents (openapiconv.ConvertSecurityScheme). */
function convertSecuritySchemes(defs: unknown): JSONObject | undefined {
  if (!isObject(defs)) return undefined;
  const out: JSONObject = {};
  for (const name of Object.keys(defs).sort()) {
    const d = defs[name];
    if (!isObject(d)) continue;
    const s: JSONObject = {};
    for (const k of ['type', 'description', 'name', 'in']) if (d[k] !== undefined) s[k] = d[k];
    out[name] = s;
  }
  return out;
}

/**
 * One OpenAPI 3.0 document per served v3 group key, in sorted key order. Each is independent
 * (its own components.schemas) so that a client fetching "apis/apps/v1" gets all it needs.
 */
export function openAPIv3Documents(catalogue: Catalogue, infoVersion?: string, doc: OpenAPIv2Document = openapiV2()): Map<string, JSONObject> {
  const globals = (doc.parameters ?? {}) as Record<string, unknown>;
  const byGroup = servedPaths(catalogue, doc);
  const info = { ...doc.info, ...(infoVersion ? { version: infoVersion } : {}) };
  const securitySchemes = convertSecuritySchemes(doc.securityDefinitions);
  const out = new Map<string, JSONObject>();
  for (const key of [...byGroup.keys()].sort()) {
    const paths: JSONObject = {};
    for (const [p, item] of [...byGroup.get(key)!].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) paths[p] = convertPathItem(item, globals);
    const roots = new Set<string>();
    collectRefs(paths, V3_DEF_PREFIX, roots);
    const schemas = reachableDefinitions(roots, doc.definitions, V3_DEF_PREFIX, convertSchemaV2ToV3);
    const components: JSONObject = { schemas };
    if (securitySchemes) components.securitySchemes = securitySchemes;
    out.set(key, { openapi: '3.0.0', info, paths, components });
  }
  return out;
}
