// The Go-code defaults of batch/v1 (k8s.io/kubernetes pkg/apis/batch/v1/defaults.go):
// SetDefaults_Job and SetDefaults_CronJob, plus the pod template's defaults. The job strategy's
// generated selector (pkg/registry/batch/job/strategy.go generateSelector) is here too, since
// kapi applies the registry's create-time defaults in admission.

import { type JsonObject, ensureObject, isObject, listAt, objectAt, setDefault, setDefaultString, stringAt } from './json.js';
import { defaultPodTemplateSpec } from './pod-spec-defaults.js';

export const LEGACY_JOB_NAME_LABEL = 'job-name';
export const JOB_NAME_LABEL = 'batch.kubernetes.io/job-name';
export const LEGACY_CONTROLLER_UID_LABEL = 'controller-uid';
export const CONTROLLER_UID_LABEL = 'batch.kubernetes.io/controller-uid';

/**
 * SetDefaults_Job. Returns whether it changed anything and whether the Job's labels were taken
 * from the template: Go then shares one map, so labels generateSelector adds to the template
 * show up on the Job too.
 */
export function defaultJob(job: JsonObject): { changed: boolean; sharesTemplateLabels: boolean } {
  const spec = ensureObject(job, 'spec');
  let changed = false;
  const set = (key: string, value: unknown) => {
    if (setDefault(spec, key, value)) changed = true;
  };
  if ((spec.completions === undefined || spec.completions === null) && (spec.parallelism === undefined || spec.parallelism === null)) {
    set('completions', 1);
  }
  set('parallelism', 1);
  set('backoffLimit', typeof spec.backoffLimitPerIndex === 'number' ? 2147483647 : 6);
  const template = ensureObject(spec, 'template');
  const templateLabels = objectAt(objectAt(template, 'metadata'), 'labels');
  const metadata = ensureObject(job, 'metadata');
  let sharesTemplateLabels = false;
  if (templateLabels && Object.keys(objectAt(metadata, 'labels') ?? {}).length === 0) {
    // An empty map is not written (omitempty), but stays shared with the template's.
    if (Object.keys(templateLabels).length > 0) {
      metadata.labels = { ...templateLabels };
      changed = true;
    }
    sharesTemplateLabels = true;
  }
  set('completionMode', 'NonIndexed');
  set('suspend', false);
  const failurePolicy = objectAt(spec, 'podFailurePolicy');
  for (const rule of listAt(failurePolicy, 'rules')) {
    for (const pattern of listAt(rule, 'onPodConditions')) {
      if (isObject(pattern) && setDefaultString(pattern, 'status', 'True')) changed = true;
    }
  }
  set('podReplacementPolicy', failurePolicy ? 'Failed' : 'TerminatingOrFailed');
  set('manualSelector', false);
  if (defaultPodTemplateSpec(template)) changed = true;
  return { changed, sharesTemplateLabels };
}

/** generateSelector: job-name and controller-uid labels (legacy and batch.kubernetes.io) on
 * the template, unless set, and a selector on the batch.kubernetes.io/controller-uid label. */
export function generateJobSelector(job: JsonObject, sharesTemplateLabels: boolean): boolean {
  const metadata = ensureObject(job, 'metadata');
  const name = stringAt(metadata, 'name');
  const uid = stringAt(metadata, 'uid');
  const spec = ensureObject(job, 'spec');
  const templateMeta = ensureObject(ensureObject(spec, 'template'), 'metadata');
  const labels = ensureObject(templateMeta, 'labels');
  let changed = false;
  for (const [key, value] of [
    [LEGACY_JOB_NAME_LABEL, name],
    [JOB_NAME_LABEL, name],
    [LEGACY_CONTROLLER_UID_LABEL, uid],
    [CONTROLLER_UID_LABEL, uid],
  ] as const) {
    if (!Object.hasOwn(labels, key)) {
      labels[key] = value;
      changed = true;
    }
  }
  const selector = ensureObject(spec, 'selector');
  const matchLabels = ensureObject(selector, 'matchLabels');
  if (!Object.hasOwn(matchLabels, CONTROLLER_UID_LABEL)) {
    matchLabels[CONTROLLER_UID_LABEL] = uid;
    changed = true;
  }
  if (sharesTemplateLabels) metadata.labels = { ...labels };
  return changed;
}

/** SetDefaults_CronJob: Allow, not suspended, 3 successful and 1 failed job kept; the job
 * template's pod template gets its pod spec defaults (the job spec itself gets none). */
export function defaultCronJob(cronJob: JsonObject): boolean {
  const spec = ensureObject(cronJob, 'spec');
  let changed = setDefaultString(spec, 'concurrencyPolicy', 'Allow');
  if (setDefault(spec, 'suspend', false)) changed = true;
  if (setDefault(spec, 'successfulJobsHistoryLimit', 3)) changed = true;
  if (setDefault(spec, 'failedJobsHistoryLimit', 1)) changed = true;
  const jobSpec = ensureObject(ensureObject(spec, 'jobTemplate'), 'spec');
  if (defaultPodTemplateSpec(ensureObject(jobSpec, 'template'))) changed = true;
  return changed;
}
