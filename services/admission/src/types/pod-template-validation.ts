// ValidatePodTemplateSpec (k8s.io/kubernetes pkg/apis/core/validation): a template's labels and
// annotations, its pod spec, and no ephemeral containers. Used by PodTemplates,
// ReplicationControllers and every apps/batch workload.

import { type FieldError, type FieldPath, forbidden, validateAnnotations, validateLabels } from '@kapi/apimachinery';
import { isObject, listAt, objectAt } from './json.js';
import { validatePodSpec } from './pod-spec-validation.js';

export function validatePodTemplateSpec(template: unknown, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const metadata = objectAt(template, 'metadata');
  errs.push(...validateLabels(metadata?.labels, path.child('labels')));
  errs.push(...validateAnnotations(metadata?.annotations, path.child('annotations')));
  const spec = objectAt(template, 'spec') ?? {};
  errs.push(...validatePodSpec(spec, path.child('spec'), { resourceIsPod: false }));
  if (listAt(spec, 'ephemeralContainers').length > 0) {
    errs.push(forbidden(path.child('spec', 'ephemeralContainers'), 'ephemeral containers not allowed in pod template'));
  }
  return errs;
}

/** The template's labels (metadata.labels), as a string map. */
export function templateLabels(template: unknown): Record<string, string> | undefined {
  const labels = objectAt(objectAt(template, 'metadata'), 'labels');
  if (!labels) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels)) if (typeof v === 'string') out[k] = v;
  return out;
}

