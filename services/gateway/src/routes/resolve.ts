// Which handler a path belongs to, decided the way kube-apiserver's director and go-restful
// decide it, because the 404 a client gets depends on who owns the path:
//  - paths under a prefix kube registers as a go-restful web service (/api/..., /apis/<known
//    group>/..., /version/...) get a NotFound *Status* when no route matches;
//  - every other unknown path falls through to the NotFound handler: plain "404 page not found".
// Resource routes are the ones kube's installer registers for each catalogue resource, given its
// scope and verbs; a path with routes but none for the method is a 405.

import type { Catalogue, ResourceInfo, SubresourceInfo } from '@kapi/schema';
import { splitPath } from '../request-info.js';

/** The HTTP method each verb is served under. */
const VERB_METHOD: Record<string, string> = {
  get: 'GET',
  list: 'GET',
  create: 'POST',
  update: 'PUT',
  patch: 'PATCH',
  delete: 'DELETE',
  deletecollection: 'DELETE',
};

export type ResourceScope =
  /** /namespaces/<ns>/<resource>, or /<resource> of a cluster-scoped resource. */
  | 'collection'
  /** /<resource> of a namespaced resource: list across namespaces. */
  | 'all-namespaces'
  | 'item'
  | 'subresource';

export interface ResourceRoute {
  info: ResourceInfo;
  subresource: SubresourceInfo | undefined;
  scope: ResourceScope;
  /** The request's namespace ('' for cluster-scoped resources and all-namespaces lists). */
  namespace: string;
  name: string;
  /** Reached through the deprecated /watch/ path prefix. */
  watchPath: boolean;
  /** The methods routes exist for at this path (never empty). */
  methods: readonly string[];
}

export type Resolution =
  | { kind: 'resource'; route: ResourceRoute }
  | { kind: 'discovery-versions' } // /api
  | { kind: 'discovery-groups' } // /apis
  | { kind: 'discovery-group'; group: string } // /apis/<group>
  | { kind: 'discovery-resources'; group: string; version: string } // /api/v1, /apis/<group>/<version>
  | { kind: 'version' }
  | { kind: 'openapi-v2' } // /openapi/v2
  | { kind: 'openapi-v3-index' } // /openapi/v3
  | { kind: 'openapi-v3'; groupVersion: string } // /openapi/v3/<gv path>
  | { kind: 'health'; endpoint: 'healthz' | 'livez' | 'readyz'; check: string | undefined }
  | { kind: 'index' }
  /** A path a go-restful web service owns, with no route: 404 Status. */
  | { kind: 'route-not-found' }
  /** Nobody owns the path: the NotFound handler's plain text. */
  | { kind: 'not-found' };

const HEALTH_ENDPOINTS = new Set(['healthz', 'livez', 'readyz']);

const versionsCache = new WeakMap<Catalogue, Map<string, readonly string[]>>();

/** Served versions of a group ('' = core), from the catalogue's group list (cached per catalogue). */
function servedVersions(catalogue: Catalogue, group: string): readonly string[] | undefined {
  let byGroup = versionsCache.get(catalogue);
  if (!byGroup) {
    byGroup = new Map(catalogue.groups().map((g) => [g.name, [...g.versions]]));
    versionsCache.set(catalogue, byGroup);
  }
  return byGroup.get(group);
}

