// The storage side of kube's NamespaceLifecycle admission plugin: content is created only in
// namespaces that exist and are not Terminating. kube's plugin reads a namespace informer; storage
// reads the namespace from the KV and remembers an Active one for a moment, so a burst of creates
// costs one KV read per namespace, not one per create. A namespace that starts terminating
// within that moment may still receive an object; the namespace controller deletes content until
// the namespace is empty, so such an object is removed as it would be after kube's informer lag.

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
export class NamespaceLifecycle {
  /** Active namespaces seen recently: name -> when the memory expires (ms since epoch). */
  private readonly active = new Map<string, number>();

  constructor(
    private readonly store: ObjectStore,
    private readonly catalogue: Catalogue,
    private readonly ttlMs = 1_000,
    private readonly maxEntries = 10_000,
  ) {}

  /** Forgets what is remembered of a namespace (this replica just wrote it). */
  forget(namespace: string): void {
    this.active.delete(namespace);
  }

  async requireActive(info: ResourceInfo, namespace: string, object: KubeObject): Promise<void> {
    if (!info.namespaced) return;
    const now = Date.now();
    if ((this.active.get(namespace) ?? 0) > now) return;
    const namespaces = this.catalogue.lookup('', 'v1', 'namespaces');
    if (!namespaces) return;
    const { current } = await this.store.get(objectKey(namespaces, '', namespace));
    if (!current) throw newNotFound(NAMESPACES, namespace);
    if ((current.object.status as { phase?: string } | undefined)?.phase !== 'Terminating') {
      if (this.active.size >= this.maxEntries) this.active.delete(this.active.keys().next().value!);
      this.active.set(namespace, now + this.ttlMs);
      return;
    }
    terminating(info, namespace, object);
  }
}

function terminating(info: ResourceInfo, namespace: string, object: KubeObject): never {
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
