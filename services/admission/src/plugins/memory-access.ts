// An in-memory ClusterAccess for tests and for embedding: objects keyed by resource, namespace
// and name, with a counter as resourceVersion so updateStatus is a real compare-and-swap.
// Reads return deep copies, so a plugin can never change the "stored" object by accident.

import type { KubeObject } from '@kapi/apimachinery';
import type { ClusterAccess } from './cluster-access.js';

function key(resource: string, namespace: string, name: string): string {
  return `${resource}\u0000${namespace}\u0000${name}`;
}

export class MemoryClusterAccess implements ClusterAccess {
  private readonly objects = new Map<string, KubeObject>();
  private revision = 0;
  /** Calls made, for tests that count round trips. */
  readonly calls = { get: 0, list: 0, updateStatus: 0, conflicts: 0 };

  /** Stores (creates or replaces) an object; assigns a fresh resourceVersion. Returns a copy. */
  put(resource: string, object: KubeObject): KubeObject {
    const copy = structuredClone(object);
    const meta = (copy.metadata ??= {});
    meta.resourceVersion = String(++this.revision);
    this.objects.set(key(resource, meta.namespace ?? '', meta.name ?? ''), copy);
    return structuredClone(copy);
  }

  delete(resource: string, namespace: string, name: string): void {
    this.objects.delete(key(resource, namespace, name));
  }

  /** The stored object itself (a copy), for assertions. */
  peek(resource: string, namespace: string, name: string): KubeObject | undefined {
    const o = this.objects.get(key(resource, namespace, name));
    return o && structuredClone(o);
  }

  async get(resource: string, namespace: string, name: string): Promise<KubeObject | undefined> {
    this.calls.get++;
    await Promise.resolve();
    return this.peek(resource, namespace, name);
  }

  async list(resource: string, namespace: string): Promise<KubeObject[]> {
    this.calls.list++;
    await Promise.resolve();
    const prefix = `${resource}\u0000${namespace}\u0000`;
    const out: KubeObject[] = [];
    for (const [k, v] of this.objects) {
      if (namespace === '' ? k.startsWith(`${resource}\u0000`) : k.startsWith(prefix)) out.push(structuredClone(v));
    }
    return out;
  }

  async updateStatus(resource: string, object: KubeObject): Promise<boolean> {
    this.calls.updateStatus++;
    // Yield first so concurrent callers interleave as they would over a network.
    await new Promise((resolve) => setImmediate(resolve));
    const meta = object.metadata ?? {};
    const k = key(resource, meta.namespace ?? '', meta.name ?? '');
    const current = this.objects.get(k);
    if (!current || current.metadata?.resourceVersion !== meta.resourceVersion) {
      this.calls.conflicts++;
      return false;
    }
    // Only status changes, as with the status subresource.
    const next = structuredClone(current);
    next['status'] = structuredClone(object['status']);
    next.metadata!.resourceVersion = String(++this.revision);
    this.objects.set(k, next);
    return true;
  }
}
