// Per-resource behaviour of the generic registry: what kube-apiserver's RESTCreateStrategy /
// RESTUpdateStrategy / RESTDeleteStrategy (and the status / finalize strategies, field label
// conversion and GetAttrs) of each type decide. The generic rules cover most resources; a table
// holds the types that differ, each entry checked against the type's kube strategy
// (k8s.io/kubernetes pkg/registry/<group>/<type>/strategy.go, apiextensions-apiserver and
// kube-aggregator for CRDs and APIServices). registry.ts never asks which resource it serves.

import {
  jsonObjectOrEmpty,
  type KubeObject,
  type ObjectMeta,
  type StatusError,
  formatTimestamp,
  newConflict,
  newFieldLabelNotSupported,
  newUnknownMetadataFieldSelector,
} from '@kapi/apimachinery';
import type { ResourceInfo } from '@kapi/schema';
import {
  type DeleteOptions,
  FINALIZER_FOREGROUND,
  FINALIZER_ORPHAN,
  checkDeletePreconditions,
} from './before-delete.js';
import { jsonEqual } from './json-equal.js';

/** rest.GarbageCollectionPolicy: which GC finalizer a DELETE without propagationPolicy adds. */
export type GarbageCollectionPolicy = 'DeleteDependents' | 'OrphanDependents' | 'Unsupported';

/**
 * The ObjectMeta a /status update takes from the stored object (the rest of the metadata comes
 * from the request; spec and every other top-level member always come from the stored object).
 * 'all': the whole ObjectMeta except managedFields (flowcontrol's status strategies).
 */
export type StatusMetadataReset = readonly (keyof ObjectMeta)[] | 'all';

/** metav1.ResetObjectMetaForStatus: kube's generic rule, opted into by most newer types. */
export const RESET_OBJECT_META_FOR_STATUS: StatusMetadataReset = [
  'deletionTimestamp',
  'generation',
  'selfLink',
  'labels',
  'annotations',
  'finalizers',
  'ownerReferences',
];
/** Status strategies that reset spec only (`newX.Spec = oldX.Spec`): metadata changes go through. */
const SPEC_ONLY: StatusMetadataReset = [];

/** The update strategy of a subresource other than status (PrepareForUpdate on a full object). */
export type SubresourceUpdate = (object: KubeObject, old: KubeObject) => void;

/** How a type-specific DELETE starts (see ResourceStrategy.beginDelete). */
export type DeleteStart = { write: KubeObject } | 'unchanged' | 'generic';

export interface ResourceStrategy {
  /** Create may carry status only where the type allows it (kube resets it for types with a
   * status subresource, except nodes, whose status the kubelet posts at registration). */
  resetStatusOnCreate: boolean;
  /** PUT of a missing object creates it (Endpoints, Events, Leases). */
  allowCreateOnUpdate: boolean;
  /** PUT without metadata.resourceVersion is allowed (last write wins). */
  allowUnconditionalUpdate: boolean;
  /** DELETE answers with the deleted object instead of a Success Status. */
  returnDeletedObject: boolean;
  /** Overrides the catalogue's tracksGeneration for kinds with a spec whose kube strategy never
   * sets metadata.generation (namespaces, services, nodes, volumes, quotas, leases ...). */
  tracksGeneration?: boolean;
  /** For types that track generation: whether an update of the main resource bumps it. */
  generationChanged(object: KubeObject, old: KubeObject): boolean;
  /** Metadata a /status update cannot change. */
  statusResetsMetadata: StatusMetadataReset;
  /** Subresources besides status the generic store updates, with their update strategy. */
  subresourceUpdates: Readonly<Record<string, SubresourceUpdate>>;
  /** Type-specific changes after the generic create preparation, before admission. */
  prepareForCreate?(object: KubeObject): void;
  /** Type-specific changes to an update of the main resource (old is the stored object). */
  prepareForUpdate?(object: KubeObject, old: KubeObject): void;
  /** Normalization after every create and update preparation (kube's Canonicalize). */
  canonicalize?(object: KubeObject): void;
  /** A store-specific condition on top of the generic ShouldDeleteDuringUpdate. */
  deletableDuringUpdate?(object: KubeObject): boolean;
  /** RESTGracefulDeleteStrategy.CheckGracefulDelete: the grace period for a DELETE with the
   * (non-negative) requested period, or undefined when this object is deleted at once. Types
   * without it never delete gracefully. */
  checkGracefulDelete?(object: KubeObject, requested: number | undefined): number | undefined;
  /** The policy used when a DELETE names none and the object carries no GC finalizer. */
  gcPolicy: GarbageCollectionPolicy;
  /** DELETE preconditions (uid, resourceVersion) with the texts this type's REST answers. */
  checkDeletePreconditions(info: ResourceInfo, object: KubeObject, options: DeleteOptions): StatusError | undefined;
  /**
   * A type-specific first phase of DELETE (kube: REST wrappers around the generic store's
   * Delete): write and answer an object, answer the stored object unchanged, or go on with the
   * generic delete.
   */
  beginDelete?(object: KubeObject, options: DeleteOptions, now: Date): DeleteStart;
}

