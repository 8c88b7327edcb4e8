// The cache.watch RPC: what a gateway needs to start (or repair) a watch.
//   mode "revision": only the revision the cache has reached (after the waits below);
//   mode "events":   every change of the namespace after after_revision, up to the reply's
//                    revision; next_key "+" when the answer was cut short (ask again from the
//                    reply's revision) (410 Expired once the ring no longer reaches back: kube's
//                    watchCache.getAllEventsSinceLocked "too old resource version");
//   mode "state":    one ADDED event per selected object at the reply's revision, in key order,
//                    paged by from_key + at_revision.
// Before answering, the cache must have reached min_revision (the asking gateway's; bounded wait,
// then 504), and the answer must be at least as new as not_older_than / after_revision and, for a
// consistent request, the KV's current revision (kube's waitUntilFreshAndBlock, bounded by
// freshnessWaitMs; a revision the KV has not reached is 504 "Too large resource version"). A KV
// that cannot send progress notifications (etcd < 3.4.31) cannot prove the cache current: a
// "state" answer is then read from the KV itself (kube-apiserver delegates such reads to etcd),
// and "revision"/"events" answers start at the asked revision (nothing up to it is wanted).

import { newSelectionPredicate, newTooLargeResourceVersion, newTooOldResourceVersion } from '@kapi/apimachinery';
import type { CacheEvent, CacheWatchReply, CacheWatchRequest } from '@kapi/bus';
import type { KV } from '@kapi/kv';
import type { CachedEvent } from './ring.js';
import type { CacheEntry, ResourceCache } from './resource-cache.js';

export interface WatchAnswerOptions {
  kv: KV;
  freshnessWaitMs: number;
  replyBudgetBytes: number;
}

const EMPTY = new Uint8Array();

function eventMessage(ev: CachedEvent): CacheEvent {
  return {
    type: ev.type,
    revision: ev.revision,
    prevRevision: 0,
    namespace: ev.namespace,
    object: ev.object,
    prevObject: ev.prevObject ?? EMPTY,
    key: ev.key,
  };
}

/** How long the answer may still wait: the bounded freshness wait, within the caller's deadline. */
function waitBudget(opts: WatchAnswerOptions, deadline: number | undefined): number {
  const left = deadline === undefined ? Infinity : deadline - Date.now() - 250;
  return Math.max(0, Math.min(opts.freshnessWaitMs, left));
}

export async function answerWatch(
  cache: ResourceCache,
  req: CacheWatchRequest,
  opts: WatchAnswerOptions,
  deadline: number | undefined,
): Promise<CacheWatchReply> {
  const namespace = cache.info.namespaced ? req.ref.namespace : '';
  // The asking gateway's revision: every replica reaches it through events, so it is waited for.
  // Another replica's cache lagging behind is waited for as long as the caller waits (not only
  // the freshness bound): it catches up through its own KV watch.
  const lagBudget = Math.max(0, (deadline ?? Date.now() + opts.freshnessWaitMs) - Date.now() - 250);
  if (req.minRevision > cache.revision && !(await cache.waitForRevision(req.minRevision, lagBudget))) {
    throw newTooLargeResourceVersion(req.minRevision, cache.revision, 1);
  }
  // What the client asked the answer to be at least as new as.
  let target = Math.max(req.notOlderThan, req.mode === 'events' ? req.afterRevision : 0, req.mode === 'state' ? req.atRevision : 0);
  let kvCurrent: number | undefined;
  if (req.consistent) {
    kvCurrent = await opts.kv.currentRevision();
    target = Math.max(target, kvCurrent);
  }
  // Whether the cache cannot show that it reached `target` (a KV without progress notify).
  let behind = false;
  if (target > cache.revision) {
    const reached = cache.progressSupported && (await cache.waitForRevision(target, waitBudget(opts, deadline)));
    if (!reached) {
      kvCurrent ??= await opts.kv.currentRevision();
      if (target > kvCurrent) {
        // A revision the store has not reached: kube waits (blockTimeout), then 504.
        if (!(await cache.waitForRevision(target, waitBudget(opts, deadline)))) throw newTooLargeResourceVersion(target, kvCurrent, 1);
      } else {
        behind = true;
      }
    }
  }

  switch (req.mode) {
    case 'revision':
      // Starting after `target` is right even when the cache has not shown it: the changes up to
      // it are not wanted, and later ones reach the gateway after its minRevision.
      return { revision: Math.max(cache.revision, target), events: [], nextKey: '' };
    case 'events': {
      const reply = eventsAfter(cache, req.afterRevision, namespace, opts.replyBudgetBytes);
      if (reply.nextKey === '') reply.revision = Math.max(reply.revision, target);
      return reply;
    }
    case 'state': {
      if (behind) return stateFromKV(cache, req, namespace, opts);
      const at = req.atRevision > 0 ? req.atRevision : cache.revision;
      const entries = cache.entriesAt(at);
      // The snapshot a continued page reads from is gone: kube's "continue token too old".
      if (!entries) throw newTooOldResourceVersion(at, cache.ring.startRevision);
      return statePage(entries, at, req, namespace, cache, opts.replyBudgetBytes);
    }
    default:
      throw new Error(`unknown cache.watch mode ${JSON.stringify(req.mode)}`);
  }
}

