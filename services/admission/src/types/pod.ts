// Pods: SetDefaults_Pod / _PodSpec, the pod strategy's PrepareForCreate status (phase Pending
// and the QoS class, computed on the defaulted pod), the Priority admission plugin's default
// for pods without a priority class (priority 0, preemptionPolicy PreemptLowerPriority), and
// ValidatePodCreate / ValidatePodUpdate (k8s.io/kubernetes pkg/apis/core/validation).

import { type FieldError, fieldPath, forbidden, invalid, required } from '@kapi/apimachinery';
import type { AdmissionAttributes } from '../chain.js';
import { describeJsonDiff } from './json-diff.js';
import { type JsonObject, ensureObject, isObject, listAt, numberAt, objectAt, setDefault, stringAt } from './json.js';
import { defaultPod } from './pod-spec-defaults.js';
import { validateContainersOnlyForPod, validatePodSpec, validateTolerations } from './pod-spec-validation.js';
import { computePodQOS } from './qos.js';
import type { TypeStrategy } from './type-strategy.js';
import { MAX_INT32, inclusiveRangeError } from './validators.js';

/** The fields a pod update may change, as kube lists them in its Forbidden message. */
const UPDATABLE_POD_SPEC_FIELDS = [
  '`spec.containers[*].image`',
  '`spec.initContainers[*].image`',
  '`spec.activeDeadlineSeconds`',
  '`spec.tolerations` (only additions to existing tolerations)',
  '`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
];

function isMainResource(attributes: AdmissionAttributes): boolean {
  return attributes.subresource === '';
}

export const podStrategy: TypeStrategy = {
  default(object, attributes) {
    const pod = object as unknown as JsonObject;
    let changed = defaultPod(pod);
    if (attributes.operation === 'CREATE' && isMainResource(attributes) && object === attributes.object) {
      const spec = ensureObject(pod, 'spec');
      // plugin/pkg/admission/priority: no class named and no global default class: priority 0.
      if (stringAt(spec, 'priorityClassName') === '') {
        if (setDefault(spec, 'priority', 0)) changed = true;
        if (setDefault(spec, 'preemptionPolicy', 'PreemptLowerPriority')) changed = true;
      }
      // podStrategy.PrepareForCreate: Status{Phase: Pending, QOSClass: GetPodQOS(pod)}.
      const status = ensureObject(pod, 'status');
      if (setDefault(status, 'phase', 'Pending')) changed = true;
      const qos = computePodQOS(pod);
      if (status.qosClass !== qos) {
        status.qosClass = qos;
        changed = true;
      }
    }
    return changed;
  },
  validate(attributes) {
    if (!isMainResource(attributes) || !attributes.object) return [];
    const pod = attributes.object as unknown as JsonObject;
    const old = attributes.oldObject as unknown as JsonObject | undefined;
    if (attributes.operation === 'UPDATE' && old) return validatePodUpdate(pod, old);
    return validatePodCreate(pod);
  },
};

/** validatePodMetadataAndSpec without the ObjectMeta half (the chain's strategy step runs it). */
function validatePodSpecOf(pod: JsonObject): FieldError[] {
  return validatePodSpec(objectAt(pod, 'spec') ?? {}, fieldPath('spec'), { resourceIsPod: true });
}

/** ValidatePodCreate. */
export function validatePodCreate(pod: JsonObject): FieldError[] {
  const errs = validatePodSpecOf(pod);
  const spec = objectAt(pod, 'spec') ?? {};
  const specPath = fieldPath('spec');
  if (listAt(spec, 'ephemeralContainers').length > 0) errs.push(forbidden(specPath.child('ephemeralContainers'), 'cannot be set on create'));
  if (stringAt(spec, 'nodeName') !== '' && listAt(spec, 'schedulingGates').length > 0) {
    errs.push(forbidden(specPath.child('nodeName'), 'cannot be set until all schedulingGates have been cleared'));
  }
  errs.push(...validateContainersOnlyForPod(spec.containers, specPath.child('containers')));
  errs.push(...validateContainersOnlyForPod(spec.initContainers, specPath.child('initContainers')));
  return errs;
}

/** ValidateContainerUpdates: same number of containers, images set and trimmed. Returns
 * whether validation stops here. */
function validateContainerUpdates(next: unknown[], prev: unknown[], path: ReturnType<typeof fieldPath>, errs: FieldError[]): boolean {
  if (next.length !== prev.length) {
    errs.push(forbidden(path, 'pod updates may not add or remove containers'));
    return true;
  }
  next.forEach((container, i) => {
    const image = stringAt(container, 'image');
    if (image === '') errs.push(required(path.index(i).child('image'), ''));
    if (image.trim().length !== image.length) errs.push(invalid(path.index(i).child('image'), image, 'must not have leading or trailing whitespace'));
  });
  return false;
}

function jsonEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

/** Key-sorted copy without undefined/null members (Go's omitempty zero pointers). */
function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (!isObject(v)) return v;
  const out: JsonObject = {};
  for (const k of Object.keys(v).sort()) if (v[k] !== undefined && v[k] !== null) out[k] = canonical(v[k]);
  return out;
}

/** validateOnlyAddedTolerations: every old toleration is still there (tolerationSeconds of
 * NoExecute ones may change). */
function validateOnlyAddedTolerations(next: unknown[], prev: unknown[], path: ReturnType<typeof fieldPath>): FieldError[] {
  const errs: FieldError[] = [];
  for (const old of prev) {
    const o = isObject(old) ? { ...old, tolerationSeconds: undefined } : old;
    const found = next.some((n) => jsonEqual(isObject(n) ? { ...n, tolerationSeconds: undefined } : n, o));
    if (!found) {
      errs.push(forbidden(path, 'existing toleration can not be modified except its tolerationSeconds'));
      return errs;
    }
  }
  errs.push(...validateTolerations(next.map((t) => (isObject(t) ? t : {})), path));
  return errs;
}

/** ValidatePodUpdate (without ValidateObjectMetaUpdate, which the strategy step runs). */
export function validatePodUpdate(pod: JsonObject, old: JsonObject): FieldError[] {
  const errs = validatePodSpecOf(pod);
  const specPath = fieldPath('spec');
  const spec = objectAt(pod, 'spec') ?? {};
  const oldSpec = objectAt(old, 'spec') ?? {};
  if (validateContainerUpdates(listAt(spec, 'containers'), listAt(oldSpec, 'containers'), specPath.child('containers'), errs)) return errs;
  if (validateContainerUpdates(listAt(spec, 'initContainers'), listAt(oldSpec, 'initContainers'), specPath.child('initContainers'), errs)) return errs;
  const deadline = numberAt(spec, 'activeDeadlineSeconds');
  const oldDeadline = numberAt(oldSpec, 'activeDeadlineSeconds');
  if (deadline !== undefined) {
    if (deadline < 0 || deadline > MAX_INT32) {
      errs.push(invalid(specPath.child('activeDeadlineSeconds'), deadline, inclusiveRangeError(0, MAX_INT32)));
      return errs;
    }
    if (oldDeadline !== undefined && oldDeadline < deadline) {
      errs.push(invalid(specPath.child('activeDeadlineSeconds'), deadline, 'must be less than or equal to previous value'));
      return errs;
    }
  } else if (oldDeadline !== undefined) {
    errs.push(invalid(specPath.child('activeDeadlineSeconds'), null, 'must not update from a positive integer to nil value'));
  }
  errs.push(...validateOnlyAddedTolerations(listAt(spec, 'tolerations'), listAt(oldSpec, 'tolerations'), specPath.child('tolerations')));
  const newGates = listAt(spec, 'schedulingGates');
  const oldGates = listAt(oldSpec, 'schedulingGates');
  if (!newGates.every((g) => oldGates.some((o) => jsonEqual(g, o)))) {
    errs.push(forbidden(specPath.child('schedulingGates'), 'only deletion is allowed, but found new scheduling gate'));
  }
  if (jsonEqual(spec, oldSpec)) return errs;

  // Munge the updatable fields back to their old values; anything still different is forbidden.
  const munged: JsonObject = structuredClone(spec);
  for (const list of ['containers', 'initContainers'] as const) {
    const oldList = listAt(oldSpec, list);
    listAt(munged, list).forEach((c, i) => {
      if (isObject(c) && isObject(oldList[i])) c.image = (oldList[i] as JsonObject).image;
    });
  }
  munged.activeDeadlineSeconds = oldSpec.activeDeadlineSeconds;
  munged.tolerations = oldSpec.tolerations;
  munged.schedulingGates = oldSpec.schedulingGates;
  const grace = numberAt(spec, 'terminationGracePeriodSeconds');
  const oldGrace = numberAt(oldSpec, 'terminationGracePeriodSeconds');
  if (grace === 1 && oldGrace !== undefined && oldGrace < 0) munged.terminationGracePeriodSeconds = oldGrace;
  if (!jsonEqual(munged, oldSpec)) {
    const diff = describeJsonDiff(canonical(oldSpec), canonical(munged), 'spec');
    errs.push(forbidden(specPath, `pod updates may not change fields other than ${UPDATABLE_POD_SPEC_FIELDS.join(',')}\n${diff}`));
  }
  return errs;
}
