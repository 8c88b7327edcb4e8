// DaemonSets (apps/v1): SetDefaults_DaemonSet, ValidateDaemonSet / ValidateDaemonSetUpdate and
// the strategy's selector immutability (pkg/registry/apps/daemonset).

import { type FieldError, type FieldPath, fieldPath, invalid, notSupported, required } from '@kapi/apimachinery';
import { defaultDaemonSet } from './apps-defaults.js';
import { intOrStringSyntax, labelSelectorSyntax, labelsSyntax, strategySyntax } from './go-syntax-values.js';
import { type JsonObject, isObject, numberAt, objectAt, stringAt, stringMap, unset } from './json.js';
import { validatePodTemplateSpec } from './pod-template-validation.js';
import type { TypeStrategy } from './type-strategy.js';
import { validateNonnegative } from './validators.js';
import {
  asSelector,
  intOrPercentValue,
  isNotMoreThan100Percent,
  validatePositiveIntOrPercent,
  validateSelectorImmutable,
  validateSelectorStrictly,
} from './workload-validation.js';

/** ValidateDaemonSetUpdateStrategy. */
function validateUpdateStrategy(strategy: JsonObject, path: FieldPath): FieldError[] {
  const type = stringAt(strategy, 'type');
  if (type === 'OnDelete') return [];
  if (type !== 'RollingUpdate') {
    return [notSupported(path, strategySyntax('apps.DaemonSetUpdateStrategy', 'apps.RollingUpdateDaemonSet', strategy), ['RollingUpdate', 'OnDelete'])];
  }
  const rollingUpdate = objectAt(strategy, 'rollingUpdate');
  if (!rollingUpdate) return [required(path.child('rollingUpdate'), '')];
  const p = path.child('rollingUpdate');
  const errs: FieldError[] = [];
  const hasUnavailable = intOrPercentValue(rollingUpdate.maxUnavailable) !== 0;
  errs.push(...validatePositiveIntOrPercent(rollingUpdate.maxUnavailable, p.child('maxUnavailable')));
  errs.push(...isNotMoreThan100Percent(rollingUpdate.maxUnavailable, p.child('maxUnavailable')));
  const hasSurge = !unset(rollingUpdate, 'maxSurge') && intOrPercentValue(rollingUpdate.maxSurge) !== 0;
  if (hasSurge) {
    errs.push(...validatePositiveIntOrPercent(rollingUpdate.maxSurge, p.child('maxSurge')));
    errs.push(...isNotMoreThan100Percent(rollingUpdate.maxSurge, p.child('maxSurge')));
  }
  if (!hasUnavailable && !hasSurge) {
    errs.push(invalid(p.child('maxUnavailable'), intOrStringSyntax(rollingUpdate.maxUnavailable), 'cannot be 0 when maxSurge is 0'));
  }
  return errs;
}

/** ValidateDaemonSetSpec. */
export function validateDaemonSetSpec(spec: JsonObject, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (isObject(spec.selector)) errs.push(...validateSelectorStrictly(spec.selector, path.child('selector')));
  const template = objectAt(spec, 'template') ?? {};
  const labels = objectAt(template, 'metadata')?.labels;
  const selector = asSelector(spec.selector);
  if (selector && !selector.matches(stringMap(labels))) {
    errs.push(invalid(path.child('template', 'metadata', 'labels'), labelsSyntax(labels), '`selector` does not match template `labels`'));
  }
  if (isObject(spec.selector) && Object.keys(stringMap(spec.selector.matchLabels)).length + (Array.isArray(spec.selector.matchExpressions) ? spec.selector.matchExpressions.length : 0) === 0) {
    errs.push(invalid(path.child('selector'), labelSelectorSyntax(spec.selector), 'empty selector is invalid for daemonset'));
  }
  errs.push(...validatePodTemplateSpec(template, path.child('template')));
  const podSpec = objectAt(template, 'spec');
  const restartPolicy = stringAt(podSpec, 'restartPolicy');
  if (restartPolicy !== 'Always') errs.push(notSupported(path.child('template', 'spec', 'restartPolicy'), restartPolicy, ['Always']));
  const deadline = numberAt(podSpec, 'activeDeadlineSeconds');
  if (deadline !== undefined) {
    errs.push(invalid(path.child('template', 'spec', 'activeDeadlineSeconds'), deadline, 'activeDeadlineSeconds in DaemonSet is not Supported'));
  }
  errs.push(...validateNonnegative(numberAt(spec, 'minReadySeconds') ?? 0, path.child('minReadySeconds')));
  errs.push(...validateNonnegative(numberAt(spec, 'templateGeneration') ?? 0, path.child('templateGeneration')));
  errs.push(...validateUpdateStrategy(objectAt(spec, 'updateStrategy') ?? {}, path.child('updateStrategy')));
  const revisionHistoryLimit = numberAt(spec, 'revisionHistoryLimit');
  if (revisionHistoryLimit !== undefined) errs.push(...validateNonnegative(revisionHistoryLimit, path.child('revisionHistoryLimit')));
  return errs;
}

export const daemonSetStrategy: TypeStrategy = {
  default: (object) => defaultDaemonSet(object as unknown as JsonObject),
  validate(attributes) {
    if (attributes.subresource !== '' || !attributes.object) return [];
    const spec = objectAt(attributes.object, 'spec') ?? {};
    const errs = validateDaemonSetSpec(spec, fieldPath('spec'));
    if (attributes.operation === 'UPDATE' && attributes.oldObject) {
      errs.push(...validateSelectorImmutable(spec, objectAt(attributes.oldObject, 'spec') ?? {}));
    }
    return errs;
  },
};
