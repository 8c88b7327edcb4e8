// Jobs (batch/v1): SetDefaults_Job, the job strategy's generated selector and labels on create
// (unless spec.manualSelector), ValidateJob (generated selector consistent, ValidateJobSpec) and
// on update ValidateJob + ValidateJobUpdate (selector, template, completion mode ... immutable),
// as jobStrategy.ValidateUpdate runs both.

import {
  type FieldError,
  type FieldPath,
  FIELD_IMMUTABLE_ERROR_MSG,
  GoSyntaxValue,
  fieldPath,
  goJSONMarshal,
  invalid,
  isDNS1123Label,
  required,
} from '@kapi/apimachinery';
import type { AdmissionAttributes } from '../chain.js';
import {
  CONTROLLER_UID_LABEL,
  JOB_NAME_LABEL,
  LEGACY_CONTROLLER_UID_LABEL,
  LEGACY_JOB_NAME_LABEL,
  defaultJob,
  generateJobSelector,
} from './batch-defaults.js';
import { labelSelectorSyntax, labelsSyntax } from './go-syntax-values.js';
import { validateJobSpecCommon } from './job-spec-validation.js';
import { type JsonObject, isObject, numberAt, objectAt, stringAt, stringMap } from './json.js';
import type { TypeStrategy } from './type-strategy.js';
import { asSelector, semanticEqual, validateSelectorImmutable, validateSelectorStrictly } from './workload-validation.js';

/** ValidateHasLabel. */
function validateHasLabel(labels: Record<string, string> | undefined, path: FieldPath, key: string, expected: string): FieldError[] {
  if (!labels || !Object.hasOwn(labels, key)) return [required(path.child('labels').key(key), `must be '${expected}'`)];
  if (labels[key] !== expected) return [invalid(path.child('labels').key(key), labelsSyntax(labels), `must be '${expected}'`)];
  return [];
}

/** validateGeneratedSelector (RequirePrefixedLabels on). */
function validateGeneratedSelector(job: JsonObject): FieldError[] {
  const spec = objectAt(job, 'spec') ?? {};
  if (spec.manualSelector === true) return [];
  const templateMeta = objectAt(objectAt(spec, 'template'), 'metadata');
  if (!isObject(templateMeta?.labels)) return [];
  const labels = stringMap(templateMeta.labels);
  const errs: FieldError[] = [];
  const uid = stringAt(objectAt(job, 'metadata'), 'uid');
  const name = stringAt(objectAt(job, 'metadata'), 'name');
  if (uid === '') errs.push(required(fieldPath('metadata', 'uid'), ''));
  const path = fieldPath('spec', 'template', 'metadata');
  errs.push(...validateHasLabel(labels, path, LEGACY_CONTROLLER_UID_LABEL, uid));
  errs.push(...validateHasLabel(labels, path, LEGACY_JOB_NAME_LABEL, name));
  errs.push(...validateHasLabel(labels, path, CONTROLLER_UID_LABEL, uid));
  errs.push(...validateHasLabel(labels, path, JOB_NAME_LABEL, name));
  if (!semanticEqual(spec.selector ?? null, { matchLabels: { [CONTROLLER_UID_LABEL]: uid } })) {
    errs.push(invalid(fieldPath('spec', 'selector'), labelSelectorSyntax(spec.selector), '`selector` not auto-generated'));
  }
  return errs;
}

/** ValidateJobSpec: validateJobSpec plus a selector that matches the template. */
function validateJobSpec(spec: JsonObject, path: FieldPath): FieldError[] {
  const errs = validateJobSpecCommon(spec, path);
  if (!isObject(spec.selector)) errs.push(required(path.child('selector'), ''));
  else errs.push(...validateSelectorStrictly(spec.selector, path.child('selector')));
  const selector = asSelector(spec.selector);
  const labels = objectAt(objectAt(objectAt(spec, 'template'), 'metadata'), 'labels');
  if (selector && !selector.matches(stringMap(labels))) {
    errs.push(invalid(path.child('template', 'metadata', 'labels'), labelsSyntax(labels), '`selector` does not match template `labels`'));
  }
  return errs;
}

