// The "strategy" half of the validate step (DESIGN: mutate -> validate schema+strategy ->
// validate admission): what kube-apiserver's rest.BeforeCreate / BeforeUpdate check through the
// type's strategy. Today that is ObjectMeta (names per resource, namespace by scope, labels,
// annotations, finalizers, owner references, immutable fields on update); per-type validation of
// the common kinds slots in here.

import { type FieldError, type KubeObject, validateObjectMeta, validateObjectMetaUpdate } from '@kapi/apimachinery';
import type { Catalogue } from '@kapi/schema';
import type { AdmissionAttributes } from './chain.js';

export type StrategyValidation = (attributes: AdmissionAttributes) => FieldError[];

export function strategyValidation(catalogue: Catalogue): StrategyValidation {
  return (attributes) => {
    const info = catalogue.lookup(attributes.group, attributes.version, attributes.resource);
    const object = attributes.object as KubeObject | undefined;
    // Subresource writes (status, finalize) change no metadata; storage keeps the stored one.
    if (!info || !object || attributes.subresource !== '') return [];
    const metadata = object.metadata ?? {};
    const errors = validateObjectMeta(metadata, { namespaced: info.namespaced, nameValidation: info.nameValidation });
    if (attributes.operation === 'UPDATE' && attributes.oldObject) {
      errors.push(...validateObjectMetaUpdate(metadata, attributes.oldObject.metadata ?? {}));
    }
    return errors;
  };
}
