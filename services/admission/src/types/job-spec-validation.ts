// validateJobSpec (k8s.io/kubernetes pkg/apis/batch/validation): the checks a Job's spec and a
// CronJob's jobTemplate.spec share: counts non-negative, completion mode, pod replacement
// policy, the pod template, and a restart policy of OnFailure or Never.

import { type FieldError, type FieldPath, invalid, notSupported, required } from '@kapi/apimachinery';
import { type JsonObject, numberAt, objectAt, stringAt, unset } from './json.js';
import { validatePodTemplateSpec } from './pod-template-validation.js';
import { validateNonnegative } from './validators.js';

const MAX_PARALLELISM_FOR_INDEXED_JOB = 100000;

export function validateJobSpecCommon(spec: JsonObject, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  for (const key of ['parallelism', 'completions', 'activeDeadlineSeconds', 'backoffLimit', 'ttlSecondsAfterFinished']) {
    const v = numberAt(spec, key);
    if (v !== undefined) errs.push(...validateNonnegative(v, path.child(key)));
  }
  const perIndex = numberAt(spec, 'backoffLimitPerIndex');
  if (perIndex !== undefined) {
    errs.push(...validateNonnegative(perIndex, path.child('backoffLimitPerIndex')));
    if (spec.completionMode !== 'Indexed') {
      errs.push(required(path.child('completionMode'), 'when backoffLimitPerIndex is specified, completionMode must be "Indexed"'));
    }
  }
  if (typeof spec.completionMode === 'string') {
    const mode = spec.completionMode;
    if (mode !== 'NonIndexed' && mode !== 'Indexed') errs.push(notSupported(path.child('completionMode'), mode, ['NonIndexed', 'Indexed']));
    if (mode === 'Indexed') {
      if (unset(spec, 'completions')) errs.push(required(path.child('completions'), 'when completion mode is Indexed'));
      const parallelism = numberAt(spec, 'parallelism');
      if (parallelism !== undefined && parallelism > MAX_PARALLELISM_FOR_INDEXED_JOB) {
        errs.push(invalid(path.child('parallelism'), parallelism, `must be less than or equal to ${MAX_PARALLELISM_FOR_INDEXED_JOB} when completion mode is Indexed`));
      }
    }
  }
  const hasFailurePolicy = !unset(spec, 'podFailurePolicy');
  if (typeof spec.podReplacementPolicy === 'string') {
    const policy = spec.podReplacementPolicy;
    if (hasFailurePolicy) {
      if (policy !== 'Failed') errs.push(notSupported(path.child('podReplacementPolicy'), policy, ['Failed']));
    } else if (policy !== 'Failed' && policy !== 'TerminatingOrFailed') {
      errs.push(notSupported(path.child('podReplacementPolicy'), policy, ['Failed', 'TerminatingOrFailed']));
    }
  }
  const template = objectAt(spec, 'template') ?? {};
  errs.push(...validatePodTemplateSpec(template, path.child('template')));
  const restartPolicy = stringAt(objectAt(template, 'spec'), 'restartPolicy');
  const restartPath = path.child('template', 'spec', 'restartPolicy');
  if (restartPolicy === 'Always' || restartPolicy === '') {
    errs.push(required(restartPath, 'valid values: "OnFailure", "Never"'));
  } else if (restartPolicy !== 'OnFailure' && restartPolicy !== 'Never') {
    errs.push(notSupported(restartPath, restartPolicy, ['OnFailure', 'Never']));
  } else if (hasFailurePolicy && restartPolicy !== 'Never') {
    errs.push(invalid(restartPath, restartPolicy, 'only "Never" is supported when podFailurePolicy is specified'));
  }
  return errs;
}
