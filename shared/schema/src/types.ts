// The resource catalogue: every built-in resource kapi serves, as kube-apiserver advertises it.

/** How a resource's object names are validated (k8s.io/apimachinery/pkg/api/validation). */
export type NameValidation =
  /** DNS-1123 subdomain: lowercase alphanumerics, '-' and '.', at most 253 (most resources). */
  | 'dns1123Subdomain'
  /** DNS-1123 label: lowercase alphanumerics and '-', at most 63 (namespaces, ...). */
  | 'dns1123Label'
  /** DNS-1035 label: a DNS-1123 label that starts with a letter (services). */
  | 'dns1035Label'
  /** Any name that is a valid path segment: not "." or "..", no "/" or "%" (RBAC roles, ...).
   * Also the floor for every stored object (rest.BeforeCreate checks it after the strategy). */
  | 'pathSegment';

export interface SubresourceInfo {
  /** "status", "scale", "binding", ... */
  name: string;
  /** Kind served at the subresource (e.g. Scale in group autoscaling for `scale`). */
  group: string;
  version: string;
  kind: string;
  verbs: string[];
}

export interface ResourceInfo {
  group: string;
  version: string;
  kind: string;
  /** Kind of the list ("PodList"); "" when the resource cannot be listed (reviews, bindings). */
  listKind: string;
  /** The plural resource name used in paths ("pods"). */
  resource: string;
  singular: string;
  namespaced: boolean;
  /** Verbs of the main resource, as discovery lists them (create, delete, deletecollection, get,
   * list, patch, update, watch). */
  verbs: string[];
  subresources: SubresourceInfo[];
  shortNames: string[];
  categories: string[];
  /** The OpenAPI v2 definition of the kind ("io.k8s.api.core.v1.Pod"). */
  definition: string;
  nameValidation: NameValidation;
  /** etcd key prefix under /registry/ as kube-apiserver uses it ("pods", "services/specs",
   * "minions", "apiregistration.k8s.io/apiservices"); "" for resources stored nowhere (reviews,
   * bindings, componentstatuses). Shared by every version of a group/resource. */
  storagePrefix: string;
  /** The kind has a `spec`: metadata.generation starts at 1 and bumps when spec changes. */
  tracksGeneration: boolean;
}

export interface GroupInfo {
  name: string;
  /** Versions served, preferred first. */
  versions: string[];
  preferredVersion: string;
}

export interface Catalogue {
  readonly resources: readonly ResourceInfo[];
  /** By plural resource name. */
  lookup(group: string, version: string, resource: string): ResourceInfo | undefined;
  lookupKind(group: string, version: string, kind: string): ResourceInfo | undefined;
  /** API groups in kube-apiserver's discovery order; the core group ("") first. */
  groups(): GroupInfo[];
  /** Resources of one group/version, in discovery order. */
  resourcesOf(group: string, version: string): ResourceInfo[];
}

/** A JSON schema object of the OpenAPI v2 document (Kubernetes' subset and extensions). */
export interface SchemaObject {
  type?: string;
  format?: string;
  description?: string;
  $ref?: string;
  properties?: Record<string, SchemaObject>;
  additionalProperties?: SchemaObject | boolean;
  items?: SchemaObject;
  required?: string[];
  enum?: unknown[];
  default?: unknown;
  allOf?: SchemaObject[];
  'x-kubernetes-group-version-kind'?: { group: string; version: string; kind: string }[];
  'x-kubernetes-patch-strategy'?: string;
  'x-kubernetes-patch-merge-key'?: string;
  'x-kubernetes-list-type'?: string;
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: string;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
  'x-kubernetes-unions'?: unknown[];
  [extension: string]: unknown;
}
