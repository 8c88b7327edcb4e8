// What a DELETE does to the stored object before (or instead of) removing it, as kube's
// rest.BeforeDelete and the generic store's updateForGracefulDeletionAndFinalizers decide:
// preconditions, graceful deletion (pods), the garbage collector's finalizers for the
// propagation policy, and markAsDeleting for objects held by finalizers. Pure functions over
// objects; registry.ts does the reads and compare-and-swap writes.

import {
  type KubeObject,
  type ObjectMeta,
  type StatusError,
  formatTimestamp,
  newConflict,
  parseTimestamp,
} from '@kapi/apimachinery';
import type { ResourceInfo } from '@kapi/schema';
import type { GarbageCollectionPolicy, ResourceStrategy } from './strategy.js';

export interface DeleteOptions {
  preconditions?: { uid?: string; resourceVersion?: string };
  /** 'Orphan', 'Background', 'Foreground' or absent (the type's default policy). */
  propagationPolicy?: string;
  gracePeriodSeconds?: number;
  dryRun: boolean;
}

export const FINALIZER_ORPHAN = 'orphan';
export const FINALIZER_FOREGROUND = 'foregroundDeletion';

/**
 * rest.BeforeDelete's precondition check: a Conflict on the Kind (`ConfigMap`, `Deployment.apps`),
 * not the resource, with texts that say what probably happened. undefined when they hold.
 */
export function checkDeletePreconditions(info: ResourceInfo, object: KubeObject, options: DeleteOptions): StatusError | undefined {
  const metadata = object.metadata ?? {};
  const name = metadata.name ?? '';
  // kube builds the GroupResource from the kind: `ConfigMap "cm"`, `Deployment.apps "web"`.
  const onKind = { group: info.group, resource: info.kind };
  const uid = options.preconditions?.uid ?? '';
  if (uid !== '' && uid !== (metadata.uid ?? '')) {
    return newConflict(
      onKind,
      name,
      `the UID in the precondition (${uid}) does not match the UID in record (${metadata.uid ?? ''}). The object might have been deleted and then recreated`,
    );
  }
  const rv = options.preconditions?.resourceVersion ?? '';
  if (rv !== '' && rv !== (metadata.resourceVersion ?? '')) {
    return newConflict(
      onKind,
      name,
      `the ResourceVersion in the precondition (${rv}) does not match the ResourceVersion in record (${metadata.resourceVersion ?? ''}). The object might have been modified`,
    );
  }
  return undefined;
}

/** What the generic store does with one DELETE of the object it just read. */
export type DeletePlan =
  /** A graceful deletion is already under way and this request does not shorten it: answer the
   * object as stored (finalizeDelete), change nothing. */
  | { action: 'pending' }
  /** Remove the object now. */
  | { action: 'delete' }
  /** Write `object` (deletion fields, finalizers); with thenDelete, remove it right after (a
   * graceful deletion with a zero period leaves this last state in the watch history). */
  | { action: 'update'; object: KubeObject; thenDelete: boolean };

/**
 * kube's shouldOrphanDependents / shouldDeleteDependents / deletionFinalizersForGarbageCollection:
 * the request's propagation policy wins, then a GC finalizer already on the object, then the
 * type's default. Returns the new finalizer list, or undefined when the set does not change.
 */
export function garbageCollectionFinalizers(policy: GarbageCollectionPolicy, finalizers: readonly string[], propagation: string | undefined): string[] | undefined {
  const existing = (): boolean | undefined => {
    for (const f of finalizers) {
      if (f === FINALIZER_ORPHAN) return true;
      if (f === FINALIZER_FOREGROUND) return false;
    }
    return undefined;
  };
  let orphan = false;
  let foreground = false;
  if (policy !== 'Unsupported') {
    if (propagation === 'Orphan' || propagation === 'Background' || propagation === 'Foreground') {
      orphan = propagation === 'Orphan';
      foreground = propagation === 'Foreground';
    } else {
      const orphanFirst = existing();
      orphan = orphanFirst ?? policy === 'OrphanDependents';
      foreground = orphanFirst === false;
    }
  }
  const next = finalizers.filter((f) => f !== FINALIZER_ORPHAN && f !== FINALIZER_FOREGROUND);
  if (orphan) next.push(FINALIZER_ORPHAN);
  if (foreground) next.push(FINALIZER_FOREGROUND);
  const before = new Set(finalizers);
  const after = new Set(next);
  const same = before.size === after.size && [...before].every((f) => after.has(f));
  return same ? undefined : next;
}