function specChanged(object: KubeObject, old: KubeObject): boolean {
  return !jsonEqual(object.spec, old.spec);
}

const DEFAULT_STRATEGY: ResourceStrategy = {
  resetStatusOnCreate: true,
  allowCreateOnUpdate: false,
  allowUnconditionalUpdate: true,
  returnDeletedObject: false,
  generationChanged: specChanged,
  statusResetsMetadata: RESET_OBJECT_META_FOR_STATUS,
  subresourceUpdates: {},
  gcPolicy: 'DeleteDependents',
  checkDeletePreconditions,
};

const text = (value: unknown): string => (value === undefined || value === null ? '' : String(value));

// ---- namespaces ---------------------------------------------------------------------------------

const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';
export const NAMESPACE_FINALIZER = 'kubernetes';

function namespaceFinalizers(object: KubeObject): string[] {
  return (jsonObjectOrEmpty(object.spec).finalizers as string[] | undefined) ?? [];
}

/** The namespace REST's own GC finalizer rule: only an explicit policy changes them. */
function namespaceGcFinalizers(finalizers: readonly string[], policy: string | undefined): string[] {
  if (policy !== 'Orphan' && policy !== 'Foreground' && policy !== 'Background') return [...finalizers];
  const next = finalizers.filter((f) => f !== FINALIZER_ORPHAN && f !== FINALIZER_FOREGROUND);
  if (policy === 'Orphan') next.push(FINALIZER_ORPHAN);
  if (policy === 'Foreground') next.push(FINALIZER_FOREGROUND);
  return next;
}

/** kube's namespace strategy and REST (pkg/registry/core/namespace): phase Active and the
 * `kubernetes` finalizer on create, the kubernetes.io/metadata.name label (Canonicalize),
 * spec.finalizers changed only through /finalize (a full update that keeps status), and its own
 * DELETE: the first one marks the namespace Terminating (no grace period, no generation), later
 * ones wait for spec.finalizers to empty before the generic delete. */
const namespaceStrategy: ResourceStrategy = {
  ...DEFAULT_STRATEGY,
  returnDeletedObject: true,
  tracksGeneration: false,
  statusResetsMetadata: SPEC_ONLY,
  subresourceUpdates: {
    finalize(object, old) {
      if ('status' in old) object.status = old.status;
      else delete object.status;
    },
  },
  prepareForCreate(object) {
    object.status = { phase: 'Active' };
    const finalizers = namespaceFinalizers(object);
    object.spec = { ...jsonObjectOrEmpty(object.spec), finalizers: finalizers.includes(NAMESPACE_FINALIZER) ? finalizers : [...finalizers, NAMESPACE_FINALIZER] };
  },
  prepareForUpdate(object, old) {
    object.spec = { ...jsonObjectOrEmpty(object.spec), finalizers: namespaceFinalizers(old) };
  },
  canonicalize(object) {
    const metadata = (object.metadata ??= {});
    if (metadata.name) metadata.labels = { ...metadata.labels, [NAMESPACE_NAME_LABEL]: metadata.name };
  },
  deletableDuringUpdate: (object) => namespaceFinalizers(object).length === 0,
  checkDeletePreconditions(_info, object, options) {
    const metadata = object.metadata ?? {};
    const qr = { group: '', resource: 'namespaces' };
    const uid = options.preconditions?.uid ?? '';
    if (uid !== '' && uid !== (metadata.uid ?? '')) {
      return newConflict(qr, metadata.name ?? '', `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${metadata.uid ?? ''}`);
    }
    const rv = options.preconditions?.resourceVersion ?? '';
    if (rv !== '' && rv !== (metadata.resourceVersion ?? '')) {
      return newConflict(
        qr,
        metadata.name ?? '',
        `Precondition failed: ResourceVersion in precondition: ${rv}, ResourceVersion in object meta: ${metadata.resourceVersion ?? ''}`,
      );
    }
    return undefined;
  },
  beginDelete(object, options, now) {
    if (object.metadata?.deletionTimestamp) return namespaceFinalizers(object).length > 0 ? 'unchanged' : 'generic';
    const next = structuredClone(object);
    const metadata = (next.metadata ??= {});
    metadata.deletionTimestamp = formatTimestamp(now);
    next.status = { ...jsonObjectOrEmpty(next.status), phase: 'Terminating' };
    const finalizers = namespaceGcFinalizers(metadata.finalizers ?? [], options.propagationPolicy);
    if (finalizers.length > 0) metadata.finalizers = finalizers;
    else delete metadata.finalizers;
    return { write: next };
  },
};

