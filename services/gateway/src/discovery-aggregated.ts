// Aggregated discovery (apidiscovery.k8s.io/v2 and v2beta1 APIGroupDiscoveryList) for GET /api
// and GET /apis, as kube-apiserver serves it from
// k8s.io/apiserver/pkg/endpoints/discovery/aggregated (handler.go, etag.go, negotiation.go,
// wrapper.go).
//
// The two documents are derived from the legacy APIResourceLists (discovery.ts) exactly as
// endpoints.ConvertGroupVersionIntoToDiscovery derives them from the installer's APIResources,
// built once per catalogue, and their JSON bytes and ETags are kept.

import { createHash } from 'node:crypto';
import type { Catalogue } from '@kapi/schema';
import { apiResourceListDocument } from './discovery.js';
import { goJSON } from './encode.js';
import { negotiateMediaTypeOptions, type EndpointRestrictions, type MediaTypeOptions, type SerializerInfo } from './negotiation.js';

export const APIDISCOVERY_GROUP = 'apidiscovery.k8s.io';
export const APIDISCOVERY_KIND = 'APIGroupDiscoveryList';
/** The versions of APIGroupDiscoveryList kube 1.36 serves (AggregatedDiscoveryRemoveBetaType is off). */
export const APIDISCOVERY_VERSIONS = ['v2', 'v2beta1'] as const;
export type APIDiscoveryVersion = (typeof APIDISCOVERY_VERSIONS)[number];

/** aggregated.IsAggregatedDiscoveryGVK. */
export function isAggregatedDiscoveryGVK(gvk: { group: string; version: string; kind: string } | undefined): boolean {
  return (
    gvk !== undefined &&
    gvk.group === APIDISCOVERY_GROUP &&
    (APIDISCOVERY_VERSIONS as readonly string[]).includes(gvk.version) &&
    gvk.kind === APIDISCOVERY_KIND
  );
}

/** aggregated.DiscoveryEndpointRestrictions: only a conversion to APIGroupDiscoveryList is allowed
 * (a plain "application/json" clause does not match). */
export const DISCOVERY_ENDPOINT_RESTRICTIONS: EndpointRestrictions = {
  allowsMediaTypeTransform: (_t, _s, target) => isAggregatedDiscoveryGVK(target),
  allowsServerVersion: () => false,
  allowsStreamSchema: (s) => s === 'watch',
};

/**
 * WrappedHandler.ServeHTTP's decision: the negotiated options when the client asked for
 * aggregated discovery in a format the gateway writes, else undefined (legacy discovery).
 */
export function negotiateAggregatedDiscovery(accept: string, serializers: readonly SerializerInfo[]): MediaTypeOptions | undefined {
  const options = negotiateMediaTypeOptions(accept, serializers, DISCOVERY_ENDPOINT_RESTRICTIONS);
  return options && isAggregatedDiscoveryGVK(options.convert) ? options : undefined;
}

/** The Content-Type kube writes (responsewriters.generateMediaTypeWithGVK). */
export function aggregatedContentType(mediaType: string, version: string): string {
  return `${mediaType};g=${APIDISCOVERY_GROUP};v=${version};as=${APIDISCOVERY_KIND}`;
}

interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

/** apidiscoveryv2.APISubresourceDiscovery (JSON field order of the Go struct). */
export interface APISubresourceDiscovery {
  subresource: string;
  responseKind: GroupVersionKind;
  verbs: string[];
}

/** apidiscoveryv2.APIResourceDiscovery. */
export interface APIResourceDiscovery {
  resource: string;
  responseKind: GroupVersionKind;
  scope: 'Namespaced' | 'Cluster';
  singularResource: string;
  /** null only for a parent made up for an orphan subresource (a nil slice in Go). */
  verbs: string[] | null;
  shortNames?: string[];
  categories?: string[];
  subresources?: APISubresourceDiscovery[];
}

export interface APIVersionDiscovery {
  version: string;
  resources?: APIResourceDiscovery[];
  freshness: 'Current';
}

export interface APIGroupDiscovery {
  metadata: { name?: string };
  versions?: APIVersionDiscovery[];
}

interface LegacyAPIResource {
  name: string;
  singularName: string;
  namespaced: boolean;
  group?: string;
  version?: string;
  kind: string;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
}

/**
 * endpoints.ConvertGroupVersionIntoToDiscovery: parents first in list order, then each
 * subresource appended to its parent; group/version of a responseKind are those of the
 * APIResource (empty unless the kind lives in another group/version).
 */