function eventsAfter(cache: ResourceCache, after: number, namespace: string, budget: number): CacheWatchReply {
  const revision = cache.revision;
  const events = cache.ring.since(after);
  if (!events) throw newTooOldResourceVersion(after, cache.ring.startRevision);
  const out: CacheEvent[] = [];
  let bytes = 0;
  for (const ev of events) {
    if (ev.revision > revision) break;
    if (bytes > budget) {
      // Truncated: complete only up to the last event sent; nextKey says more follow.
      return { revision: out[out.length - 1]!.revision, events: out, nextKey: '+' };
    }
    if (namespace !== '' && ev.namespace !== namespace) continue;
    out.push(eventMessage(ev));
    bytes += ev.object.byteLength + (ev.prevObject?.byteLength ?? 0);
  }
  return { revision, events: out, nextKey: '' };
}

function statePage(
  entries: ReadonlyMap<string, CacheEntry>,
  revision: number,
  req: CacheWatchRequest,
  namespace: string,
  cache: ResourceCache,
  budget: number,
): CacheWatchReply {
  const predicate = newSelectionPredicate(cache.info.group, cache.info.resource, req.labelSelector, req.fieldSelector);
  const nsPrefix = namespace === '' ? cache.prefix : `${cache.prefix}${namespace}/`;
  const keys: string[] = [];
  for (const key of entries.keys()) {
    if (key.startsWith(nsPrefix) && key > req.fromKey) keys.push(key);
  }
  keys.sort();
  const events: CacheEvent[] = [];
  let bytes = 0;
  for (let i = 0; i < keys.length; i++) {
    if (bytes > budget) return { revision, events, nextKey: keys[i - 1]! };
    const entry = entries.get(keys[i]!)!;
    if (!predicate.matches(entry.parsed)) continue;
    events.push({ type: 'ADDED', revision: entry.revision, prevRevision: 0, namespace: entry.namespace, object: entry.object, prevObject: EMPTY, key: entry.key });
    bytes += entry.object.byteLength;
  }
  return { revision, events, nextKey: '' };
}

/** A consistent state read straight from the KV (see the file comment). Paging continues from
 * the cache once it reached the revision, else from the KV again. */
async function stateFromKV(cache: ResourceCache, req: CacheWatchRequest, namespace: string, opts: WatchAnswerOptions): Promise<CacheWatchReply> {
  const { revision, entries } = await cache.listFromKV(req.atRevision);
  return statePage(entries, revision, req, namespace, cache, opts.replyBudgetBytes);
}
