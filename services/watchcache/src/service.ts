// The watchcache service: one ResourceCache per watchable resource of the catalogue, the
// CacheRpc methods on the bus (queue group "cache": any replica answers), and the publication of
// every change on the resource's watch subject. Any number of replicas may run; each keeps all
// caches (for reads), and events carry their chain link (prevRevision) so that a receiver that
// gets them from several publishers, or misses one, can tell.

import { hostname } from 'node:os';
import { newNotFound, type StatusError } from '@kapi/apimachinery';
import { type Bus, CacheRpc, cacheEventCodec, type CacheEvent, type Subscription, watchSubject } from '@kapi/bus';
import type { KV } from '@kapi/kv';
import { builtinCatalogue, type Catalogue, type ResourceInfo } from '@kapi/schema';
import { identityTransformer, type Transformer } from '@kapi/value';
import type { RingOptions } from './ring.js';
import { type CacheChange, ResourceCache, type ResourceCacheLogger } from './resource-cache.js';
import { answerWatch, type WatchAnswerOptions } from './watch-rpc.js';
import { answerGet, answerList } from './read-rpc.js';
import { PublisherLeases, type PublisherLeaseOptions } from './publisher-leases.js';

export interface WatchCacheOptions {
  bus: Bus;
  kv: KV;
  transformer?: Transformer;
  catalogue?: Catalogue;
  instance?: string;
  ring?: RingOptions;
  /** How often each cache asks the KV for progress (default 1000 ms). */
  progressIntervalMs?: number;
  /** Elect one publisher per resource with leases in the KV (needed with several replicas;
   * default false: this replica publishes everything). */
  election?: boolean | Omit<PublisherLeaseOptions, 'kv' | 'identity' | 'ids' | 'onAcquired'>;
  /** How long a read may wait for the cache to reach a revision (default 3 s, kube's
   * blockTimeout in waitUntilFreshAndBlock). */
  freshnessWaitMs?: number;
  /** Reply size budget in object bytes (default 2 MiB); longer answers are paged. */
  replyBudgetBytes?: number;
  log?: ResourceCacheLogger;
}

export interface WatchCacheService {
  /** The cache of a resource, by `<group>/<resource>`. */
  cache(group: string, resource: string): ResourceCache | undefined;
  /** Resolves once every cache holds its first list. */
  ready(): Promise<void>;
  close(): Promise<void>;
}

/** The KV prefix of a resource (storage's collectionPrefix for all namespaces). */
export function resourcePrefix(info: ResourceInfo): string {
  return `/registry/${info.storagePrefix}/`;
}

/** Whether the watch cache keeps this resource: it is stored and can be watched. */
function cacheable(info: ResourceInfo): boolean {
  return info.verbs.includes('watch') && info.storagePrefix !== '';
}

function toMessage(change: CacheChange, info: ResourceInfo): { subject: string; event: CacheEvent } {
  if (change.kind === 'progress') {
    return {
      subject: watchSubject(info.group, info.resource, ''),
      event: { type: 'PROGRESS', revision: change.revision, prevRevision: change.prevRevision, namespace: '', object: new Uint8Array(), prevObject: new Uint8Array(), key: '' },
    };
  }
  const ev = change.event;
  return {
    subject: watchSubject(info.group, info.resource, ev.namespace),
    event: {
      type: ev.type,
      revision: ev.revision,
      prevRevision: change.prevRevision,
      namespace: ev.namespace,
      object: ev.object,
      prevObject: ev.prevObject ?? new Uint8Array(),
      key: ev.key,
    },
  };
}

