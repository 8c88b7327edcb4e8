import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '@kapi/apimachinery';
import { admit, attributesFor, input } from './test-support.js';
import { jobStrategy } from './job.js';
import { cronJobStrategy } from './cronjob.js';
import { cronScheduleError } from './cron-schedule.js';

function job(spec: Record<string, unknown> = {}, templateLabels?: Record<string, string>): KubeObject {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'pi', namespace: 'default', uid: 'uid-1', resourceVersion: '1' },
    spec: {
      template: { metadata: templateLabels ? { labels: templateLabels } : {}, spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'perl:5' }] } },
      ...spec,
    },
  } as KubeObject;
}

function cronJob(spec: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'cj', namespace: 'default', uid: 'u', resourceVersion: '1' },
    spec: {
      schedule: '*/5 * * * *',
      jobTemplate: { spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'c', image: 'busybox:1' }] } } } },
      ...spec,
    },
  } as KubeObject;
}

function errorsOf(kind: string, object: KubeObject, old?: KubeObject): string[] {
  const strategy = kind === 'Job' ? jobStrategy : cronJobStrategy;
  strategy.default!(object, attributesFor('batch', kind, object));
  if (old) strategy.default!(old, attributesFor('batch', kind, old));
  return strategy.validate!(attributesFor('batch', kind, object, old)).map((e) => e.errorString());
}

