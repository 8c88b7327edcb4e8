// CronJobs (batch/v1): SetDefaults_CronJob and ValidateCronJobCreate / ValidateCronJobUpdate:
// the schedule (robfig/cron's parser and its messages, no TZ in it), time zone, concurrency
// policy, history limits, and the job template (validateJobSpec; its selector is generated).

import { type FieldError, type FieldPath, fieldPath, invalid, notSupported, required } from '@kapi/apimachinery';
import { defaultCronJob } from './batch-defaults.js';
import { cronScheduleError, isKnownTimeZone } from './cron-schedule.js';
import { labelSelectorSyntax } from './go-syntax-values.js';
import { validateJobSpecCommon } from './job-spec-validation.js';
import { type JsonObject, numberAt, objectAt, stringAt, unset } from './json.js';
import type { TypeStrategy } from './type-strategy.js';
import { validateNonnegative } from './validators.js';

const CONCURRENCY_POLICIES = ['Allow', 'Forbid', 'Replace'];
const TIME_ZONE_PART = /^[A-Za-z.\-_0-9+]{1,14}$/;

/** validateTimeZone. */
function validateTimeZone(timeZone: unknown, path: FieldPath): FieldError[] {
  if (typeof timeZone !== 'string') return [];
  if (timeZone === '') return [invalid(path, timeZone, 'timeZone must be nil or non-empty string')];
  for (const part of timeZone.split('/')) {
    if (part === '.' || part === '..' || part.startsWith('-') || !TIME_ZONE_PART.test(part)) {
      return [invalid(path, timeZone, `unknown time zone ${timeZone}`)];
    }
  }
  const errs: FieldError[] = [];
  if (timeZone.toLowerCase() === 'local') {
    errs.push(invalid(path, timeZone, 'timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones'));
  }
  if (!isKnownTimeZone(timeZone)) errs.push(invalid(path, timeZone, `unknown time zone ${timeZone}`));
  return errs;
}

/** validateCronJobSpec; oldSpec is set on update. */
function validateCronJobSpec(spec: JsonObject, oldSpec: JsonObject | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const schedule = stringAt(spec, 'schedule');
  if (schedule === '') errs.push(required(path.child('schedule'), ''));
  else {
    const error = cronScheduleError(schedule);
    if (error !== undefined) errs.push(invalid(path.child('schedule'), schedule, error));
    const allowTZ = oldSpec !== undefined && stringAt(oldSpec, 'schedule').includes('TZ');
    if (allowTZ && schedule.includes('TZ') && !unset(spec, 'timeZone')) {
      errs.push(invalid(path.child('schedule'), schedule, 'cannot use both timeZone field and TZ or CRON_TZ in schedule'));
    } else if (!allowTZ && schedule.includes('TZ')) {
      errs.push(invalid(path.child('schedule'), schedule, 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead'));
    }
  }
  const deadline = numberAt(spec, 'startingDeadlineSeconds');
  if (deadline !== undefined) errs.push(...validateNonnegative(deadline, path.child('startingDeadlineSeconds')));
  if (oldSpec === undefined || (oldSpec.timeZone ?? null) !== (spec.timeZone ?? null)) errs.push(...validateTimeZone(spec.timeZone, path.child('timeZone')));
  const policy = stringAt(spec, 'concurrencyPolicy');
  if (policy === '') errs.push(required(path.child('concurrencyPolicy'), ''));
  else if (!CONCURRENCY_POLICIES.includes(policy)) errs.push(notSupported(path.child('concurrencyPolicy'), policy, CONCURRENCY_POLICIES));
  // ValidateJobTemplateSpec.
  const templatePath = path.child('jobTemplate');
  const jobSpec = objectAt(objectAt(spec, 'jobTemplate'), 'spec') ?? {};
  errs.push(...validateJobSpecCommon(jobSpec, templatePath.child('spec')));
  if (!unset(jobSpec, 'selector')) {
    errs.push(invalid(templatePath.child('spec', 'selector'), labelSelectorSyntax(jobSpec.selector), '`selector` will be auto-generated'));
  }
  if (jobSpec.manualSelector === true) errs.push(notSupported(templatePath.child('spec', 'manualSelector'), true, ['nil', 'false']));
  for (const key of ['successfulJobsHistoryLimit', 'failedJobsHistoryLimit']) {
    const v = numberAt(spec, key);
    if (v !== undefined) errs.push(...validateNonnegative(v, path.child(key)));
  }
  return errs;
}

export const cronJobStrategy: TypeStrategy = {
  default: (object) => defaultCronJob(object as unknown as JsonObject),
  validate(attributes) {
    if (attributes.subresource !== '' || !attributes.object) return [];
    const cronJob = attributes.object as unknown as JsonObject;
    const spec = objectAt(cronJob, 'spec') ?? {};
    if (attributes.operation === 'UPDATE' && attributes.oldObject) {
      return validateCronJobSpec(spec, objectAt(attributes.oldObject, 'spec') ?? {}, fieldPath('spec'));
    }
    const errs = validateCronJobSpec(spec, undefined, fieldPath('spec'));
    const name = stringAt(objectAt(cronJob, 'metadata'), 'name');
    // The controller appends an 11-character suffix to make job names (63 at most).
    if (name.length > 52) errs.push(invalid(fieldPath('metadata', 'name'), name, 'must be no more than 52 characters'));
    return errs;
  },
};