export function convertToDiscovery(list: readonly LegacyAPIResource[]): APIResourceDiscovery[] {
  const out: APIResourceDiscovery[] = [];
  const parents = new Map<string, APIResourceDiscovery>();
  for (const r of list) {
    if (r.name.includes('/')) continue;
    const entry: APIResourceDiscovery = {
      resource: r.name,
      responseKind: { group: r.group ?? '', version: r.version ?? '', kind: r.kind },
      scope: r.namespaced ? 'Namespaced' : 'Cluster',
      singularResource: r.singularName,
      verbs: [...r.verbs],
    };
    if (r.shortNames && r.shortNames.length > 0) entry.shortNames = [...r.shortNames];
    if (r.categories && r.categories.length > 0) entry.categories = [...r.categories];
    out.push(entry);
    parents.set(r.name, entry);
  }
  for (const r of list) {
    const slash = r.name.indexOf('/');
    if (slash < 0) continue;
    const parentName = r.name.slice(0, slash);
    let parent = parents.get(parentName);
    if (!parent) {
      // A subresource without a parent gets an empty parent (kube's workaround for old clients).
      parent = { resource: parentName, responseKind: { group: '', version: '', kind: '' }, scope: r.namespaced ? 'Namespaced' : 'Cluster', singularResource: '', verbs: null };
      out.push(parent);
      parents.set(parentName, parent);
    }
    const sub: APISubresourceDiscovery = {
      subresource: r.name.slice(slash + 1),
      responseKind: r.kind !== '' ? { group: r.group ?? '', version: r.version ?? '', kind: r.kind } : { group: '', version: '', kind: '' },
      verbs: [...r.verbs],
    };
    (parent.subresources ??= []).push(sub);
  }
  return out;
}

function versionDiscovery(catalogue: Catalogue, group: string, version: string): APIVersionDiscovery {
  const list = apiResourceListDocument(catalogue, group, version).resources as LegacyAPIResource[];
  const resources = convertToDiscovery(list);
  // Field order of the Go struct: version, resources (omitted when empty), freshness.
  return resources.length > 0 ? { version, resources, freshness: 'Current' } : { version, freshness: 'Current' };
}

/** One served aggregated document: the list and its encodings. */
export interface AggregatedDocument {
  items: APIGroupDiscovery[];
  /** calculateETag: uppercase hex sha512 of json.Marshal of the v2 list without TypeMeta. */
  etag: string;
  /** Compact JSON (json.Encoder output, newline included) per served version. */
  json: Record<APIDiscoveryVersion, Buffer>;
}

/** The list object as written for one version (TypeMeta first, as the encoder sets it). */
export function aggregatedListObject(items: APIGroupDiscovery[], version: string): Record<string, unknown> {
  return { kind: APIDISCOVERY_KIND, apiVersion: `${APIDISCOVERY_GROUP}/${version}`, metadata: {}, items };
}

function buildDocument(items: APIGroupDiscovery[]): AggregatedDocument {
  const etag = createHash('sha512').update(goJSON({ metadata: {}, items })).digest('hex').toUpperCase();
  const json = {} as Record<APIDiscoveryVersion, Buffer>;
  for (const v of APIDISCOVERY_VERSIONS) json[v] = Buffer.from(goJSON(aggregatedListObject(items, v)) + '\n');
  return { items, etag, json };
}

/** The /api document: the core group (unnamed), its versions in catalogue order. */
export function legacyAggregatedItems(catalogue: Catalogue): APIGroupDiscovery[] {
  const core = catalogue.groups().find((g) => g.name === '');
  if (!core) return [];
  return [{ metadata: {}, versions: core.versions.map((v) => versionDiscovery(catalogue, '', v)) }];
}

/** The /apis document: named groups in discovery (priority) order, versions preferred first. */
export function groupsAggregatedItems(catalogue: Catalogue): APIGroupDiscovery[] {
  return catalogue
    .groups()
    .filter((g) => g.name !== '')
    .map((g) => ({ metadata: { name: g.name }, versions: g.versions.map((v) => versionDiscovery(catalogue, g.name, v)) }));
}

export interface AggregatedDiscovery {
  /** GET /api. */
  legacy(): AggregatedDocument;
  /** GET /apis. */
  groups(): AggregatedDocument;
}

const cache = new WeakMap<Catalogue, AggregatedDiscovery>();

/** The aggregated documents of a catalogue, each built on first use and kept (the catalogue is
 * immutable, so they never change). */
export function aggregatedDiscovery(catalogue: Catalogue): AggregatedDiscovery {
  let found = cache.get(catalogue);
  if (!found) {
    let legacy: AggregatedDocument | undefined;
    let groups: AggregatedDocument | undefined;
    found = {
      legacy: () => (legacy ??= buildDocument(legacyAggregatedItems(catalogue))),
      groups: () => (groups ??= buildDocument(groupsAggregatedItems(catalogue))),
    };
    cache.set(catalogue, found);
  }
  return found;
}
