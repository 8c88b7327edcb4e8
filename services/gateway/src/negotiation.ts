// Content negotiation as kube-apiserver does it (endpoints/handlers/negotiation and the go-restful
// route checks in front of it). Two layers, because kube has two and their answers differ:
//  1. go-restful matches the route's Produces/Consumes lists (media type only, parameters
//     stripped); a miss answers "406: Not Acceptable\n\nAvailable representations: ...".
//  2. the handler negotiates against its serializers with the media type parameters
//     (as=Table;g=meta.k8s.io;v=v1, stream=watch, pretty=1, ...); a miss answers "only the
//     following media types are accepted: ...".

import { newNotAcceptable, newUnsupportedMediaType } from '@kapi/apimachinery';
import { parseGoBool } from './go-strconv.js';

/** One way of writing objects (runtime.SerializerInfo, reduced to what the gateway needs). */
export interface SerializerInfo {
  mediaType: string;
  mediaTypeType: string;
  mediaTypeSubType: string;
  /** A watch stream serializer exists for this media type. */
  streaming: boolean;
}

export const JSON_MEDIA_TYPE = 'application/json';
export const YAML_MEDIA_TYPE = 'application/yaml';
export const PROTOBUF_MEDIA_TYPE = 'application/vnd.kubernetes.protobuf';

export const JSON_SERIALIZER: SerializerInfo = {
  mediaType: JSON_MEDIA_TYPE,
  mediaTypeType: 'application',
  mediaTypeSubType: 'json',
  streaming: true,
};

export const YAML_SERIALIZER: SerializerInfo = {
  mediaType: YAML_MEDIA_TYPE,
  mediaTypeType: 'application',
  mediaTypeSubType: 'yaml',
  streaming: false,
};

/** What the gateway reads and writes, in kube's order (the first is the default). Protobuf joins
 * this list when it is implemented; until then it is refused with 406/415. */
export const SERIALIZERS: readonly SerializerInfo[] = [JSON_SERIALIZER, YAML_SERIALIZER];

/** The media types kube-apiserver's resource routes declare to go-restful (Produces). Protobuf is
 * declared, as kube declares it, so that asking for it fails in the handler's negotiation (with
 * the list of what is really served) rather than in the route match. */
export const ROUTE_MEDIA_TYPES: readonly string[] = [JSON_MEDIA_TYPE, YAML_MEDIA_TYPE, PROTOBUF_MEDIA_TYPE];
export const ROUTE_STREAM_MEDIA_TYPES: readonly string[] = [`${JSON_MEDIA_TYPE};stream=watch`, `${PROTOBUF_MEDIA_TYPE};stream=watch`];

export interface GroupVersionKindRef {
  group: string;
  version: string;
  kind: string;
}

/** negotiation.EndpointRestrictions. */
export interface EndpointRestrictions {
  allowsMediaTypeTransform(mimeType: string, mimeSubType: string, target: GroupVersionKindRef | undefined): boolean;
  allowsServerVersion(version: string): boolean;
  allowsStreamSchema(schema: string): boolean;
}

/** negotiation.DefaultEndpointRestrictions: no transformations, no server versions, watch streams. */
export const DEFAULT_ENDPOINT_RESTRICTIONS: EndpointRestrictions = {
  allowsMediaTypeTransform: (_t, _s, target) => target === undefined,
  allowsServerVersion: () => false,
  allowsStreamSchema: (s) => s === 'watch',
};

/** One clause of an Accept header (goautoneg.Accept). */
export interface AcceptClause {
  type: string;
  subType: string;
  q: number;
  params: Record<string, string>;
}

/** negotiation.MediaTypeOptions. */
export interface MediaTypeOptions {
  pretty: boolean;
  stream: string;
  convert?: GroupVersionKindRef;
  useServerVersion: string;
  profile: string;
  unrecognized: string[];
  accepted: SerializerInfo;
}

const trimSpaces = (s: string): string => {
  let a = 0;
  let b = s.length;
  while (a < b && s.charCodeAt(a) === 0x20) a++;
  while (b > a && s.charCodeAt(b - 1) === 0x20) b--;
  return s.slice(a, b);
};

/** Splits at the first `sep`: [before, after]; after is '' when there is no separator. */
function nextSplit(s: string, sep: string): [string, string] {
  const i = s.indexOf(sep);
  return i === -1 ? [s, ''] : [s.slice(0, i), s.slice(i + 1)];
}

