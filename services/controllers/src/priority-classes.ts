// The built-in PriorityClasses kube-apiserver creates at start (its scheduling bootstrap hook):
// system-node-critical and system-cluster-critical, which the Priority admission plugin resolves
// like any other class.

import { isStatusError } from '@kapi/apimachinery';
import type { ApiClient } from './api-client.js';

const SYSTEM_CLASSES = [
  { name: 'system-node-critical', value: 2000001000, description: 'Used for system critical pods that must not be moved from their current node.' },
  { name: 'system-cluster-critical', value: 2000000000, description: 'Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.' },
];

export async function ensureSystemPriorityClasses(client: ApiClient): Promise<void> {
  for (const c of SYSTEM_CLASSES) {
    try {
      await client.create(
        { group: 'scheduling.k8s.io', version: 'v1', resource: 'priorityclasses' },
        { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: c.name }, value: c.value, description: c.description } as never,
      );
    } catch (err) {
      if (!(isStatusError(err) && err.code === 409)) throw err;
    }
  }
}
