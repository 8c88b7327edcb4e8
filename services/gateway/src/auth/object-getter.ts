// How authenticators read objects (ServiceAccounts, Secrets, Pods, Nodes): only through the bus
// (StorageRpc.get; the gateway never reads the KV). undefined means NotFound.

import { isStatusError, type KubeObject } from '@kapi/apimachinery';
import { CacheRpc, StorageRpc, type Bus } from '@kapi/bus';

export interface ObjectGetter {
  /** `resource`: a core/v1 plural (serviceaccounts, secrets, pods, nodes). */
  get(resource: string, namespace: string, name: string): Promise<KubeObject | undefined>;
}

const decoder = new TextDecoder();

export function busObjectGetter(bus: Bus, timeoutMs = 10_000): ObjectGetter {
  return {
    async get(resource, namespace, name) {
      try {
        const reply = await bus.request(
          StorageRpc.get,
          { ref: { group: '', version: 'v1', resource, namespace, name, subresource: '' }, resourceVersion: '' },
          { timeoutMs },
        );
        return JSON.parse(decoder.decode(reply.object)) as KubeObject;
      } catch (err) {
        if (isStatusError(err) && err.code === 404) return undefined;
        throw err;
      }
    },
  };
}

/** The Node authorizer's reads: pods by spec.nodeName from the watch cache, claims by name. */
export function busNodeGraph(bus: Bus, timeoutMs = 10_000): import('./node.js').NodeGraphSource {
  const getter = busObjectGetter(bus, timeoutMs);
  return {
    async podsOnNode(node) {
      const reply = await bus.request(
        CacheRpc.list,
        {
          ref: { group: '', version: 'v1', resource: 'pods', namespace: '', name: '', subresource: '' },
          options: { labelSelector: '', fieldSelector: `spec.nodeName=${node}`, limit: 0, continue: '', resourceVersion: '0', resourceVersionMatch: '' },
        },
        { timeoutMs },
      );
      return ((JSON.parse(decoder.decode(reply.object)) as { items?: KubeObject[] }).items ?? []);
    },
    getPersistentVolumeClaim: (namespace, name) => getter.get('persistentvolumeclaims', namespace, name),
  };
}