function acceptLess(a: AcceptClause, b: AcceptClause): boolean {
  if (a.q > b.q) return true;
  if (a.type !== '*' && b.type === '*') return true;
  if (a.subType !== '*' && b.subType === '*') return true;
  return false;
}

/** goautoneg.ParseAccept: clauses sorted by q, then specificity (insertion sort, as Go's sort
 * does for slices of up to 12 elements, which every real Accept header is). */
export function parseAccept(header: string): AcceptClause[] {
  const out: AcceptClause[] = [];
  let remaining = header;
  while (remaining.length > 0) {
    let part: string;
    [part, remaining] = nextSplit(remaining, ',');
    part = trimSpaces(part);
    const [mediaRange, rawParams] = nextSplit(part, ';');
    const [typePart, subRest] = nextSplit(mediaRange, '/');
    const clause: AcceptClause = { type: trimSpaces(typePart), subType: '', q: 1, params: {} };
    if (subRest.length === 0) {
      if (clause.type !== '*') continue;
      clause.subType = '*';
    } else {
      const [sub, extra] = nextSplit(subRest, '/');
      if (extra.length > 0) continue;
      clause.subType = trimSpaces(sub);
    }
    let params = rawParams;
    while (params.length > 0) {
      let p: string;
      [p, params] = nextSplit(params, ';');
      const [key, valueRest] = nextSplit(p, '=');
      if (valueRest.length === 0) continue;
      const [value, more] = nextSplit(valueRest, '=');
      if (more.length !== 0) continue;
      const token = trimSpaces(key);
      if (token === 'q') {
        const q = Number.parseFloat(value);
        clause.q = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(value) && Number.isFinite(q) ? Math.fround(q) : 0;
      } else {
        clause.params[token] = trimSpaces(value);
      }
    }
    out.push(clause);
  }
  if (out.length > 12) {
    // Go sorts longer slices with pdqsort (not stable either); an O(n log n) sort keeps a huge
    // Accept header from costing quadratic time.
    return out.sort((a, b) => (acceptLess(a, b) ? -1 : acceptLess(b, a) ? 1 : 0));
  }
  for (let i = 1; i < out.length; i++) {
    for (let j = i; j > 0 && acceptLess(out[j]!, out[j - 1]!); j--) {
      const t = out[j]!;
      out[j] = out[j - 1]!;
      out[j - 1] = t;
    }
  }
  return out;
}

function acceptMediaTypeOptions(
  params: Record<string, string>,
  accepts: SerializerInfo,
  endpoint: EndpointRestrictions,
): MediaTypeOptions | undefined {
  const options: MediaTypeOptions = { pretty: false, stream: '', useServerVersion: '', profile: '', unrecognized: [], accepted: accepts };
  for (const [k, v] of Object.entries(params)) {
    switch (k) {
      case 'as':
        options.convert = { group: options.convert?.group ?? '', version: options.convert?.version ?? '', kind: v };
        break;
      case 'g':
        options.convert = { group: v, version: options.convert?.version ?? '', kind: options.convert?.kind ?? '' };
        break;
      case 'v':
        options.convert = { group: options.convert?.group ?? '', version: v, kind: options.convert?.kind ?? '' };
        break;
      case 'stream':
        if (v.length > 0 && (!accepts.streaming || !endpoint.allowsStreamSchema(v))) return undefined;
        options.stream = v;
        break;
      case 'sv':
        if (v.length > 0 && !endpoint.allowsServerVersion(v)) return undefined;
        options.useServerVersion = v;
        break;
      case 'export':
        break;
      case 'pretty':
        options.pretty = v === '1';
        break;
      case 'profile':
        options.profile = v;
        break;
      default:
        options.unrecognized.push(k);
    }
  }
  if (!endpoint.allowsMediaTypeTransform(accepts.mediaTypeType, accepts.mediaTypeSubType, options.convert)) return undefined;
  return options;
}

/** negotiation.NegotiateMediaTypeOptions: the first clause (in preference order) that one of the
 * serializers can satisfy under the endpoint's restrictions. */
export function negotiateMediaTypeOptions(
  header: string,
  accepted: readonly SerializerInfo[],
  endpoint: EndpointRestrictions,
): MediaTypeOptions | undefined {
  if (header.length === 0 && accepted.length > 0) {
    return { pretty: false, stream: '', useServerVersion: '', profile: '', unrecognized: [], accepted: accepted[0]! };
  }
  for (const clause of parseAccept(header)) {
    for (const accepts of accepted) {
      const matches =
        (clause.type === accepts.mediaTypeType && (clause.subType === accepts.mediaTypeSubType || clause.subType === '*')) ||
        (clause.type === '*' && clause.subType === '*');
      if (!matches) continue;
      const options = acceptMediaTypeOptions(clause.params, accepts, endpoint);
      if (options) return options;
    }
  }
  return undefined;
}

