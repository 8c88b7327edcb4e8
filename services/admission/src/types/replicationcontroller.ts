// ReplicationControllers (core/v1): SetDefaults_ReplicationController (selector and labels from
// the template's labels, replicas 1) and ValidateReplicationController /
// ValidateReplicationControllerUpdate (a non-empty selector matching the template, a template
// that restarts Always).

import {
  type FieldError,
  type FieldPath,
  fieldPath,
  forbidden,
  invalid,
  labelsSelectorFromSet,
  notSupported,
  required,
} from '@kapi/apimachinery';
import { labelsSyntax } from './go-syntax-values.js';
import { type JsonObject, ensureObject, isObject, numberAt, objectAt, setDefault, stringAt, stringMap, unset } from './json.js';
import { defaultPodTemplateSpec } from './pod-spec-defaults.js';
import { validatePodTemplateSpec } from './pod-template-validation.js';
import type { TypeStrategy } from './type-strategy.js';
import { validateNonnegative } from './validators.js';

function defaultReplicationController(rc: JsonObject): boolean {
  const spec = ensureObject(rc, 'spec');
  let changed = false;
  const template = objectAt(spec, 'template');
  const labels = objectAt(objectAt(template, 'metadata'), 'labels');
  if (labels) {
    if (Object.keys(objectAt(spec, 'selector') ?? {}).length === 0 && Object.keys(labels).length > 0) {
      spec.selector = { ...labels };
      changed = true;
    }
    const metadata = ensureObject(rc, 'metadata');
    if (Object.keys(objectAt(metadata, 'labels') ?? {}).length === 0 && Object.keys(labels).length > 0) {
      metadata.labels = { ...labels };
      changed = true;
    }
  }
  if (setDefault(spec, 'replicas', 1)) changed = true;
  if (defaultPodTemplateSpec(template)) changed = true;
  return changed;
}

/** ValidatePodTemplateSpecForRC. */
function validateTemplateForRC(template: unknown, selectorMap: Record<string, string>, path: FieldPath): FieldError[] {
  if (!isObject(template)) return [required(path, '')];
  const errs: FieldError[] = [];
  const selector = labelsSelectorFromSet(selectorMap);
  const labels = objectAt(objectAt(template, 'metadata'), 'labels');
  if (!selector.empty() && !selector.matches(stringMap(labels))) {
    errs.push(invalid(path.child('metadata', 'labels'), labelsSyntax(labels), '`selector` does not match template `labels`'));
  }
  errs.push(...validatePodTemplateSpec(template, path));
  const spec = objectAt(template, 'spec');
  const restartPolicy = stringAt(spec, 'restartPolicy');
  if (restartPolicy !== 'Always') errs.push(notSupported(path.child('spec', 'restartPolicy'), restartPolicy, ['Always']));
  if (spec && !unset(spec, 'activeDeadlineSeconds')) {
    errs.push(forbidden(path.child('spec', 'activeDeadlineSeconds'), 'activeDeadlineSeconds in ReplicationController is not Supported'));
  }
  return errs;
}

/** ValidateReplicationControllerSpec. */
function validateSpec(spec: JsonObject, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  errs.push(...validateNonnegative(numberAt(spec, 'minReadySeconds') ?? 0, path.child('minReadySeconds')));
  const selector = stringMap(spec.selector);
  if (Object.keys(selector).length === 0) errs.push(required(path.child('selector'), ''));
  errs.push(...validateNonnegative(numberAt(spec, 'replicas') ?? 0, path.child('replicas')));
  errs.push(...validateTemplateForRC(spec.template, selector, path.child('template')));
  return errs;
}

export const replicationControllerStrategy: TypeStrategy = {
  default: (object) => defaultReplicationController(object as unknown as JsonObject),
  validate(attributes) {
    if (attributes.subresource !== '' || !attributes.object) return [];
    return validateSpec(objectAt(attributes.object, 'spec') ?? {}, fieldPath('spec'));
  },
};
