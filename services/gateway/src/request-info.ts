// What a request is about, parsed from method + path + query the way kube-apiserver's
// RequestInfoFactory does (k8s.io/apiserver/pkg/endpoints/request/requestinfo.go). Authorization,
// audit and priority-and-fairness key on these fields, so they must match kube's parse exactly,
// quirks included (a namespace GET has namespace == name; `?watch=0` is a list).

import { isPathSegmentName, parseFieldSelector, parseLabelSelector } from '@kapi/apimachinery';
import { parseInt64 } from './go-strconv.js';

export interface RequestInfo {
  /** True for /api/<v>/... and /apis/<g>/<v>/... paths with at least a resource part. */
  isResourceRequest: boolean;
  /** The decoded URL path. */
  path: string;
  /** Kube verb (get, list, watch, create, update, patch, delete, deletecollection, proxy) for
   * resource requests; the lowercased HTTP method otherwise. */
  verb: string;
  apiPrefix: string;
  apiGroup: string;
  apiVersion: string;
  namespace: string;
  resource: string;
  subresource: string;
  name: string;
  /** Path parts starting at the resource: resource/name/subresource/... */
  parts: string[];
  /** Selectors of list/watch/deletecollection requests (raw query values). */
  fieldSelector: string;
  labelSelector: string;
}

/** The path prefixes of API requests, and which of them carry no group segment. */
export const API_PREFIXES = new Set(['api', 'apis']);
export const GROUPLESS_API_PREFIXES = new Set(['api']);

const SPECIAL_VERBS = new Set(['proxy', 'watch']);
const SPECIAL_VERBS_NO_SUBRESOURCES = new Set(['proxy']);
/** Subresources of namespaces: /api/v1/namespaces/<ns>/status is not a resource named "status". */
export const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);
const VERBS_WITH_SELECTORS = new Set(['list', 'watch', 'deletecollection']);

/** kube's RequestInfo error for /api/v1/watch and the like; the filter answers it with a 500. */
export class RequestInfoError extends Error {}

/** The path split on "/" after trimming slashes at both ends; "" splits to []. */
export function splitPath(path: string): string[] {
  let start = 0;
  let end = path.length;
  while (start < end && path.charCodeAt(start) === 0x2f) start++;
  while (end > start && path.charCodeAt(end - 1) === 0x2f) end--;
  if (start === end) return [];
  return path.slice(start, end).split('/');
}

/**
 * Parses a request. `requestURL` is only used in the error text (kube prints the URL there).
 * Throws RequestInfoError where kube's factory returns an error.
 */
export function newRequestInfo(method: string, path: string, query: URLSearchParams, requestURL = path): RequestInfo {
  const info: RequestInfo = {
    isResourceRequest: false,
    path,
    verb: method.toLowerCase(),
    apiPrefix: '',
    apiGroup: '',
    apiVersion: '',
    namespace: '',
    resource: '',
    subresource: '',
    name: '',
    parts: [],
    fieldSelector: '',
    labelSelector: '',
  };

  let current = splitPath(path);
  if (current.length < 3) return info;
  if (!API_PREFIXES.has(current[0]!)) return info;
  info.apiPrefix = current[0]!;
  current = current.slice(1);

  if (!GROUPLESS_API_PREFIXES.has(info.apiPrefix)) {
    if (current.length < 3) return info;
    info.apiGroup = current[0]!;
    current = current.slice(1);
  }

  info.isResourceRequest = true;
  info.apiVersion = current[0]!;
  current = current.slice(1);

  let verbViaPathPrefix = false;
  if (SPECIAL_VERBS.has(current[0]!)) {
    if (current.length < 2) {
      throw new RequestInfoError(`unable to determine kind and namespace from url, ${requestURL}`);
    }
    info.verb = current[0]!;
    current = current.slice(1);
    verbViaPathPrefix = true;
  } else {
    switch (method) {
      case 'POST':
        info.verb = 'create';
        break;
      case 'GET':
      case 'HEAD':
        info.verb = 'get';
        break;
      case 'PUT':
        info.verb = 'update';
        break;
      case 'PATCH':
        info.verb = 'patch';
        break;
      case 'DELETE':
        info.verb = 'delete';
        break;
      default:
        info.verb = '';
    }
  }

  if (current[0] === 'namespaces') {
    if (current.length > 1) {
      info.namespace = current[1]!;
      if (current.length > 2 && !NAMESPACE_SUBRESOURCES.has(current[2]!)) current = current.slice(2);
    }
  }

  info.parts = current;
  if (current.length >= 3 && !SPECIAL_VERBS_NO_SUBRESOURCES.has(info.verb)) info.subresource = current[2]!;
  if (current.length >= 2) info.name = current[1]!;
  if (current.length >= 1) info.resource = current[0]!;

  if (info.name === '' && info.verb === 'get') {
    info.verb = isWatchQuery(query) ? 'watch' : 'list';
    // A list narrowed to one name by fieldSelector is authorized as that name (kube skips this
    // when the ListOptions do not decode).
    if (listOptionsDecode(query)) {
      const name = exactMetadataName(query.get('fieldSelector') ?? '');
      if (name !== undefined && isPathSegmentName(name).length === 0) info.name = name;
    }
  }
  if (info.name === '' && info.verb === 'delete') info.verb = 'deletecollection';

  if (!verbViaPathPrefix && VERBS_WITH_SELECTORS.has(info.verb)) {
    info.fieldSelector = query.get('fieldSelector') ?? '';
    info.labelSelector = query.get('labelSelector') ?? '';
  }
  return info;
}

/** `?watch=...` as ListOptions decodes it: present and not "false"/"0" (any case) means watch. */
export function isWatchQuery(query: URLSearchParams): boolean {
  const v = query.get('watch');
  if (v === null) return false;
  return !(v === '0' || v.toLowerCase() === 'false');
}

/** Whether the query decodes as ListOptions (kube skips the name-from-fieldSelector rule when
 * it does not): integers must parse, and both selectors. */
function listOptionsDecode(query: URLSearchParams): boolean {
  try {
    for (const key of ['limit', 'timeoutSeconds']) {
      const v = query.get(key);
      if (v !== null) parseInt64(v);
    }
    parseLabelSelector(query.get('labelSelector') ?? '');
    parseFieldSelector(query.get('fieldSelector') ?? '');
    return true;
  } catch {
    return false;
  }
}

/** The name a field selector pins with metadata.name=<x> (fields.RequiresExactMatch), or
 * undefined when it pins none or does not parse. */
export function exactMetadataName(selector: string): string | undefined {
  try {
    return parseFieldSelector(selector).requiresExactMatch('metadata.name');
  } catch {
    return undefined;
  }
}
