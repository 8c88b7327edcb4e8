// How authenticators read objects (ServiceAccounts, Secrets, Pods, Nodes): only through the bus
// (StorageRpc.get; the gateway never reads the KV). undefined means NotFound.

import { isStatusError, type KubeObject } from '@kapi/apimachinery';
import { StorageRpc, type Bus } from '@kapi/bus';

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
