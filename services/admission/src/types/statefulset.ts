// StatefulSets (apps/v1): SetDefaults_StatefulSet, ValidateStatefulSet / ValidateStatefulSetUpdate
// (only replicas, ordinals, template, updateStrategy, revisionHistoryLimit, claim retention
// and minReadySeconds may change) and the strategy's selector immutability.

import {
  type FieldError,
  type FieldPath,
  GoSyntaxValue,
  fieldPath,
  forbidden,
  invalid,
  notSupported,
  required,
  validateAnnotations,
  validateLabels,
} from '@kapi/apimachinery';
import { defaultStatefulSet } from './apps-defaults.js';
import { intOrStringSyntax, labelsSyntax, strategySyntax } from './go-syntax-values.js';
import { type JsonObject, numberAt, objectAt, stringAt, stringMap, unset } from './json.js';
import type { TypeStrategy } from './type-strategy.js';
import { validateNonnegative } from './validators.js';
import {
  asSelector,
  intOrPercentValue,
  isNotMoreThan100Percent,
  semanticEqual,
  validatePositiveIntOrPercent,
  validateRequiredSelector,
  validateSelectorImmutable,
} from './workload-validation.js';

const RETENTION_POLICIES = ['Retain', 'Delete'];

/** ValidateStatefulSetSpec. */
export function validateStatefulSetSpec(spec: JsonObject, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const policy = stringAt(spec, 'podManagementPolicy');
  if (policy === '') errs.push(required(path.child('podManagementPolicy'), ''));
  else if (policy !== 'OrderedReady' && policy !== 'Parallel') {
    errs.push(invalid(path.child('podManagementPolicy'), policy, "must be 'OrderedReady' or 'Parallel'"));
  }
  const strategy = objectAt(spec, 'updateStrategy') ?? {};
  const type = stringAt(strategy, 'type');
  const rollingUpdate = objectAt(strategy, 'rollingUpdate');
  if (type === '') errs.push(required(path.child('updateStrategy'), ''));
  else if (type === 'OnDelete') {
    if (rollingUpdate) {
      const shown = new GoSyntaxValue(`apps.RollingUpdateStatefulSetStrategy{Partition:${numberAt(rollingUpdate, 'partition') ?? 0}, MaxUnavailable:(*intstr.IntOrString)(${unset(rollingUpdate, 'maxUnavailable') ? 'nil' : '0x0'})}`);
      errs.push(invalid(path.child('updateStrategy', 'rollingUpdate'), shown, "only allowed for updateStrategy 'RollingUpdate'"));
    }
  } else if (type === 'RollingUpdate') {
    // validateRollingUpdateStatefulSet.
    const p = path.child('updateStrategy', 'rollingUpdate');
    const partition = numberAt(rollingUpdate, 'partition');
    if (partition !== undefined) errs.push(...validateNonnegative(partition, p.child('partition')));
    if (rollingUpdate && !unset(rollingUpdate, 'maxUnavailable')) {
      const maxUnavailable = rollingUpdate.maxUnavailable;
      errs.push(...validatePositiveIntOrPercent(maxUnavailable, p.child('maxUnavailable')));
      if (intOrPercentValue(maxUnavailable) === 0) errs.push(invalid(p.child('maxUnavailable'), intOrStringSyntax(maxUnavailable), 'cannot be 0'));
      errs.push(...isNotMoreThan100Percent(maxUnavailable, p.child('maxUnavailable')));
    }
  } else {
    const shown = strategySyntax('apps.StatefulSetUpdateStrategy', 'apps.RollingUpdateStatefulSetStrategy', strategy);
    errs.push(invalid(path.child('updateStrategy'), shown, "must be 'RollingUpdate' or 'OnDelete'"));
  }
  const retention = objectAt(spec, 'persistentVolumeClaimRetentionPolicy');
  for (const key of ['whenDeleted', 'whenScaled']) {
    const value = stringAt(retention, key);
    if (retention && !RETENTION_POLICIES.includes(value)) {
      errs.push(notSupported(path.child('persistentVolumeClaimRetentionPolicy', key), value, RETENTION_POLICIES));
    }
  }
  const ordinals = objectAt(spec, 'ordinals');
  const start = numberAt(ordinals, 'start');
  if (start !== undefined) errs.push(...validateNonnegative(start, path.child('ordinals', 'start')));
  errs.push(...validateNonnegative(numberAt(spec, 'replicas') ?? 0, path.child('replicas')));
  errs.push(...validateNonnegative(numberAt(spec, 'minReadySeconds') ?? 0, path.child('minReadySeconds')));
  errs.push(...validateRequiredSelector(spec, path, 'statefulset'));
  const selector = asSelector(spec.selector);
  const template = objectAt(spec, 'template');
  if (!selector) errs.push(invalid(path.child('selector'), spec.selector ?? null, ''));
  else if (!template) errs.push(required(path.child('template'), ''));
  else {
    // ValidatePodTemplateSpecForStatefulSet: labels, annotations, the selector match.
    const metadata = objectAt(template, 'metadata');
    if (!selector.empty() && !selector.matches(stringMap(metadata?.labels))) {
      errs.push(invalid(path.child('template', 'metadata', 'labels'), labelsSyntax(metadata?.labels), '`selector` does not match template `labels`'));
    }
    errs.push(...validateLabels(metadata?.labels, path.child('template', 'labels')));
    errs.push(...validateAnnotations(metadata?.annotations, path.child('template', 'annotations')));
  }
  const podSpec = objectAt(template, 'spec');
  const restartPolicy = stringAt(podSpec, 'restartPolicy');
  if (restartPolicy !== 'Always') errs.push(notSupported(path.child('template', 'spec', 'restartPolicy'), restartPolicy, ['Always']));
  if (podSpec && !unset(podSpec, 'activeDeadlineSeconds')) {
    errs.push(forbidden(path.child('template', 'spec', 'activeDeadlineSeconds'), 'activeDeadlineSeconds in StatefulSet is not Supported'));
  }
  return errs;
}

const UPDATABLE = ['replicas', 'template', 'updateStrategy', 'minReadySeconds', 'ordinals', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy'];

/** ValidateStatefulSetUpdate's spec rule. */
function validateSpecUpdate(spec: JsonObject, oldSpec: JsonObject): FieldError[] {
  const next: JsonObject = { ...spec };
  const prev: JsonObject = { ...oldSpec };
  for (const key of UPDATABLE) {
    delete next[key];
    delete prev[key];
  }
  if (semanticEqual(next, prev)) return [];
  return [
    forbidden(
      fieldPath('spec'),
      "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
    ),
  ];
}

export const statefulSetStrategy: TypeStrategy = {
  default: (object) => defaultStatefulSet(object as unknown as JsonObject),
  validate(attributes) {
    if (attributes.subresource !== '' || !attributes.object) return [];
    const spec = objectAt(attributes.object, 'spec') ?? {};
    const errs = validateStatefulSetSpec(spec, fieldPath('spec'));
    if (attributes.operation === 'UPDATE' && attributes.oldObject) {
      const oldSpec = objectAt(attributes.oldObject, 'spec') ?? {};
      errs.push(...validateSpecUpdate(spec, oldSpec));
      errs.push(...validateSelectorImmutable(spec, oldSpec));
    }
    return errs;
  },
};