describe('Job defaults', () => {
  it('SetDefaults_Job and the generated selector and labels', () => {
    const j = job({}, { app: 'pi' });
    jobStrategy.default!(j, attributesFor('batch', 'Job', j));
    const spec = j.spec as any;
    assert.equal(spec.completions, 1);
    assert.equal(spec.parallelism, 1);
    assert.equal(spec.backoffLimit, 6);
    assert.equal(spec.completionMode, 'NonIndexed');
    assert.equal(spec.suspend, false);
    assert.equal(spec.manualSelector, false);
    assert.equal(spec.podReplacementPolicy, 'TerminatingOrFailed');
    assert.deepEqual(spec.selector, { matchLabels: { 'batch.kubernetes.io/controller-uid': 'uid-1' } });
    const expected = { app: 'pi', 'job-name': 'pi', 'batch.kubernetes.io/job-name': 'pi', 'controller-uid': 'uid-1', 'batch.kubernetes.io/controller-uid': 'uid-1' };
    assert.deepEqual(spec.template.metadata.labels, expected);
    // The Job's labels come from the template (one shared map in Go).
    assert.deepEqual(j.metadata!.labels, expected);
    assert.equal(spec.template.spec.terminationGracePeriodSeconds, 30);
  });

  it('parallelism alone keeps completions unset; backoffLimitPerIndex raises backoffLimit; a failure policy picks Failed', () => {
    const j = job({ parallelism: 3, backoffLimitPerIndex: 1, completionMode: 'Indexed', podFailurePolicy: { rules: [{ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget' }] }] } });
    jobStrategy.default!(j, attributesFor('batch', 'Job', j));
    const spec = j.spec as any;
    assert.equal(spec.completions, undefined);
    assert.equal(spec.backoffLimit, 2147483647);
    assert.equal(spec.podReplacementPolicy, 'Failed');
    assert.equal(spec.podFailurePolicy.rules[0].onPodConditions[0].status, 'True');
    // Without template labels the Job keeps none of its own.
    assert.equal(j.metadata!.labels, undefined);
  });

  it('manualSelector keeps the user selector', () => {
    const j = job({ manualSelector: true, selector: { matchLabels: { a: 'b' } } }, { a: 'b' });
    jobStrategy.default!(j, attributesFor('batch', 'Job', j));
    assert.deepEqual((j.spec as any).selector, { matchLabels: { a: 'b' } });
    assert.deepEqual(errorsOf('Job', job({ manualSelector: true, selector: { matchLabels: { a: 'b' } } }, { a: 'b' })), []);
  });
});

describe('Job validation', () => {
  it('accepts a defaulted job', () => {
    assert.deepEqual(errorsOf('Job', job()), []);
  });

  it('restart policy must be OnFailure or Never', () => {
    const j = job();
    delete (j.spec as any).template.spec.restartPolicy;
    assert.deepEqual(errorsOf('Job', j), ['spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"']);
  });

  it('negative counts, bad modes', () => {
    assert.deepEqual(errorsOf('Job', job({ parallelism: -1, backoffLimit: -2, completionMode: 'Sometimes' })), [
      'spec.parallelism: Invalid value: -1: must be greater than or equal to 0',
      'spec.backoffLimit: Invalid value: -2: must be greater than or equal to 0',
      'spec.completionMode: Unsupported value: "Sometimes": supported values: "NonIndexed", "Indexed"',
    ]);
  });

  it('a selector that is not the generated one', () => {
    const j = job({ selector: { matchLabels: { other: 'x' } } }, { other: 'x' });
    assert.deepEqual(errorsOf('Job', j), [
      'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"batch.kubernetes.io/controller-uid":"uid-1", "other":"x"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: `selector` not auto-generated',
    ]);
  });

  it('the template and selector are immutable; parallelism is not', () => {
    const old = job();
    jobStrategy.default!(old, attributesFor('batch', 'Job', old));
    const next = structuredClone(old);
    (next.spec as any).parallelism = 4;
    assert.deepEqual(errorsOf('Job', next, structuredClone(old)), []);
    const changed = structuredClone(old);
    (changed.spec as any).template.spec.containers[0].image = 'perl:6';
    const errs = errorsOf('Job', changed, structuredClone(old));
    assert.equal(errs.length, 1);
    assert.match(errs[0]!, /^spec\.template: Invalid value: core\.PodTemplateSpec\{.*\}: field is immutable$/);
    const completions = structuredClone(old);
    (completions.spec as any).completions = 3;
    assert.deepEqual(errorsOf('Job', completions, structuredClone(old)), ['spec.completions: Invalid value: 3: field is immutable']);
  });

  it('a suspended job that never started may change scheduling directives', () => {
    const old = job({ suspend: true });
    jobStrategy.default!(old, attributesFor('batch', 'Job', old));
    const next = structuredClone(old);
    (next.spec as any).template.spec.nodeSelector = { zone: 'a' };
    assert.deepEqual(errorsOf('Job', next, structuredClone(old)), []);
  });

  it('reads as kubectl prints it through the chain', async () => {
    const j = job();
    (j.spec as any).template.spec.restartPolicy = 'Always';
    const out = await admit(input('jobs', 'batch', 'v1', 'Job', j));
    assert.equal(out.message, 'Job.batch "pi" is invalid: spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"');
  });
});

describe('CronJob', () => {
  it('SetDefaults_CronJob', () => {
    const c = cronJob();
    cronJobStrategy.default!(c, attributesFor('batch', 'CronJob', c));
    const spec = c.spec as any;
    assert.equal(spec.concurrencyPolicy, 'Allow');
    assert.equal(spec.suspend, false);
    assert.equal(spec.successfulJobsHistoryLimit, 3);
    assert.equal(spec.failedJobsHistoryLimit, 1);
    assert.equal(spec.jobTemplate.spec.backoffLimit, undefined);
    assert.equal(spec.jobTemplate.spec.template.spec.dnsPolicy, 'ClusterFirst');
  });

  it('schedules as robfig/cron parses them', () => {
    for (const ok of ['* * * * *', '0 0 1 1 *', '@hourly', '@every 1h30m', '0-59/15 0 * jan-dec mon-fri', '5 4 * * sun', '0 */2 * * ?']) {
      assert.equal(cronScheduleError(ok), undefined, ok);
    }
    assert.equal(cronScheduleError('* * *'), 'expected exactly 5 fields, found 3: [* * *]');
    assert.equal(cronScheduleError('60 * * * *'), 'end of range (60) above maximum (59): 60');
    assert.equal(cronScheduleError('* * 0 * *'), 'beginning of range (0) below minimum (1): 0');
    assert.equal(cronScheduleError('x * * * *'), 'failed to parse int from x: strconv.Atoi: parsing "x": invalid syntax');
    assert.equal(cronScheduleError('5-2 * * * *'), 'beginning of range (5) beyond end of range (2): 5-2');
    assert.equal(cronScheduleError('*/0 * * * *'), 'step of range should be a positive number: */0');
    assert.equal(cronScheduleError('@sometimes'), 'unrecognized descriptor: @sometimes');
  });

  it('validation', () => {
    assert.deepEqual(errorsOf('CronJob', cronJob()), []);
    assert.deepEqual(errorsOf('CronJob', cronJob({ schedule: '61 * * * *', concurrencyPolicy: 'Sometimes', timeZone: 'Mars/Olympus' })), [
      'spec.schedule: Invalid value: "61 * * * *": end of range (61) above maximum (59): 61',
      'spec.timeZone: Invalid value: "Mars/Olympus": unknown time zone Mars/Olympus',
      'spec.concurrencyPolicy: Unsupported value: "Sometimes": supported values: "Allow", "Forbid", "Replace"',
    ]);
    assert.deepEqual(errorsOf('CronJob', cronJob({ schedule: 'CRON_TZ=UTC 0 * * * *' })), [
      'spec.schedule: Invalid value: "CRON_TZ=UTC 0 * * * *": cannot use TZ or CRON_TZ in schedule, use timeZone field instead',
    ]);
    const c = cronJob();
    (c.spec as any).jobTemplate.spec.template.spec.restartPolicy = 'Always';
    (c.spec as any).jobTemplate.spec.selector = { matchLabels: { a: 'b' } };
    assert.deepEqual(errorsOf('CronJob', c), [
      'spec.jobTemplate.spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"',
      'spec.jobTemplate.spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"a":"b"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: `selector` will be auto-generated',
    ]);
    const long = cronJob();
    long.metadata!.name = 'a'.repeat(53);
    assert.deepEqual(errorsOf('CronJob', long), [`metadata.name: Invalid value: "${'a'.repeat(53)}": must be no more than 52 characters`]);
  });

  it('never throws on odd input', () => {
    for (const spec of [null, 1, [], { schedule: 5, jobTemplate: 'x' }, { template: { metadata: { labels: 7 } }, selector: [], podFailurePolicy: { rules: [null, { onPodConditions: [1] }] } }]) {
      for (const kind of ['Job', 'CronJob']) {
        const o = { apiVersion: 'batch/v1', kind, metadata: { name: 'x' }, spec } as unknown as KubeObject;
        errorsOf(kind, structuredClone(o));
        errorsOf(kind, structuredClone(o), structuredClone(o));
      }
    }
  });
});
