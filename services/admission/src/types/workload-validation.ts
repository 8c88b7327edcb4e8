// Validation shared by the apps/v1 workloads (pkg/apis/apps/validation): selectors against
// template labels, int-or-percent rolling update fields, and the strategy's selector
// immutability.

import {
  type FieldError,
  type FieldPath,
  type LabelSelector,
  type LabelsSelector,
  FIELD_IMMUTABLE_ERROR_MSG,
  fieldPath,
  forbidden,
  invalid,
  notSupported,
  regexError,
  required,
  selectorFromLabelSelector,
  validateLabelSelector,
} from '@kapi/apimachinery';
import { intOrStringSyntax, labelSelectorSyntax, labelsSyntax } from './go-syntax-values.js';
import { type JsonObject, isObject, objectAt, stringAt, stringMap, unset } from './json.js';
import { validatePodTemplateSpec } from './pod-template-validation.js';
import { validateNonnegative } from './validators.js';

/** metav1.LabelSelectorAsSelector; undefined when the selector does not convert. */
export function asSelector(selector: unknown): LabelsSelector | undefined {
  try {
    return selectorFromLabelSelector(isObject(selector) ? (selector as unknown as LabelSelector) : null);
  } catch {
    return undefined;
  }
}

/** The selector checks of Deployment/ReplicaSet/StatefulSet specs: required, valid, not empty. */
export function validateRequiredSelector(spec: JsonObject, path: FieldPath, kindWord: string): FieldError[] {
  const errs: FieldError[] = [];
  const selector = spec.selector;
  if (!isObject(selector)) {
    errs.push(required(path.child('selector'), ''));
    return errs;
  }
  errs.push(...validateSelectorStrictly(selector, path.child('selector')));
  if (Object.keys(stringMap(selector.matchLabels)).length + (Array.isArray(selector.matchExpressions) ? selector.matchExpressions.length : 0) === 0) {
    errs.push(invalid(path.child('selector'), labelSelectorSyntax(selector), `empty selector is invalid for ${kindWord}`));
  }
  return errs;
}

/** ValidateLabelSelector with AllowInvalidLabelValueInSelector false. */
export function validateSelectorStrictly(selector: JsonObject, path: FieldPath): FieldError[] {
  try {
    return validateLabelSelector(selector as unknown as LabelSelector, path, { allowInvalidLabelValueInSelector: false });
  } catch {
    return [invalid(path, labelSelectorSyntax(selector), 'invalid label selector')];
  }
}

/** ValidatePodTemplateSpecForReplicaSet: template labels matched by the selector, the pod
 * template valid, restartPolicy Always, no activeDeadlineSeconds. */
export function validateTemplateForReplicaSet(template: unknown, selector: LabelsSelector, path: FieldPath, kind: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!isObject(template)) return [required(path, '')];
  const metadata = objectAt(template, 'metadata');
  if (!selector.empty() && !selector.matches(stringMap(metadata?.labels))) {
    errs.push(invalid(path.child('metadata', 'labels'), labelsSyntax(metadata?.labels), '`selector` does not match template `labels`'));
  }
  errs.push(...validatePodTemplateSpec(template, path));
  const spec = objectAt(template, 'spec');
  const restartPolicy = stringAt(spec, 'restartPolicy');
  if (restartPolicy !== 'Always') errs.push(notSupported(path.child('spec', 'restartPolicy'), restartPolicy, ['Always']));
  if (spec && !unset(spec, 'activeDeadlineSeconds')) {
    errs.push(forbidden(path.child('spec', 'activeDeadlineSeconds'), `activeDeadlineSeconds in ${kind} is not Supported`));
  }
  return errs;
}

const PERCENT = /^[0-9]+%$/;

/** getIntOrPercentValue: the int, or the number before '%'. */
export function intOrPercentValue(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') {
    const n = Number.parseInt(value.replace(/%$/, ''), 10);
    return Number.isNaN(n) ? 0 : n;
  }
  return 0;
}

/** ValidatePositiveIntOrPercent. */
export function validatePositiveIntOrPercent(value: unknown, path: FieldPath): FieldError[] {
  if (typeof value === 'string') {
    return PERCENT.test(value)
      ? []
      : [invalid(path, intOrStringSyntax(value), regexError("a valid percent string must be a numeric string followed by an ending '%'", '[0-9]+%', '1%', '93%'))];
  }
  if (typeof value === 'number') return validateNonnegative(value, path);
  return [];
}

/** IsNotMoreThan100Percent. */
export function isNotMoreThan100Percent(value: unknown, path: FieldPath): FieldError[] {
  if (typeof value !== 'string' || !PERCENT.test(value)) return [];
  return intOrPercentValue(value) <= 100 ? [] : [invalid(path, intOrStringSyntax(value), 'must not be greater than 100%')];
}

function canonicalJSON(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJSON).join(',')}]`;
  if (isObject(v)) {
    return `{${Object.keys(v)
      .filter((k) => v[k] !== undefined && v[k] !== null && !(Array.isArray(v[k]) && (v[k] as unknown[]).length === 0) && !(isObject(v[k]) && Object.keys(v[k] as object).length === 0))
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJSON(v[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v ?? null);
}

/** apiequality.Semantic.DeepEqual on decoded JSON: empty maps and lists equal absent ones. */
export function semanticEqual(a: unknown, b: unknown): boolean {
  return canonicalJSON(a) === canonicalJSON(b);
}

/** The strategies' selector immutability on update (apps/v1, batch/v1): `field is immutable`. */
export function validateSelectorImmutable(spec: JsonObject, oldSpec: JsonObject): FieldError[] {
  if (semanticEqual(spec.selector, oldSpec.selector)) return [];
  return [invalid(fieldPath('spec', 'selector'), labelSelectorSyntax(spec.selector), FIELD_IMMUTABLE_ERROR_MSG)];
}