// ---- pods ---------------------------------------------------------------------------------------

/** The v1 default of spec.terminationGracePeriodSeconds; kube's defaulting always sets it, kapi
 * reads it here when the stored pod lacks it. */
const DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS = 30;

/** kube's pod strategy: Pending on create; graceful deletion only for pods scheduled to a node
 * and still running (podStrategy.CheckGracefulDelete); pods/status cannot change spec or owner
 * references; field selectors on the fields the kubelet and scheduler watch. */
const podStrategy: ResourceStrategy = {
  ...DEFAULT_STRATEGY,
  returnDeletedObject: true,
  statusResetsMetadata: ['ownerReferences', 'deletionTimestamp'],
  prepareForCreate(object) {
    object.status = { phase: 'Pending' };
  },
  checkGracefulDelete(object, requested) {
    const spec = jsonObjectOrEmpty(object.spec);
    const phase = jsonObjectOrEmpty(object.status).phase;
    let period = requested ?? (spec.terminationGracePeriodSeconds as number | undefined) ?? DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS;
    if (!spec.nodeName) period = 0;
    if (phase === 'Failed' || phase === 'Succeeded') period = 0;
    return period < 0 ? 1 : period;
  },
};

// ---- events -------------------------------------------------------------------------------------

/** kube's core event strategy: created by PUT, never garbage collected, selectable on the
 * involved object and the reporter (source falls back to reportingComponent). */
const eventStrategy: ResourceStrategy = {
  ...DEFAULT_STRATEGY,
  allowCreateOnUpdate: true,
  gcPolicy: 'Unsupported',
};

// ---- the table ----------------------------------------------------------------------------------

