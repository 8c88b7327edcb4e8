// What an update of the main resource or of a subresource makes of the requested object before
// admission: kube's rest.BeforeUpdate (namespace, generation, uid, creationTimestamp and deletion
// fields are the server's) around the update strategy of the target (the type's strategy for
// the main resource, its status strategy for /status, its own strategy for /finalize), then
// Canonicalize. Also ShouldDeleteDuringUpdate. Validation is admission's (strategy-validation).

import { type KubeObject, type ObjectMeta, ensureNamespaceMatchesRequest, metaOf } from '@kapi/apimachinery';
import type { ResourceInfo } from '@kapi/schema';
import { type ResourceStrategy, type StatusMetadataReset, tracksGeneration } from './strategy.js';

export interface UpdateTarget {
  info: ResourceInfo;
  /** The request's namespace ('' for cluster-scoped resources). */
  namespace: string;
  /** '' for the main resource. */
  subresource: string;
}

function hasStatusSubresource(info: ResourceInfo): boolean {
  return info.subresources.some((s) => s.name === 'status');
}

function setOrDelete<K extends keyof ObjectMeta>(metadata: ObjectMeta, key: K, value: ObjectMeta[K] | undefined): void {
  if (value === undefined) delete metadata[key];
  else metadata[key] = value;
}

/** The request's metadata with the fields the status strategy resets taken from the stored one. */
function statusMetadata(requested: ObjectMeta, stored: ObjectMeta, reset: StatusMetadataReset): ObjectMeta {
  if (reset === 'all') {
    // managedFields are the request's: they track the status change itself.
    const metadata = structuredClone(stored);
    setOrDelete(metadata, 'managedFields', requested.managedFields);
    return metadata;
  }
  const metadata: ObjectMeta = { ...requested };
  for (const key of reset) setOrDelete(metadata, key, structuredClone(stored[key]));
  return metadata;
}

/** A status strategy: everything but status (and the metadata it lets through) as stored. */
function statusUpdate(strategy: ResourceStrategy, object: KubeObject, old: KubeObject): KubeObject {
  const next = structuredClone(old);
  if ('status' in object) next.status = object.status;
  else delete next.status;
  next.metadata = statusMetadata(object.metadata ?? {}, old.metadata ?? {}, strategy.statusResetsMetadata);
  return next;
}

/** The main resource's update strategy: status as stored (for types with a status subresource),
 * the type's PrepareForUpdate, and a new generation when the type says the object changed. */
function mainUpdate(info: ResourceInfo, strategy: ResourceStrategy, object: KubeObject, old: KubeObject): KubeObject {
  if (hasStatusSubresource(info)) {
    if ('status' in old) object.status = old.status;
    else delete object.status;
  }
  strategy.prepareForUpdate?.(object, old);
  const generation = old.metadata?.generation;
  if (tracksGeneration(info) && strategy.generationChanged(object, old)) metaOf(object).generation = (generation ?? 0) + 1;
  return object;
}

/**
 * rest.BeforeUpdate without validation: the object to admit for an update of `target` from the
 * requested `object` (changed in place, or replaced for /status) and the stored `old`. Throws
 * kube's 400 when the object names another namespace.
 */
export function prepareUpdate(target: UpdateTarget, strategy: ResourceStrategy, object: KubeObject, old: KubeObject): KubeObject {
  const oldMeta = old.metadata ?? {};
  ensureNamespaceMatchesRequest(metaOf(object), target.namespace, target.info.namespaced);
  // The generation is the stored one unless the update strategy bumps it.
  setOrDelete(metaOf(object), 'generation', oldMeta.generation);

  let next: KubeObject;
  if (target.subresource === '') {
    next = mainUpdate(target.info, strategy, object, old);
  } else if (target.subresource === 'status') {
    next = statusUpdate(strategy, object, old);
  } else {
    // The registry serves only the subresources the strategy names (requireStored).
    next = object;
    if (Object.hasOwn(strategy.subresourceUpdates, target.subresource)) strategy.subresourceUpdates[target.subresource]!(next, old);
  }

  const metadata = metaOf(next);
  if (!metadata.uid && oldMeta.uid) metadata.uid = oldMeta.uid;
  if (oldMeta.creationTimestamp) metadata.creationTimestamp = oldMeta.creationTimestamp;
  // An update can never remove or change a deletion timestamp, nor remove a grace period.
  if (oldMeta.deletionTimestamp) metadata.deletionTimestamp = oldMeta.deletionTimestamp;
  if (oldMeta.deletionGracePeriodSeconds !== undefined && metadata.deletionGracePeriodSeconds === undefined) {
    metadata.deletionGracePeriodSeconds = oldMeta.deletionGracePeriodSeconds;
  }
  strategy.canonicalize?.(next);
  return next;
}

/**
 * kube's ShouldDeleteDuringUpdate (plus the store's own condition): an update that leaves no
 * finalizers on an object whose deletion started, without a grace period still running,
 * deletes it.
 */
export function shouldDeleteDuringUpdate(strategy: ResourceStrategy, object: KubeObject, old: KubeObject): boolean {
  if ((object.metadata?.finalizers ?? []).length > 0) return false;
  const oldMeta = old.metadata ?? {};
  if (!oldMeta.deletionTimestamp) return false;
  const grace = oldMeta.deletionGracePeriodSeconds;
  if (grace !== undefined && grace !== 0) return false;
  return strategy.deletableDuringUpdate?.(object) ?? true;
}
