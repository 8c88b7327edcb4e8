// The "strategy" half of the validate step (DESIGN: mutate -> validate schema+strategy ->
// validate admission): what kube-apiserver's rest.BeforeCreate / BeforeUpdate check through the
// type's strategy. Storage prepares the object (system fields, status reset, subresource
// strategies) and leaves every ObjectMeta check to this step. Today that is ObjectMeta (names per
// resource, namespace by scope, labels, annotations, finalizers, owner references, managed
// fields, immutable fields and no new finalizers on update); per-type validation of the common
// kinds slots in here. Storage keeps the checks that need the stored state it reads itself
// (resourceVersion rules, the uid precondition of a PUT).

import { type FieldError, type KubeObject, validateObjectMeta, validateObjectMetaUpdate } from '@kapi/apimachinery';
import type { Catalogue } from '@kapi/schema';
import type { AdmissionAttributes } from './chain.js';
import { validateType } from './types/index.js';

export type StrategyValidation = (attributes: AdmissionAttributes) => FieldError[];

/**
 * Subresource writes whose object is the resource's own kind, prepared by storage's generic store
 * (status for every type, finalize for namespaces). kube's BeforeUpdate validates their ObjectMeta
 * like the main resource's (validateCommonFields), and a status update may change metadata the
 * type's status strategy lets through (labels, annotations ...). Other subresources (scale,
 * binding, eviction ...) carry other kinds and are not validated as this resource.
 */
const OWN_KIND_SUBRESOURCES: ReadonlySet<string> = new Set(['', 'status', 'finalize']);

export function strategyValidation(catalogue: Catalogue): StrategyValidation {
  return (attributes) => {
    const info = catalogue.lookup(attributes.group, attributes.version, attributes.resource);
    const object = attributes.object as KubeObject | undefined;
    if (!info || !object || !OWN_KIND_SUBRESOURCES.has(attributes.subresource)) return [];
    const metadata = object.metadata ?? {};
    // kube's validateCommonFields order: the object's ObjectMeta, then the update rules.
    const errors = validateObjectMeta(metadata, { namespaced: info.namespaced, nameValidation: info.nameValidation });
    if (attributes.operation === 'UPDATE' && attributes.oldObject) {
      errors.push(...validateObjectMetaUpdate(metadata, attributes.oldObject.metadata ?? {}));
    }
    // Then the type's own rules (types/index.ts), as ValidateXxx lists them after ObjectMeta.
    errors.push(...validateType(attributes));
    return errors;
  };
}