/** The request facts negotiation looks at. */
export interface NegotiationInput {
  accept: string;
  query: URLSearchParams;
  userAgent: string;
}

/** isPrettyPrint: ?pretty=<bool>, else curl, Wget and browsers get indented output. */
export function isPrettyPrint(query: URLSearchParams, userAgent: string): boolean {
  const pp = query.get('pretty');
  if (pp !== null && pp.length > 0) return parseGoBool(pp) === true;
  return userAgent.startsWith('curl') || userAgent.startsWith('Wget') || userAgent.startsWith('Mozilla/5.0');
}

export interface NegotiatedOutput {
  options: MediaTypeOptions;
  serializer: SerializerInfo;
  pretty: boolean;
}

/** negotiation.NegotiateOutputMediaType; throws the 406 Status kube answers with. */
export function negotiateOutputMediaType(
  input: NegotiationInput,
  serializers: readonly SerializerInfo[],
  restrictions: EndpointRestrictions,
): NegotiatedOutput {
  const options = negotiateMediaTypeOptions(input.accept, serializers, restrictions);
  if (!options) throw newNotAcceptable(serializers.map((s) => s.mediaType));
  return { options, serializer: options.accepted, pretty: options.pretty || isPrettyPrint(input.query, input.userAgent) };
}

/** A media type as Go's mime.ParseMediaType reads it: lowercased type/subtype, or undefined when
 * it does not parse. Parameters are validated and dropped. */
export function parseMediaType(value: string): string | undefined {
  const [base, rest] = nextSplit(value, ';');
  const mediaType = base.trim().toLowerCase();
  if (!/^[!#$%&'*+\-.^_`|~0-9a-z]+\/[!#$%&'*+\-.^_`|~0-9a-z]+$/.test(mediaType)) return undefined;
  let params = rest;
  const seen = new Set<string>();
  while (params.trim().length > 0) {
    const m = /^\s*([!#$%&'*+\-.^_`|~0-9A-Za-z]+)\s*=\s*("(?:[^"\\]|\\.)*"|[!#$%&'*+\-.^_`|~0-9A-Za-z]+)\s*(;|$)/.exec(params);
    if (!m) {
      // Go tolerates a trailing ";".
      if (params.trim() === ';' || params.trim() === '') break;
      return undefined;
    }
    const key = m[1]!.toLowerCase();
    if (seen.has(key)) return undefined;
    seen.add(key);
    params = params.slice(m[0].length);
  }
  return mediaType;
}

/** negotiation.NegotiateInputSerializerForMediaType; throws 415 with the accepted list. */
export function negotiateInputSerializer(contentType: string | undefined, serializers: readonly SerializerInfo[]): SerializerInfo {
  const value = contentType && contentType.length > 0 ? contentType : serializers[0]!.mediaType;
  const mediaType = parseMediaType(value);
  if (mediaType !== undefined) {
    const found = serializers.find((s) => s.mediaType === mediaType);
    if (found) return found;
  }
  throw newUnsupportedMediaType(serializers.map((s) => s.mediaType));
}

/** go-restful's Route.matchesAccept: media types with parameters stripped, exact or any. */
export function routeProducesAccept(accept: string, produces: readonly string[]): boolean {
  const header = accept.length === 0 ? '*/*' : accept;
  for (const clause of header.split(',')) {
    const mime = trimSpaces(nextSplit(clause, ';')[0]);
    if (mime === '*/*') return true;
    if (produces.includes(mime) || produces.includes('*/*')) return true;
  }
  return false;
}

/** go-restful's Route.matchesContentType for a route that consumes `consumes`. */
export function routeConsumesContentType(contentType: string, method: string, consumes: readonly string[]): boolean {
  if (consumes.length === 0 || consumes.includes('*/*')) return true;
  let header = contentType;
  if (header.length === 0) {
    if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS' || method === 'DELETE' || method === 'TRACE') return true;
    header = 'application/octet-stream';
  }
  for (const clause of header.split(',')) {
    const mime = trimSpaces(nextSplit(clause, ';')[0]);
    if (consumes.includes(mime)) return true;
  }
  return false;
}