/** Resolves a decoded path. `healthChecks` names the per-check paths of each health endpoint. */
export function resolvePath(path: string, catalogue: Catalogue, healthChecks: (endpoint: string) => readonly string[]): Resolution {
  const parts = splitPath(path);
  if (parts.length === 0) return { kind: 'index' };
  const head = parts[0]!;

  if (parts.length === 1 && head === 'index.html') return { kind: 'index' };
  if (HEALTH_ENDPOINTS.has(head)) {
    const endpoint = head as 'healthz' | 'livez' | 'readyz';
    // The mux registers exact paths: /healthz and /healthz/<check>.
    if (parts.length === 1 && !path.endsWith('/')) return { kind: 'health', endpoint, check: undefined };
    if (parts.length === 2 && healthChecks(endpoint).includes(parts[1]!) && !path.endsWith('/')) {
      return { kind: 'health', endpoint, check: parts[1] };
    }
    return { kind: 'not-found' };
  }
  if (head === 'openapi') {
    // Mux paths: exact /openapi/v2 and /openapi/v3, prefix /openapi/v3/ (the rest of the path,
    // as handler3 splits it, names the document).
    if (path === '/openapi/v2') return { kind: 'openapi-v2' };
    if (path === '/openapi/v3') return { kind: 'openapi-v3-index' };
    if (path.startsWith('/openapi/v3/')) return { kind: 'openapi-v3', groupVersion: path.slice('/openapi/v3/'.length) };
    return { kind: 'not-found' };
  }
  if (head === 'version') return parts.length === 1 ? { kind: 'version' } : { kind: 'route-not-found' };

  if (head === 'api') {
    if (parts.length === 1) return { kind: 'discovery-versions' };
    const version = parts[1]!;
    if (!(servedVersions(catalogue, '') ?? []).includes(version)) return { kind: 'route-not-found' };
    if (parts.length === 2) return { kind: 'discovery-resources', group: '', version };
    return resolveResource(parts.slice(2), '', version, catalogue);
  }

  if (head === 'apis') {
    if (parts.length === 1) return { kind: 'discovery-groups' };
    const group = parts[1]!;
    const versions = group === '' ? undefined : servedVersions(catalogue, group);
    if (!versions) return { kind: 'not-found' };
    if (parts.length === 2) return { kind: 'discovery-group', group };
    const version = parts[2]!;
    if (!versions.includes(version)) return { kind: 'route-not-found' };
    if (parts.length === 3) return { kind: 'discovery-resources', group, version };
    return resolveResource(parts.slice(3), group, version, catalogue);
  }

  return { kind: 'not-found' };
}

/** The methods of the routes kube registers for one resource path shape. */
function methodsFor(info: ResourceInfo, scope: ResourceScope, sub: SubresourceInfo | undefined, watchPath: boolean): string[] {
  if (watchPath) return info.verbs.includes('watch') && scope !== 'subresource' ? ['GET'] : [];
  const verbs: readonly string[] = scope === 'subresource' ? sub!.verbs : info.verbs;
  const wanted: Record<ResourceScope, readonly string[]> = {
    collection: ['list', 'create', 'deletecollection'],
    'all-namespaces': ['list'],
    item: ['get', 'update', 'patch', 'delete'],
    subresource: ['get', 'create', 'update', 'patch', 'delete'],
  };
  const methods: string[] = [];
  for (const verb of wanted[scope]) {
    if (!verbs.includes(verb)) continue;
    const m = VERB_METHOD[verb]!;
    if (!methods.includes(m)) methods.push(m);
  }
  return methods;
}

/** Routes below /api/<v> or /apis/<g>/<v>. */
function resolveResource(rest: string[], group: string, version: string, catalogue: Catalogue): Resolution {
  let parts = rest;
  const watchPath = parts[0] === 'watch';
  if (watchPath) parts = parts.slice(1);
  if (parts.length === 0 || parts.some((p) => p === '')) return { kind: 'route-not-found' };

  let info: ResourceInfo | undefined;
  let namespace = '';
  let tail: string[];
  const namespaced = parts[0] === 'namespaces' && parts.length >= 3 ? catalogue.lookup(group, version, parts[2]!) : undefined;
  if (namespaced?.namespaced) {
    info = namespaced;
    namespace = parts[1]!;
    tail = parts.slice(3);
  } else {
    info = catalogue.lookup(group, version, parts[0]!);
    if (!info) return { kind: 'route-not-found' };
    tail = parts.slice(1);
  }

  let scope: ResourceScope;
  let sub: SubresourceInfo | undefined;
  if (tail.length === 0) {
    scope = info.namespaced && namespace === '' ? 'all-namespaces' : 'collection';
  } else if (info.namespaced && namespace === '') {
    // A namespaced resource has no /<resource>/<name> routes without its namespace.
    return { kind: 'route-not-found' };
  } else if (tail.length === 1) {
    scope = 'item';
  } else {
    sub = info.subresources.find((s) => s.name === tail[1]);
    // Only proxy subresources take a trailing path.
    if (!sub || (tail.length > 2 && sub.name !== 'proxy')) return { kind: 'route-not-found' };
    scope = 'subresource';
  }

  const methods = methodsFor(info, scope, sub, watchPath);
  if (methods.length === 0) return { kind: 'route-not-found' };
  return {
    kind: 'resource',
    route: { info, subresource: sub, scope, namespace, name: tail[0] ?? '', watchPath, methods },
  };
}
