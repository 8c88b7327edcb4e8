// Legacy discovery documents built from the catalogue, shaped exactly as kube-apiserver writes
// them (field order, omitted empties, and its quirks: /api and /api/v1 carry no apiVersion
// because kube strips it for the core group; /apis and /apis/<group>/<version> do).
// Aggregated discovery (apidiscovery.k8s.io/v2) comes later; clients fall back to these.

import { createHash } from 'node:crypto';
import { apiVersionOf, compareGoStrings } from '@kapi/apimachinery';
import type { Catalogue, ResourceInfo } from '@kapi/schema';

/** metav1.ServerAddressByClientCIDR. */
export interface ServerAddressByClientCIDR {
  clientCIDR: string;
  serverAddress: string;
}

/** discovery.StorageVersionHash: base64 of the first 8 bytes of sha256("<group>/<version>/<kind>"). */
export function storageVersionHash(group: string, version: string, kind: string): string {
  return createHash('sha256').update(`${group}/${version}/${kind}`).digest().subarray(0, 8).toString('base64');
}

/** GET /api: APIVersions (no apiVersion field, as kube strips it). */
export function apiVersionsDocument(catalogue: Catalogue, addresses: ServerAddressByClientCIDR[]): Record<string, unknown> {
  const core = catalogue.groups().find((g) => g.name === '');
  return { kind: 'APIVersions', versions: core ? [...core.versions] : [], serverAddressByClientCIDRs: addresses };
}

function apiGroup(catalogue: Catalogue, name: string): Record<string, unknown> | undefined {
  const g = catalogue.groups().find((x) => x.name === name);
  if (!g) return undefined;
  return {
    name: g.name,
    versions: g.versions.map((v) => ({ groupVersion: apiVersionOf(g.name, v), version: v })),
    preferredVersion: { groupVersion: apiVersionOf(g.name, g.preferredVersion), version: g.preferredVersion },
  };
}

/** GET /apis: every named group in discovery order (the core group is at /api). */
export function apiGroupListDocument(catalogue: Catalogue): Record<string, unknown> {
  const groups = catalogue
    .groups()
    .filter((g) => g.name !== '')
    .map((g) => apiGroup(catalogue, g.name)!);
  return { kind: 'APIGroupList', apiVersion: 'v1', groups };
}

/** GET /apis/<group>: APIGroup, or undefined for an unknown group. */
export function apiGroupDocument(catalogue: Catalogue, group: string): Record<string, unknown> | undefined {
  const g = apiGroup(catalogue, group);
  return g ? { kind: 'APIGroup', apiVersion: 'v1', ...g } : undefined;
}

/** The version a resource is stored in: the group's preferred version when it serves the
 * resource there, else the version itself. */
function storageVersionOf(catalogue: Catalogue, info: ResourceInfo): string {
  const preferred = catalogue.groups().find((g) => g.name === info.group)?.preferredVersion;
  if (preferred && catalogue.lookup(info.group, preferred, info.resource)) return preferred;
  return info.version;
}

/** The APIResource entries of one resource: itself and each subresource ("pods/status"). */
function apiResources(catalogue: Catalogue, info: ResourceInfo): Record<string, unknown>[] {
  const main: Record<string, unknown> = {
    name: info.resource,
    singularName: info.singular,
    namespaced: info.namespaced,
    kind: info.kind,
    verbs: [...info.verbs],
  };
  if (info.shortNames.length > 0) main.shortNames = [...info.shortNames];
  if (info.categories.length > 0) main.categories = [...info.categories];
  if (info.storagePrefix !== '') main.storageVersionHash = storageVersionHash(info.group, storageVersionOf(catalogue, info), info.kind);
  const out = [main];
  for (const sub of info.subresources) {
    const entry: Record<string, unknown> = { name: `${info.resource}/${sub.name}`, singularName: '', namespaced: info.namespaced };
    if (sub.group !== info.group || sub.version !== info.version) {
      entry.group = sub.group;
      entry.version = sub.version;
    }
    entry.kind = sub.kind;
    entry.verbs = [...sub.verbs];
    out.push(entry);
  }
  return out;
}

/** GET /api/v1 or /apis/<group>/<version>: APIResourceList, entries sorted by name as kube's
 * installer sorts its paths. The core group's document carries no apiVersion. */
export function apiResourceListDocument(catalogue: Catalogue, group: string, version: string): Record<string, unknown> {
  const resources = catalogue
    .resourcesOf(group, version)
    .flatMap((r) => apiResources(catalogue, r))
    .sort((a, b) => compareGoStrings(a.name as string, b.name as string));
  const doc: Record<string, unknown> = { kind: 'APIResourceList' };
  if (group !== '') doc.apiVersion = 'v1';
  doc.groupVersion = apiVersionOf(group, version);
  doc.resources = resources;
  return doc;
}
