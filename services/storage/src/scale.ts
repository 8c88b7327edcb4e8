// The `scale` subresource (autoscaling/v1 Scale) of deployments, replicasets, statefulsets and
// replicationcontrollers: kube's ScaleREST (pkg/registry/apps/deployment/storage, replicaset,
// statefulset, core/replicationcontroller). A Scale is a view of the parent: GET converts the
// stored object; PUT/PATCH change only the parent's spec.replicas, under the parent's
// resourceVersion, so `kubectl scale` and HPAs work as against kube-apiserver.

import {
  jsonObjectOrEmpty,
  type FieldError,
  type KubeObject,
  invalid,
  labelsSelectorFromSet,
  newBadRequest,
  newConflict,
  newInvalid,
  selectorFromLabelSelector,
} from '@kapi/apimachinery';
import type { ResourceInfo } from '@kapi/schema';


/** Whether the resource serves scale (the catalogue lists it as a subresource). */
export function servesScale(info: ResourceInfo): boolean {
  return info.subresources.some((s) => s.name === 'scale');
}

/** The parent's selector as Scale.status.selector writes it: a LabelSelector for apps, a
 * plain label map for replication controllers (SelectorFromSet). Unparseable: empty. */
function selectorString(info: ResourceInfo, spec: Record<string, unknown>): string {
  try {
    if (info.group === '') return labelsSelectorFromSet(jsonObjectOrEmpty(spec.selector) as Record<string, string>).toString();
    return selectorFromLabelSelector(spec.selector as Parameters<typeof selectorFromLabelSelector>[0]).toString();
  } catch {
    return '';
  }
}

/** scaleFromDeployment and friends: the Scale view of a stored object. */
export function scaleOf(info: ResourceInfo, object: KubeObject): KubeObject {
  const metadata = object.metadata ?? {};
  const spec = jsonObjectOrEmpty(object.spec);
  const status = jsonObjectOrEmpty(object.status);
  const selector = selectorString(info, spec);
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: metadata.name,
      namespace: metadata.namespace,
      uid: metadata.uid,
      resourceVersion: metadata.resourceVersion,
      creationTimestamp: metadata.creationTimestamp,
    },
    spec: { replicas: typeof spec.replicas === 'number' ? spec.replicas : 0 },
    status: { replicas: typeof status.replicas === 'number' ? status.replicas : 0, ...(selector ? { selector } : {}) },
  } as KubeObject;
}

/** autoscaling validation.ValidateScale: metadata name/namespace and a non-negative replicas. */
function validateScale(scale: KubeObject): FieldError[] {
  const replicas = jsonObjectOrEmpty(scale.spec).replicas;
  if (replicas === undefined) return [];
  if (typeof replicas !== 'number' || !Number.isInteger(replicas)) return [invalid('spec.replicas', replicas, 'must be an integer')];
  return replicas < 0 ? [invalid('spec.replicas', replicas, 'must be greater than or equal to 0')] : [];
}

/**
 * The parent with the replicas of `scale` (scaleUpdatedObjectInfo.UpdatedObject): a Scale whose
 * name differs is a 400; one carrying a resourceVersion must match the parent's (409 Conflict,
 * as the parent's own precondition would be); an invalid Scale is a 422 for kind Scale.
 */
export function applyScale(info: ResourceInfo, parent: KubeObject, scale: KubeObject): KubeObject {
  const name = parent.metadata?.name ?? '';
  if ((scale.metadata?.name ?? name) !== name) {
    throw newBadRequest(`the name of the object (${scale.metadata?.name}) does not match the name on the URL (${name})`);
  }
  const errors = validateScale(scale);
  if (errors.length > 0) throw newInvalid({ group: 'autoscaling', kind: 'Scale' }, name, errors);
  const requested = scale.metadata?.resourceVersion;
  if (requested && requested !== parent.metadata?.resourceVersion) {
    throw newConflict(
      { group: info.group, resource: info.resource },
      name,
      'the object has been modified; please apply your changes to the latest version and try again',
    );
  }
  const next = structuredClone(parent);
  next.spec = { ...jsonObjectOrEmpty(next.spec), replicas: jsonObjectOrEmpty(scale.spec).replicas ?? 0 };
  return next;
}
