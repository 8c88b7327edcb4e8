// cache.list and cache.get: LIST and GET served from the watch cache with kube-apiserver's
// resourceVersion semantics (cacher.GetList / cacher.Get and their delegation rules):
//   unset   consistent: once the cache reached the KV's current revision (bounded wait);
//   "0"     any: the cache as it is;
//   N       not older than N: once the cache reached N (a revision the KV has not reached is 504
//           "Too large resource version");
//   Exact N (and the legacy paged "RV=N with limit"): storage's job;
//   continue: the page after the token's key in the snapshot at the token's revision, rebuilt
//           from the ring (410 Expired with kube's inconsistent-continue token once the ring no
//           longer reaches back).
// A read the cache should not answer (Exact, a GET without resourceVersion — kube reads those
// from etcd — or freshness the cache cannot prove on a KV without progress notify) is answered
// with an empty ObjectReply: the caller reads from storage instead (CacheRpc contract).

import {
  type KubeObject,
  apiVersionOf,
  continueAfter,
  decodeContinue,
  newContinueTooOld,
  newContinueWithResourceVersion,
  newInvalid,
  newNotFound,
  newSelectionPredicate,
  newTooLargeResourceVersion,
  parseResourceVersion,
  validateListOptions,
} from '@kapi/apimachinery';
import type { GetRequest, ListRequest, ObjectReply } from '@kapi/bus';
import type { KV } from '@kapi/kv';
import type { ResourceCache } from './resource-cache.js';

export interface ReadAnswerOptions {
  kv: KV;
  freshnessWaitMs: number;
}

/** "Ask storage": the reply of a read the cache does not serve. */
export const DELEGATE_TO_STORAGE: ObjectReply = Object.freeze({ object: new Uint8Array(), warnings: [], code: 0 }) as ObjectReply;

const encoder = new TextEncoder();

function budget(opts: ReadAnswerOptions, deadline: number | undefined): number {
  const left = deadline === undefined ? Infinity : deadline - Date.now() - 250;
  return Math.max(0, Math.min(opts.freshnessWaitMs, left));
}

/** Waits until the cache reached `revision`. 'stale' when it cannot show it but the KV has it
 * (the caller delegates); throws 504 for a revision the KV has not reached either. */
async function fresh(cache: ResourceCache, revision: number, opts: ReadAnswerOptions, deadline: number | undefined): Promise<'fresh' | 'stale'> {
  if (revision <= cache.revision) return 'fresh';
  if (cache.progressSupported && (await cache.waitForRevision(revision, budget(opts, deadline)))) return 'fresh';
  const current = await opts.kv.currentRevision();
  if (revision <= current) return 'stale';
  if (await cache.waitForRevision(revision, budget(opts, deadline))) return 'fresh';
  throw newTooLargeResourceVersion(revision, current, 1);
}

function prefixOf(cache: ResourceCache, namespace: string): string {
  return cache.info.namespaced && namespace !== '' ? `${cache.prefix}${namespace}/` : cache.prefix;
}

export async function answerList(cache: ResourceCache, req: ListRequest, opts: ReadAnswerOptions, deadline: number | undefined): Promise<ObjectReply> {
  const o = req.options;
  const errors = validateListOptions(o);
  if (errors.length > 0) throw newInvalid({ group: 'meta.k8s.io', kind: 'ListOptions' }, '', errors);
  const info = cache.info;
  const prefix = prefixOf(cache, info.namespaced ? req.ref.namespace : '');
  const limit = o.limit > 0 ? o.limit : 0;
  const predicate = newSelectionPredicate(info.group, info.resource, o.labelSelector, o.fieldSelector);

  let at: number;
  let startKey = prefix;
  if (o.continue !== '') {
    const position = decodeContinue(o.continue, prefix);
    if (o.resourceVersion !== '' && o.resourceVersion !== '0') throw newContinueWithResourceVersion();
    startKey = position.fromKey;
    at = position.resourceVersion > 0 ? position.resourceVersion : cache.revision;
    if ((await fresh(cache, at, opts, deadline)) === 'stale') return DELEGATE_TO_STORAGE;
  } else if (o.resourceVersion === '') {
    const current = await opts.kv.currentRevision();
    if ((await fresh(cache, current, opts, deadline)) === 'stale') return DELEGATE_TO_STORAGE;
    at = cache.revision;
  } else {
    const requested = parseResourceVersion(o.resourceVersion);
    const exact = o.resourceVersionMatch === 'Exact' || (o.resourceVersionMatch === '' && limit > 0 && requested > 0);
    if (exact) return DELEGATE_TO_STORAGE;
    if ((await fresh(cache, requested, opts, deadline)) === 'stale') return DELEGATE_TO_STORAGE;
    at = cache.revision;
  }

  const entries = cache.entriesAt(at);
  if (!entries) {
    if (o.continue !== '') throw newContinueTooOld(startKey, prefix);
    return DELEGATE_TO_STORAGE;
  }
  const keys: string[] = [];
  for (const key of entries.keys()) if (key.startsWith(prefix) && key >= startKey) keys.push(key);
  keys.sort();

  const items: KubeObject[] = [];
  let lastKey: string | undefined;
  let index = 0;
  for (; index < keys.length && (limit === 0 || items.length < limit); index++) {
    const entry = entries.get(keys[index]!)!;
    if (!predicate.matches(entry.parsed)) continue;
    // Items of a built-in list carry no apiVersion/kind, as kube-apiserver serializes them.
    const { apiVersion: _a, kind: _k, ...item } = entry.parsed;
    items.push(item as KubeObject);
    lastKey = keys[index];
  }
  const metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number } = { resourceVersion: String(at) };
  // More selected objects may follow: hand out a token (kube's cacher does the same when more
  // keys remain, even if none of them would match).
  if (limit > 0 && items.length >= limit && index < keys.length && lastKey !== undefined) {
    metadata.continue = continueAfter(lastKey, prefix, at);
    if (predicate.everything) metadata.remainingItemCount = keys.length - index;
  }
  const list = { apiVersion: apiVersionOf(info.group, info.version), kind: info.listKind, metadata, items };
  return { object: encoder.encode(JSON.stringify(list)), warnings: [], code: 0 };
}

export async function answerGet(cache: ResourceCache, req: GetRequest, opts: ReadAnswerOptions, deadline: number | undefined): Promise<ObjectReply> {
  // kube's cacher.Get delegates a GET without resourceVersion to etcd (a quorum read).
  if (req.resourceVersion === '') return DELEGATE_TO_STORAGE;
  const requested = parseResourceVersion(req.resourceVersion, 'get');
  if ((await fresh(cache, requested, opts, deadline)) === 'stale') return DELEGATE_TO_STORAGE;
  const info = cache.info;
  if (req.ref.name === '' || req.ref.name.includes('/') || (info.namespaced && req.ref.namespace === '')) return DELEGATE_TO_STORAGE;
  const key = info.namespaced ? `${cache.prefix}${req.ref.namespace}/${req.ref.name}` : `${cache.prefix}${req.ref.name}`;
  const entry = cache.entries().get(key);
  if (!entry) throw newNotFound({ group: info.group, resource: info.resource }, req.ref.name);
  return { object: entry.object, warnings: [], code: 0 };
}
