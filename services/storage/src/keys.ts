// etcd key layout, identical to kube-apiserver's so etcd tooling and migrations work:
//   /registry/<storagePrefix>/<namespace>/<name>   namespaced
//   /registry/<storagePrefix>/<name>               cluster-scoped
// storagePrefix is the catalogue's (usually the plural resource; "services/specs", "minions" ...).

import type { ResourceInfo } from '@kapi/schema';

export const REGISTRY_ROOT = '/registry/';

/** The key of one object. */
export function objectKey(info: ResourceInfo, namespace: string, name: string): string {
  return info.namespaced
    ? `${REGISTRY_ROOT}${info.storagePrefix}/${namespace}/${name}`
    : `${REGISTRY_ROOT}${info.storagePrefix}/${name}`;
}

/** The prefix under which a list finds its objects: one namespace, or all of them ('' namespace). */
export function collectionPrefix(info: ResourceInfo, namespace: string): string {
  return info.namespaced && namespace !== ''
    ? `${REGISTRY_ROOT}${info.storagePrefix}/${namespace}/`
    : `${REGISTRY_ROOT}${info.storagePrefix}/`;
}
