// Statuses the generic store answers that @kapi/apimachinery has no factory for: the ones kube
// builds in k8s.io/apiserver's storage layer (StorageError texts, the Success Status of a delete)
// or that reach the client unconverted. Everything else comes from apimachinery's errors.ts.

import {
  type GroupResource,
  type KubeObject,
  type StatusDetails,
  StatusError,
  newConflict,
} from '@kapi/apimachinery';

/** storage.ErrResourceVersionSetOnCreate. */
export const RESOURCE_VERSION_SET_ON_CREATE = 'resourceVersion should not be set on objects to be created';

/** The same error with kube's "object is being deleted: " prefix (store.go create). */
export function beingDeleted(err: StatusError): StatusError {
  return new StatusError({ ...err.status, message: `object is being deleted: ${err.status.message ?? ''}` });
}

/**
 * A failed storage precondition (storage.Preconditions.Check -> NewInvalidObjError) after
 * storeerr.InterpretUpdateError: 409 Conflict carrying the StorageError text. The error's
 * ResourceVersion is always 0 (NewInvalidObjError does not set one).
 */
export function storagePreconditionConflict(qr: GroupResource, name: string, key: string, failure: string): StatusError {
  return newConflict(qr, name, `StorageError: invalid object, Code: 4, Key: ${key}, ResourceVersion: 0, AdditionalErrorMsg: ${failure}`);
}

/**
 * finalizeDelete's answer for stores that do not return the deleted object:
 * metav1.Status{Status: Success, Details: {Name, Group, Kind: resource, UID}} with no code, members
 * in Go's order and empty strings left out, as kube-apiserver serializes it.
 */
export function deletedStatus(qr: GroupResource, name: string, uid: string): KubeObject {
  const details: StatusDetails = {};
  if (name) details.name = name;
  if (qr.group) details.group = qr.group;
  details.kind = qr.resource;
  if (uid) details.uid = uid;
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details };
}