/** ValidateJob without ObjectMeta. */
function validateJob(job: JsonObject): FieldError[] {
  const errs = validateGeneratedSelector(job);
  const spec = objectAt(job, 'spec') ?? {};
  errs.push(...validateJobSpec(spec, fieldPath('spec')));
  const completions = numberAt(spec, 'completions');
  if (spec.completionMode === 'Indexed' && completions !== undefined && completions > 0) {
    const name = stringAt(objectAt(job, 'metadata'), 'name');
    const hostname = `${name}-${completions - 1}`;
    if (isDNS1123Label(hostname).length > 0) {
      errs.push(invalid(fieldPath('metadata', 'name'), name, `will not able to create pod with invalid DNS label: ${hostname}`));
    }
  }
  return errs;
}

/** The Go-syntax-like rendering kube gives an immutable template (a core.PodTemplateSpec %#v;
 * kapi prints the JSON of the template inside the type name). */
function templateSyntax(template: unknown): GoSyntaxValue {
  return new GoSyntaxValue(`core.PodTemplateSpec${goJSONMarshal(template ?? null)}`);
}

/** The pod template fields a suspended job that never started may change
 * (JobMutableNodeSchedulingDirectives). */
function schedulingDirectivesMasked(template: unknown): unknown {
  if (!isObject(template)) return template;
  const copy = structuredClone(template);
  const metadata = objectAt(copy, 'metadata');
  if (metadata) {
    delete metadata.labels;
    delete metadata.annotations;
  }
  const spec = objectAt(copy, 'spec');
  if (spec) for (const key of ['nodeSelector', 'tolerations', 'affinity', 'schedulingGates']) delete spec[key];
  return copy;
}

/** ValidateJobSpecUpdate. */
function validateJobUpdate(job: JsonObject, old: JsonObject): FieldError[] {
  const spec = objectAt(job, 'spec') ?? {};
  const oldSpec = objectAt(old, 'spec') ?? {};
  const path = fieldPath('spec');
  const errs = validateJobSpec(spec, path);
  // validateCompletions: immutable, except Indexed jobs scaling completions with parallelism.
  if (!semanticEqual(spec.completions ?? null, oldSpec.completions ?? null)) {
    if (spec.completionMode !== 'Indexed') {
      errs.push(invalid(path.child('completions'), spec.completions ?? null, FIELD_IMMUTABLE_ERROR_MSG));
    } else if (typeof spec.completions === 'number' && spec.completions !== spec.parallelism) {
      errs.push(invalid(path.child('completions'), spec.completions, 'can only be modified in tandem with spec.parallelism'));
    }
  }
  errs.push(...validateSelectorImmutable(spec, oldSpec));
  const oldStatus = objectAt(old, 'status');
  const mutableScheduling = oldSpec.suspend === true && stringAt(oldStatus, 'startTime') === '';
  const template = mutableScheduling ? schedulingDirectivesMasked(spec.template) : spec.template;
  const oldTemplate = mutableScheduling ? schedulingDirectivesMasked(oldSpec.template) : oldSpec.template;
  if (!semanticEqual(template, oldTemplate)) errs.push(invalid(path.child('template'), templateSyntax(spec.template), FIELD_IMMUTABLE_ERROR_MSG));
  for (const key of ['completionMode', 'podFailurePolicy', 'backoffLimitPerIndex', 'managedBy', 'successPolicy']) {
    if (!semanticEqual(spec[key] ?? null, oldSpec[key] ?? null)) {
      const value = spec[key] ?? null;
      errs.push(invalid(path.child(key), isObject(value) ? new GoSyntaxValue(goJSONMarshal(value)) : value, FIELD_IMMUTABLE_ERROR_MSG));
    }
  }
  return errs;
}

function isCreateOfMainResource(attributes: AdmissionAttributes, object: unknown): boolean {
  return attributes.operation === 'CREATE' && attributes.subresource === '' && object === attributes.object;
}

export const jobStrategy: TypeStrategy = {
  default(object, attributes) {
    const job = object as unknown as JsonObject;
    const { changed, sharesTemplateLabels } = defaultJob(job);
    // jobStrategy.PrepareForCreate: generateSelectorIfNeeded.
    if (isCreateOfMainResource(attributes, object) && objectAt(job, 'spec')?.manualSelector !== true) {
      return generateJobSelector(job, sharesTemplateLabels) || changed;
    }
    return changed;
  },
  validate(attributes) {
    if (attributes.subresource !== '' || !attributes.object) return [];
    const job = attributes.object as unknown as JsonObject;
    const errs = validateJob(job);
    if (attributes.operation === 'UPDATE' && attributes.oldObject) errs.push(...validateJobUpdate(job, attributes.oldObject as unknown as JsonObject));
    return errs;
  },
};