/**
 * kube's markAsDeleting, for objects that cannot go yet because finalizers hold them:
 * generation bumped on the first deletion, deletionTimestamp now (unless an earlier one is set),
 * deletionGracePeriodSeconds 0.
 */
export function markAsDeleting(metadata: ObjectMeta, now: Date): void {
  if (!metadata.deletionTimestamp && (metadata.generation ?? 0) > 0) metadata.generation = metadata.generation! + 1;
  const existing = metadata.deletionTimestamp ? parseTimestamp(metadata.deletionTimestamp) : undefined;
  if (!existing || existing.getTime() > now.getTime()) metadata.deletionTimestamp = formatTimestamp(now);
  metadata.deletionGracePeriodSeconds = 0;
}

/** The result of the graceful-deletion half of rest.BeforeDelete. */
type Graceful = { graceful: false } | { graceful: true; period: number } | { pending: true };

/**
 * rest.BeforeDelete's graceful part, on `metadata` (changed in place): a type without graceful
 * deletion is never graceful; an object already being deleted may only have its grace period
 * shortened (deletionTimestamp moved back, never into the past); otherwise the type's
 * CheckGracefulDelete picks the period and the first deletion bumps the generation.
 */
function beforeGracefulDelete(strategy: ResourceStrategy, object: KubeObject, metadata: ObjectMeta, requested: number | undefined, now: Date): Graceful {
  if (!strategy.checkGracefulDelete) return { graceful: false };
  if (metadata.deletionTimestamp) {
    const current = metadata.deletionGracePeriodSeconds;
    // An earlier graceful deletion that reached 0 (or never set a period) finishes now.
    if (current === undefined || current === 0) return { graceful: false };
    if (requested === undefined || requested >= current) return { pending: true };
    const stamped = parseTimestamp(metadata.deletionTimestamp) ?? now;
    let deadline = stamped.getTime() - current * 1000 + requested * 1000;
    let period = requested;
    if (deadline < now.getTime()) {
      deadline = now.getTime();
      // The whole period has passed: the shortest graceful deletion, 1 s, unless 0 was asked.
      if (period !== 0) period = 1;
    }
    metadata.deletionTimestamp = formatTimestamp(new Date(deadline));
    metadata.deletionGracePeriodSeconds = period;
    // kube goes on with the requested period (options.GracePeriodSeconds), not the adjusted one.
    return { graceful: true, period: requested };
  }
  const period = strategy.checkGracefulDelete(object, requested);
  if (period === undefined) return { graceful: false };
  metadata.deletionTimestamp = formatTimestamp(new Date(now.getTime() + period * 1000));
  metadata.deletionGracePeriodSeconds = period;
  if ((metadata.generation ?? 0) > 0) metadata.generation = metadata.generation! + 1;
  return { graceful: true, period };
}

/**
 * The generic store's Delete for one read of the object: graceful deletion, GC finalizers for the
 * propagation policy, and what has to be written or removed. `object` is not changed.
 */
export function planDelete(strategy: ResourceStrategy, object: KubeObject, options: DeleteOptions, now: Date): DeletePlan {
  const next = structuredClone(object);
  const metadata = (next.metadata ??= {});
  // Negative periods count as 1 s, in the request and in the object.
  const requested = options.gracePeriodSeconds !== undefined && options.gracePeriodSeconds < 0 ? 1 : options.gracePeriodSeconds;
  if (metadata.deletionGracePeriodSeconds !== undefined && metadata.deletionGracePeriodSeconds < 0) metadata.deletionGracePeriodSeconds = 1;

  const graceful = beforeGracefulDelete(strategy, next, metadata, requested, now);
  if ('pending' in graceful) return { action: 'pending' };

  const heldBefore = (metadata.finalizers ?? []).length > 0;
  const finalizers = garbageCollectionFinalizers(strategy.gcPolicy, metadata.finalizers ?? [], options.propagationPolicy);
  if (!graceful.graceful && !heldBefore && finalizers === undefined) return { action: 'delete' };

  if (finalizers !== undefined) {
    if (finalizers.length > 0) metadata.finalizers = finalizers;
    else delete metadata.finalizers;
  }
  const held = (metadata.finalizers ?? []).length > 0;
  if (!graceful.graceful) {
    if (!held) return { action: 'delete' };
    markAsDeleting(metadata, now);
    return { action: 'update', object: next, thenDelete: false };
  }
  return { action: 'update', object: next, thenDelete: !held && graceful.period === 0 };
}
