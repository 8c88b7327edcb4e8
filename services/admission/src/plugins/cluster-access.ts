// What built-in admission plugins may read and write of the cluster (implemented by the worker's
// bridge to the admission service's main thread, access/bridge.ts).

import type { KubeObject } from '@kapi/apimachinery';

export interface ClusterAccess {
  /** resource: '<group>/<plural>' with '' for the core group: '/namespaces', 'scheduling.k8s.io/priorityclasses'.
   * Reads may be up to a second old unless `fresh`. */
  get(resource: string, namespace: string, name: string, opts?: { fresh?: boolean }): Promise<KubeObject | undefined>;
  list(resource: string, namespace: string, opts?: { fresh?: boolean }): Promise<KubeObject[]>;
  /** Writes the status subresource if metadata.resourceVersion is still current; false on conflict. */
  updateStatus(resource: string, object: KubeObject): Promise<boolean>;
}

/** The resource strings the plugins use, in one place. */
export const RESOURCES = {
  namespaces: '/namespaces',
  serviceAccounts: '/serviceaccounts',
  limitRanges: '/limitranges',
  resourceQuotas: '/resourcequotas',
  priorityClasses: 'scheduling.k8s.io/priorityclasses',
  storageClasses: 'storage.k8s.io/storageclasses',
  ingressClasses: 'networking.k8s.io/ingressclasses',
} as const;

/** The pod a request is about, when it creates one (the main resource, not a subresource). */
export function podCreate(a: { operation: string; group: string; resource: string; subresource: string; object: KubeObject | undefined }): Record<string, unknown> | undefined {
  if (a.operation !== 'CREATE' || a.group !== '' || a.resource !== 'pods' || a.subresource !== '') return undefined;
  return a.object as Record<string, unknown> | undefined;
}

export type Container = { name?: string; image?: string; imagePullPolicy?: string; resources?: { limits?: Record<string, string>; requests?: Record<string, string> }; securityContext?: Record<string, unknown>; volumeMounts?: { name?: string; mountPath?: string; readOnly?: boolean }[]; ports?: { hostPort?: number }[] };

/** Every container of a pod spec, init and ephemeral ones included. */
export function allContainers(spec: Record<string, unknown> | undefined): Container[] {
  if (!spec) return [];
  return [...((spec.initContainers as Container[]) ?? []), ...((spec.containers as Container[]) ?? []), ...((spec.ephemeralContainers as Container[]) ?? [])];
}
