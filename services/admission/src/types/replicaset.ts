// ReplicaSets (apps/v1): SetDefaults_ReplicaSet, ValidateReplicaSet / ValidateReplicaSetUpdate
// and the strategy's selector immutability (pkg/registry/apps/replicaset).

import { type FieldError, type FieldPath, fieldPath, invalid } from '@kapi/apimachinery';
import { defaultReplicaSet } from './apps-defaults.js';
import { type JsonObject, numberAt, objectAt } from './json.js';
import type { TypeStrategy } from './type-strategy.js';
import { validateNonnegative } from './validators.js';
import { asSelector, validateRequiredSelector, validateSelectorImmutable, validateTemplateForReplicaSet } from './workload-validation.js';

/** ValidateReplicaSetSpec (kube's empty-selector text says "deployment" here too). */
export function validateReplicaSetSpec(spec: JsonObject, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  errs.push(...validateNonnegative(numberAt(spec, 'replicas') ?? 0, path.child('replicas')));
  errs.push(...validateNonnegative(numberAt(spec, 'minReadySeconds') ?? 0, path.child('minReadySeconds')));
  errs.push(...validateRequiredSelector(spec, path, 'deployment'));
  const selector = asSelector(spec.selector);
  if (!selector) errs.push(invalid(path.child('selector'), spec.selector ?? null, 'invalid label selector'));
  else errs.push(...validateTemplateForReplicaSet(spec.template, selector, path.child('template'), 'ReplicaSet'));
  return errs;
}

export const replicaSetStrategy: TypeStrategy = {
  default: (object) => defaultReplicaSet(object as unknown as JsonObject),
  validate(attributes) {
    if (attributes.subresource !== '' || !attributes.object) return [];
    const spec = objectAt(attributes.object, 'spec') ?? {};
    const errs = validateReplicaSetSpec(spec, fieldPath('spec'));
    if (attributes.operation === 'UPDATE' && attributes.oldObject) {
      errs.push(...validateSelectorImmutable(spec, objectAt(attributes.oldObject, 'spec') ?? {}));
    }
    return errs;
  },
};
