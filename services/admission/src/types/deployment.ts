// Deployments (apps/v1): SetDefaults_Deployment, ValidateDeployment / ValidateDeploymentUpdate
// and the deployment strategy's selector immutability (pkg/registry/apps/deployment).

import { type FieldError, type FieldPath, fieldPath, forbidden, invalid, notSupported, required } from '@kapi/apimachinery';
import { defaultDeployment } from './apps-defaults.js';
import { intOrStringSyntax, strategySyntax } from './go-syntax-values.js';
import { type JsonObject, numberAt, objectAt, stringAt, unset } from './json.js';
import type { TypeStrategy } from './type-strategy.js';
import { validateNonnegative, validatePositive } from './validators.js';
import {
  asSelector,
  intOrPercentValue,
  isNotMoreThan100Percent,
  validatePositiveIntOrPercent,
  validateRequiredSelector,
  validateSelectorImmutable,
  validateTemplateForReplicaSet,
} from './workload-validation.js';

/** ValidateRollingUpdateDeployment. */
function validateRollingUpdate(rollingUpdate: JsonObject, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  errs.push(...validatePositiveIntOrPercent(rollingUpdate.maxUnavailable, path.child('maxUnavailable')));
  errs.push(...validatePositiveIntOrPercent(rollingUpdate.maxSurge, path.child('maxSurge')));
  if (intOrPercentValue(rollingUpdate.maxUnavailable) === 0 && intOrPercentValue(rollingUpdate.maxSurge) === 0) {
    errs.push(invalid(path.child('maxUnavailable'), intOrStringSyntax(rollingUpdate.maxUnavailable), 'may not be 0 when `maxSurge` is 0'));
  }
  errs.push(...isNotMoreThan100Percent(rollingUpdate.maxUnavailable, path.child('maxUnavailable')));
  return errs;
}

/** ValidateDeploymentStrategy. */
function validateStrategy(strategy: JsonObject, path: FieldPath): FieldError[] {
  const type = stringAt(strategy, 'type');
  const rollingUpdate = objectAt(strategy, 'rollingUpdate');
  switch (type) {
    case 'Recreate':
      return unset(strategy, 'rollingUpdate') ? [] : [forbidden(path.child('rollingUpdate'), "may not be specified when strategy `type` is 'Recreate'")];
    case 'RollingUpdate':
      return rollingUpdate ? validateRollingUpdate(rollingUpdate, path.child('rollingUpdate')) : [required(path.child('rollingUpdate'), 'this should be defaulted and never be nil')];
    default:
      return [notSupported(path, strategySyntax('apps.DeploymentStrategy', 'apps.RollingUpdateDeployment', strategy), ['Recreate', 'RollingUpdate'])];
  }
}

/** ValidateDeploymentSpec. */
export function validateDeploymentSpec(spec: JsonObject, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  errs.push(...validateNonnegative(numberAt(spec, 'replicas') ?? 0, path.child('replicas')));
  errs.push(...validateRequiredSelector(spec, path, 'deployment'));
  const selector = asSelector(spec.selector);
  if (!selector) errs.push(invalid(path.child('selector'), spec.selector ?? null, 'invalid label selector'));
  else errs.push(...validateTemplateForReplicaSet(spec.template, selector, path.child('template'), 'ReplicaSet'));
  errs.push(...validateStrategy(objectAt(spec, 'strategy') ?? {}, path.child('strategy')));
  const minReadySeconds = numberAt(spec, 'minReadySeconds') ?? 0;
  errs.push(...validateNonnegative(minReadySeconds, path.child('minReadySeconds')));
  const revisionHistoryLimit = numberAt(spec, 'revisionHistoryLimit');
  if (revisionHistoryLimit !== undefined) errs.push(...validateNonnegative(revisionHistoryLimit, path.child('revisionHistoryLimit')));
  const progressDeadlineSeconds = numberAt(spec, 'progressDeadlineSeconds');
  if (progressDeadlineSeconds !== undefined) {
    errs.push(...validatePositive(progressDeadlineSeconds, path.child('progressDeadlineSeconds')));
    if (progressDeadlineSeconds <= minReadySeconds) {
      errs.push(invalid(path.child('progressDeadlineSeconds'), progressDeadlineSeconds, 'must be greater than minReadySeconds'));
    }
  }
  return errs;
}

export const deploymentStrategy: TypeStrategy = {
  default: (object) => defaultDeployment(object as unknown as JsonObject),
  validate(attributes) {
    if (attributes.subresource !== '' || !attributes.object) return [];
    const spec = objectAt(attributes.object, 'spec') ?? {};
    const errs = validateDeploymentSpec(spec, fieldPath('spec'));
    if (attributes.operation === 'UPDATE' && attributes.oldObject) {
      errs.push(...validateSelectorImmutable(spec, objectAt(attributes.oldObject, 'spec') ?? {}));
    }
    return errs;
  },
};
