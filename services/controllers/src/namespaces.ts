// Namespace controllers: the system namespaces every cluster has, and the lifecycle that empties a
// terminating namespace and then removes its `kubernetes` finalizer (kube's namespace controller).

import { type KubeObject, isStatusError } from '@kapi/apimachinery';
import type { Catalogue, ResourceInfo } from '@kapi/schema';
import type { ApiClient } from './api-client.js';

export const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];
const NAMESPACE_FINALIZER = 'kubernetes';
const NAMESPACES = { group: '', version: 'v1', resource: 'namespaces' };

/** Creates the system namespaces that do not exist yet. Rejects if storage is unreachable. */
export async function ensureSystemNamespaces(client: ApiClient): Promise<void> {
  for (const name of SYSTEM_NAMESPACES) {
    try {
      await client.create(NAMESPACES, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    } catch (err) {
      if (!isStatusError(err) || err.reason !== 'AlreadyExists') throw err;
    }
  }
}

/** One stored resource per storage prefix (a resource served in two versions is deleted once,
 * through its preferred version), namespaced, deletable as a collection. */
function namespacedStoredResources(catalogue: Catalogue): ResourceInfo[] {
  const seen = new Set<string>();
  const out: ResourceInfo[] = [];
  for (const info of catalogue.resources) {
    if (!info.namespaced || info.storagePrefix === '' || !info.verbs.includes('deletecollection')) continue;
    if (seen.has(info.storagePrefix)) continue;
    seen.add(info.storagePrefix);
    out.push(info);
  }
  return out;
}

export interface NamespaceLifecycle {
  /** One pass over all terminating namespaces. */
  reconcile(): Promise<void>;
}

export function namespaceLifecycle(client: ApiClient, catalogue: Catalogue): NamespaceLifecycle {
  const resources = namespacedStoredResources(catalogue);

  const emptyNamespace = async (namespace: string): Promise<boolean> => {
    let empty = true;
    for (const info of resources) {
      const address = { group: info.group, version: info.version, resource: info.resource, namespace };
      await client.deleteCollection(address);
      const rest = await client.list(address, { limit: 1 });
      // Objects held by finalizers stay until their owners let go; finalize only when nothing is left.
      if (rest.items.length > 0) empty = false;
    }
    return empty;
  };

  const finalize = async (namespace: KubeObject): Promise<void> => {
    const name = namespace.metadata!.name!;
    const spec = (namespace.spec ?? {}) as { finalizers?: string[] };
    const finalizers = (spec.finalizers ?? []).filter((f) => f !== NAMESPACE_FINALIZER);
    await client.update({ ...NAMESPACES, name, subresource: 'finalize' }, { ...namespace, spec: { ...spec, finalizers } });
  };

  return {
    async reconcile() {
      const namespaces = await client.list(NAMESPACES);
      for (const namespace of namespaces.items) {
        const spec = (namespace.spec ?? {}) as { finalizers?: string[] };
        if (!namespace.metadata?.deletionTimestamp || !(spec.finalizers ?? []).includes(NAMESPACE_FINALIZER)) continue;
        try {
          if (await emptyNamespace(namespace.metadata.name!)) await finalize(namespace);
        } catch (err) {
          // Conflicts and races with other writers resolve on the next pass.
          if (!isStatusError(err)) throw err;
        }
      }
    },
  };
}
