// The admission service's reads of the cluster, on the bus: gets and lists from the watch cache
// (resourceVersion "0": what the cache has), kept for a short time per key so that a burst of
// creates in one namespace reads its LimitRanges, quotas and webhook configurations once — the
// role kube-apiserver's informers play for its admission plugins. `fresh` reads go to storage
// (a quota re-read after a lost compare-and-swap). Status updates go to storage's status
// subresource with the object's resourceVersion as the precondition; a conflict answers false.

import { isStatusError, type KubeObject } from '@kapi/apimachinery';
import { type Bus, CacheRpc, cacheEventCodec, StorageRpc, type Subscription, userInfoToMsg, watchSubjectAllNamespaces } from '@kapi/bus';
import type { Catalogue } from '@kapi/schema';
import type { AccessBackend } from './bridge.js';
import type { ClusterAccess } from '../plugins/cluster-access.js';

export interface BusAccessOptions {
  /** How long an answer is reused (default 1 s); 0 disables the cache. */
  cacheTtlMs?: number;
  /** Entries kept at most (default 1,000). */
  maxEntries?: number;
  timeoutMs?: number;
}

/** Admission writes quota status as the API server itself (kube's loopback client). */
const ADMISSION_USER = { username: 'system:apiserver', groups: ['system:masters', 'system:authenticated'] };

const decoder = new TextDecoder();
const encoder = new TextEncoder();

export class BusAccessBackend implements AccessBackend {
  private readonly cache = new Map<string, { until: number; value: Promise<unknown> }>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly timeoutMs: number;

  constructor(
    private readonly bus: Bus,
    private readonly catalogue: Catalogue,
    opts: BusAccessOptions = {},
  ) {
    this.ttlMs = opts.cacheTtlMs ?? 1_000;
    this.maxEntries = opts.maxEntries ?? 1_000;
    this.timeoutMs = opts.timeoutMs ?? 10_000;
  }

  /** '<group>/<plural>' → the ref of the resource's preferred served version. */
  private ref(resource: string, namespace: string, name: string, subresource = '') {
    const slash = resource.lastIndexOf('/');
    const group = slash < 0 ? '' : resource.slice(0, slash);
    const plural = slash < 0 ? resource : resource.slice(slash + 1);
    const info = this.catalogue.resources.find((r) => r.group === group && r.resource === plural);
    if (!info) throw new Error(`admission: unknown resource ${JSON.stringify(resource)}`);
    return { group, version: info.version, resource: plural, namespace: info.namespaced ? namespace : '', name, subresource };
  }

  private cached<T>(key: string, fresh: boolean, load: () => Promise<T>): Promise<T> {
    const now = Date.now();
    if (!fresh && this.ttlMs > 0) {
      const hit = this.cache.get(key);
      if (hit && hit.until > now) return hit.value as Promise<T>;
    }
    const value = load();
    if (this.ttlMs > 0) {
      if (this.cache.size >= this.maxEntries) this.cache.delete(this.cache.keys().next().value as string);
      this.cache.set(key, { until: now + this.ttlMs, value });
      value.catch(() => this.cache.delete(key));
    }
    return value;
  }

  get(resource: string, namespace: string, name: string, fresh: boolean): Promise<KubeObject | undefined> {
    return this.cached(`get ${resource} ${namespace} ${name}`, fresh, async () => {
      const ref = this.ref(resource, namespace, name);
      try {
        const reply = fresh
          ? await this.bus.request(StorageRpc.get, { ref, resourceVersion: '' }, { timeoutMs: this.timeoutMs })
          : await this.bus.request(CacheRpc.get, { ref, resourceVersion: '0' }, { timeoutMs: this.timeoutMs });
        return JSON.parse(decoder.decode(reply.object)) as KubeObject;
      } catch (err) {
        if (isStatusError(err) && err.code === 404) return undefined;
        throw err;
      }
    });
  }

  list(resource: string, namespace: string, fresh: boolean): Promise<KubeObject[]> {
    return this.cached(`list ${resource} ${namespace}`, fresh, async () => {
      const ref = this.ref(resource, namespace, '');
      const options = { labelSelector: '', fieldSelector: '', limit: 0, continue: '', resourceVersion: fresh ? '' : '0', resourceVersionMatch: '' };
      const reply = await this.bus.request(fresh ? StorageRpc.list : CacheRpc.list, { ref, options }, { timeoutMs: this.timeoutMs });
      const list = JSON.parse(decoder.decode(reply.object)) as { items?: KubeObject[]; kind?: string; apiVersion?: string };
      // list items carry no kind; plugins read typed objects
      const kind = list.kind?.replace(/List$/, '');
      return (list.items ?? []).map((o) => ({ ...o, ...(kind && !o.kind ? { kind, apiVersion: list.apiVersion } : {}) }));
    });
  }

  /** This backend as the plugins' ClusterAccess (for plugins run in this thread). */
  asClusterAccess(): ClusterAccess {
    return {
      get: (resource, namespace, name, opts) => this.get(resource, namespace, name, opts?.fresh ?? false),
      list: (resource, namespace, opts) => this.list(resource, namespace, opts?.fresh ?? false),
      updateStatus: (resource, object) => this.updateStatus(resource, object),
    };
  }

  async updateStatus(resource: string, object: KubeObject): Promise<boolean> {
    const ref = this.ref(resource, object.metadata?.namespace ?? '', object.metadata?.name ?? '', 'status');
    try {
      await this.bus.request(
        StorageRpc.update,
        {
          ref,
          object: encoder.encode(JSON.stringify(object)),
          options: { dryRun: false, fieldManager: 'kapi-admission', fieldValidation: 'Ignore', force: false },
          user: userInfoToMsg(ADMISSION_USER),
        },
        { timeoutMs: this.timeoutMs },
      );
    } catch (err) {
      if (isStatusError(err) && err.code === 409) return false;
      throw err;
    }
    this.evict(resource);
    return true;
  }

  /** Drops what is cached of one resource. */
  private evict(resource: string): void {
    for (const key of this.cache.keys()) if (key.includes(` ${resource} `)) this.cache.delete(key);
  }

  /**
   * Keeps the cache in step with the cluster: every change the watch cache publishes for these
   * resources ('<group>/<plural>') evicts what is cached of them, so a quota or LimitRange
   * created a moment ago is seen by the next review on every replica (the TTL stays as a
   * backstop for a lost event).
   */
  async followChanges(resources: readonly string[]): Promise<Subscription[]> {
    const subscriptions: Subscription[] = [];
    for (const resource of resources) {
      const slash = resource.lastIndexOf('/');
      const group = resource.slice(0, Math.max(0, slash));
      const plural = resource.slice(slash + 1);
      subscriptions.push(await this.bus.subscribe(watchSubjectAllNamespaces(group, plural), cacheEventCodec, () => this.evict(resource)));
    }
    return subscriptions;
  }
}