const STRATEGIES: Record<string, ResourceStrategy> = {
  '/namespaces': namespaceStrategy,
  '/pods': podStrategy,
  '/events': eventStrategy,
  '/services': {
    ...DEFAULT_STRATEGY,
    returnDeletedObject: true,
    tracksGeneration: false,
    statusResetsMetadata: SPEC_ONLY,
  },
  '/nodes': {
    ...DEFAULT_STRATEGY,
    resetStatusOnCreate: false,
    tracksGeneration: false,
    statusResetsMetadata: SPEC_ONLY,
  },
  '/replicationcontrollers': {
    ...DEFAULT_STRATEGY,
    statusResetsMetadata: SPEC_ONLY,
    // rcStrategy.DefaultGarbageCollectionPolicy: OrphanDependents for core/v1, the only version.
    gcPolicy: 'OrphanDependents',
  },
  '/secrets': {
    ...DEFAULT_STRATEGY,
  },
  '/persistentvolumes': { ...DEFAULT_STRATEGY, tracksGeneration: false, statusResetsMetadata: SPEC_ONLY },
  '/persistentvolumeclaims': { ...DEFAULT_STRATEGY, tracksGeneration: false, statusResetsMetadata: SPEC_ONLY },
  '/resourcequotas': { ...DEFAULT_STRATEGY, tracksGeneration: false, statusResetsMetadata: SPEC_ONLY },
  '/limitranges': { ...DEFAULT_STRATEGY, tracksGeneration: false },
  '/endpoints': { ...DEFAULT_STRATEGY, allowCreateOnUpdate: true },
  'apps/deployments': {
    ...DEFAULT_STRATEGY,
    // Annotations are copied to the ReplicaSets, so changing them is a new generation too.
    generationChanged: (object, old) => specChanged(object, old) || !jsonEqual(object.metadata?.annotations, old.metadata?.annotations),
    statusResetsMetadata: ['labels'],
  },
  'apps/replicasets': { ...DEFAULT_STRATEGY, statusResetsMetadata: SPEC_ONLY },
  'apps/statefulsets': { ...DEFAULT_STRATEGY, statusResetsMetadata: SPEC_ONLY },
  'apps/daemonsets': { ...DEFAULT_STRATEGY, statusResetsMetadata: SPEC_ONLY },
  'batch/jobs': { ...DEFAULT_STRATEGY, statusResetsMetadata: SPEC_ONLY },
  'batch/cronjobs': { ...DEFAULT_STRATEGY, statusResetsMetadata: SPEC_ONLY },
  'autoscaling/horizontalpodautoscalers': { ...DEFAULT_STRATEGY, statusResetsMetadata: SPEC_ONLY },
  'policy/poddisruptionbudgets': { ...DEFAULT_STRATEGY, allowUnconditionalUpdate: false, statusResetsMetadata: SPEC_ONLY },
  'networking.k8s.io/ingresses': { ...DEFAULT_STRATEGY, statusResetsMetadata: SPEC_ONLY },
  'networking.k8s.io/servicecidrs': { ...DEFAULT_STRATEGY, statusResetsMetadata: SPEC_ONLY },
  'certificates.k8s.io/certificatesigningrequests': { ...DEFAULT_STRATEGY, statusResetsMetadata: SPEC_ONLY },
  'storage.k8s.io/volumeattachments': { ...DEFAULT_STRATEGY, allowUnconditionalUpdate: false, statusResetsMetadata: RESET_OBJECT_META_FOR_STATUS },
  'resource.k8s.io/resourceclaims': { ...DEFAULT_STRATEGY, statusResetsMetadata: RESET_OBJECT_META_FOR_STATUS },
  'admissionregistration.k8s.io/validatingadmissionpolicies': { ...DEFAULT_STRATEGY, statusResetsMetadata: RESET_OBJECT_META_FOR_STATUS },
  'flowcontrol.apiserver.k8s.io/flowschemas': { ...DEFAULT_STRATEGY, statusResetsMetadata: 'all' },
  'flowcontrol.apiserver.k8s.io/prioritylevelconfigurations': { ...DEFAULT_STRATEGY, statusResetsMetadata: 'all' },
  // v0.36 calls metav1.ResetObjectMetaForStatus(&new, &new): a no-op, so only spec is reset.
  'apiextensions.k8s.io/customresourcedefinitions': { ...DEFAULT_STRATEGY, allowUnconditionalUpdate: false, statusResetsMetadata: SPEC_ONLY },
  'apiregistration.k8s.io/apiservices': {
    ...DEFAULT_STRATEGY,
    allowUnconditionalUpdate: false,
    statusResetsMetadata: ['labels', 'annotations', 'finalizers', 'ownerReferences'],
  },
  'coordination.k8s.io/leases': { ...DEFAULT_STRATEGY, allowCreateOnUpdate: true, allowUnconditionalUpdate: false, tracksGeneration: false },
  'events.k8s.io/events': { ...DEFAULT_STRATEGY, allowCreateOnUpdate: true, gcPolicy: 'Unsupported' },
};

export function strategyFor(info: ResourceInfo): ResourceStrategy {
  return STRATEGIES[`${info.group}/${info.resource}`] ?? DEFAULT_STRATEGY;
}

/** Whether metadata.generation is kept (1 on create, +1 per spec change) for this resource. */
export function tracksGeneration(info: ResourceInfo): boolean {
  return strategyFor(info).tracksGeneration ?? info.tracksGeneration;
}
