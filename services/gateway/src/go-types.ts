// Go type names kube-apiserver prints in some error texts ("converting (v1.Service) to
// (core.Pod): unknown conversion", "the requested object is a list (*core.PodList)"): a built-in
// kind's internal type lives in a package named after its group, its versioned type in a package
// named after its version.

/** The Go package of a group's internal types: `core` for "" and events.k8s.io (whose Event is
 * core's), `apiserverinternal` for internal.apiserver.k8s.io, otherwise the group's first label. */
export function internalPackage(group: string): string {
  if (group === '' || group === 'events.k8s.io') return 'core';
  if (group === 'internal.apiserver.k8s.io') return 'apiserverinternal';
  const dot = group.indexOf('.');
  return dot < 0 ? group : group.slice(0, dot);
}

/** `*core.Pod`: how %T prints the internal object a handler holds. */
export function internalTypeName(group: string, kind: string): string {
  return `*${internalPackage(group)}.${kind}`;
}

/** The scheme name kube-apiserver's built-in types are registered in. */
export const LEGACY_SCHEME_NAME = 'pkg/api/legacyscheme/scheme.go:30';