export async function startWatchCache(opts: WatchCacheOptions): Promise<WatchCacheService> {
  const catalogue = opts.catalogue ?? builtinCatalogue();
  const transformer = opts.transformer ?? identityTransformer;
  const instance = opts.instance ?? `${hostname()}-${process.pid}`;
  const caches = new Map<string, ResourceCache>();
  let leases: PublisherLeases | undefined;
  const shouldPublish = (info: ResourceInfo): boolean => !leases || leases.holds(`${info.group}/${info.resource}`);
  const byPrefix = new Map<string, ResourceCache>();

  for (const info of catalogue.resources) {
    if (!cacheable(info)) continue;
    const id = `${info.group}/${info.resource}`;
    if (caches.has(id)) continue;
    const prefix = resourcePrefix(info);
    // Resources sharing storage (one kind served under two groups) share one cache.
    const shared = byPrefix.get(prefix);
    if (shared) {
      caches.set(id, shared);
      continue;
    }
    const cache = new ResourceCache({
      kv: opts.kv,
      transformer,
      info,
      prefix,
      ring: opts.ring,
      progressIntervalMs: opts.progressIntervalMs,
      log: opts.log,
      onChange: (change) => {
        if (!shouldPublish(info)) return;
        const { subject, event } = toMessage(change, info);
        opts.bus.publish(subject, cacheEventCodec, event);
      },
    });
    caches.set(id, cache);
    byPrefix.set(prefix, cache);
  }

  const unique = [...byPrefix.values()];
  if (opts.election) {
    const leaseOptions = opts.election === true ? {} : opts.election;
    leases = new PublisherLeases({
      ...leaseOptions,
      kv: opts.kv,
      identity: instance,
      ids: unique.map((c) => `${c.info.group}/${c.info.resource}`),
      onAcquired: (id) => caches.get(id)?.announce(),
    });
  }
  // Lists run a few at a time so that startup does not flood the KV.
  const starting = (async () => {
    const queue = [...unique];
    const workers = Array.from({ length: 4 }, async () => {
      for (let c = queue.shift(); c; c = queue.shift()) await c.start();
    });
    await Promise.all(workers);
  })();
  starting.catch(() => undefined);
  // Publishing starts once the caches are filled (a replica that publishes must have its ring).
  void starting.then(() => leases?.start(), () => undefined);

  const answerOptions: WatchAnswerOptions = {
    kv: opts.kv,
    freshnessWaitMs: opts.freshnessWaitMs ?? 3_000,
    replyBudgetBytes: opts.replyBudgetBytes ?? 2 * 1024 * 1024,
  };

  const lookup = (group: string, resource: string): ResourceCache => {
    const cache = caches.get(`${group}/${resource}`);
    if (!cache) throw newNotFound({ group, resource }, '') as StatusError;
    return cache;
  };

  const subscriptions: Subscription[] = await Promise.all([
    opts.bus.serve(CacheRpc.watch, async (req, ctx) => {
      const cache = lookup(req.ref.group, req.ref.resource);
      await cache.start();
      return answerWatch(cache, req, answerOptions, ctx.deadline);
    }),
    opts.bus.serve(CacheRpc.list, async (req, ctx) => {
      const cache = lookup(req.ref.group, req.ref.resource);
      await cache.start();
      return answerList(cache, req, answerOptions, ctx.deadline);
    }),
    opts.bus.serve(CacheRpc.get, async (req, ctx) => {
      const cache = lookup(req.ref.group, req.ref.resource);
      await cache.start();
      return answerGet(cache, req, answerOptions, ctx.deadline);
    }),
    opts.bus.serve(CacheRpc.health, async () => {
      const pending = unique.filter((c) => c.revision === 0).length;
      return {
        service: 'watchcache',
        instance,
        checks: [{ name: 'caches', ok: true, message: pending === 0 ? '' : `${pending} caches still listing` }],
      };
    }),
  ]);

  return {
    cache: (group, resource) => caches.get(`${group}/${resource}`),
    ready: () => starting,
    async close() {
      await leases?.stop();
      await Promise.all(subscriptions.map((s) => s.close()));
      await Promise.all(unique.map((c) => c.close()));
    },
  };
}
