// etcd key layout, identical to kube-apiserver's so etcd tooling and migrations work:
//   /registry/<storagePrefix>/<namespace>/<name>   namespaced
//   /registry/<storagePrefix>/<name>               cluster-scoped
// storagePrefix is the catalogue's (usually the plural resource; "services/specs", "minions" ...).

import { checkKeyNames } from '@kapi/apimachinery';
import type { ResourceInfo } from '@kapi/schema';

export const REGISTRY_ROOT = '/registry/';

/**
 * The key of the object a request names, after the checks of kube's key functions
 * (NamespaceKeyFunc / NoNamespaceKeyFunc): 400 for an empty name, a name that is not a path
 * segment, or a namespaced resource without a namespace. Whatever admission let through, a name
 * never reaches outside its own key.
 */
export function requestObjectKey(info: ResourceInfo, namespace: string, name: string): string {
  checkKeyNames(name, info.namespaced ? namespace : undefined);
  return objectKey(info, namespace, name);
}

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
