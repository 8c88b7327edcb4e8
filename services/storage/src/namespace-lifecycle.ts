// The storage side of kube's NamespaceLifecycle admission plugin: content is created only in
// namespaces that exist and are not Terminating. (kube's plugin reads its namespace informer;
// storage reads the namespace from the KV, so a namespace created a moment ago is always seen.)

import { type KubeObject, newForbidden, newNotFound } from '@kapi/apimachinery';
import type { Catalogue, ResourceInfo } from '@kapi/schema';
import { objectKey } from './keys.js';
import type { ObjectStore } from './object-store.js';

const NAMESPACES = { group: '', resource: 'namespaces' };

/**
 * Rejects creating `object` (a `info` in `namespace`): 404 `namespaces "x" not found` when the
 * namespace is missing; 403 when it is Terminating, naming the object as admission.NewForbidden
 * does (its generateName before a name is generated, else "Unknown") and carrying the
 * NamespaceTerminating cause clients look for. Cluster-scoped resources pass.
 */
export async function requireActiveNamespace(
  store: ObjectStore,
  catalogue: Catalogue,
  info: ResourceInfo,
  namespace: string,
  object: KubeObject,
): Promise<void> {
  if (!info.namespaced) return;
  const namespaces = catalogue.lookup('', 'v1', 'namespaces');
  if (!namespaces) return;
  const { current } = await store.get(objectKey(namespaces, '', namespace));
  if (!current) throw newNotFound(NAMESPACES, namespace);
  if ((current.object.status as { phase?: string } | undefined)?.phase !== 'Terminating') return;
  const metadata = object.metadata ?? {};
  const name = metadata.name || metadata.generateName || 'Unknown';
  const err = newForbidden(
    { group: info.group, resource: info.resource },
    name,
    `unable to create new content in namespace ${namespace} because it is being terminated`,
  );
  err.status.details = {
    ...err.status.details,
    causes: [{ reason: 'NamespaceTerminating', message: `namespace ${namespace} is being terminated`, field: 'metadata.namespace' }],
  };
  throw err;
}
