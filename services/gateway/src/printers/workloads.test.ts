import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  controllerRevisionPrinter,
  cronJobPrinter,
  daemonSetPrinter,
  deploymentPrinter,
  jobPrinter,
  podTemplatePrinter,
  replicaSetPrinter,
  replicationControllerPrinter,
  scalePrinter,
  statefulSetPrinter,
} from './workloads.js';

const NOW = Date.parse('2024-05-01T12:00:00Z');
const ago = (seconds: number): string => new Date(NOW - seconds * 1000).toISOString();
const names = (p: { columns: readonly { name: string }[] }): string[] => p.columns.map((c) => c.name);
const template = { metadata: { labels: { app: 'web', tier: 'fe' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.25' }, { name: 'side', image: 'busybox' }] } };

describe('workload printers', () => {
  test('deployments: READY "1/2", UP-TO-DATE, AVAILABLE and the wide selector', () => {
    assert.deepEqual(names(deploymentPrinter), ['Name', 'Ready', 'Up-to-date', 'Available', 'Age', 'Containers', 'Images', 'Selector']);
    const d = {
      metadata: { name: 'web', creationTimestamp: ago(90) },
      spec: { replicas: 2, selector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['fe', 'be'] }] }, template },
      status: { readyReplicas: 1, updatedReplicas: 2, availableReplicas: 1 },
    };
    assert.deepEqual(deploymentPrinter.cells(d, NOW), ['web', '1/2', 2, 1, '90s', 'nginx,side', 'nginx:1.25,busybox', 'app=web,tier in (be,fe)']);
    // unset replicas print kube's default (1); no status is zeros; no selector is ""
    assert.deepEqual(deploymentPrinter.cells({ metadata: { name: 'x' } }, NOW), ['x', '0/1', 0, 0, '<unknown>', '', '', '']);
    assert.equal(deploymentPrinter.cells({ spec: { selector: { matchExpressions: [{ key: 'a', operator: 'Bogus' }] } } }, NOW)[7], '<invalid>');
    assert.equal(deploymentPrinter.columns[2]!.description, 'Total number of non-terminating pods targeted by this deployment that have the desired template spec.');
  });

  test('replicasets, replication controllers, statefulsets, daemonsets', () => {
    const rs = { metadata: { name: 'web-abc' }, spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template }, status: { replicas: 3, readyReplicas: 2 } };
    assert.deepEqual(replicaSetPrinter.cells(rs, NOW), ['web-abc', 3, 3, 2, '<unknown>', 'nginx,side', 'nginx:1.25,busybox', 'app=web']);
    assert.equal(replicaSetPrinter.cells({ spec: { replicas: 0 } }, NOW)[7], '<none>');
    const rc = { metadata: { name: 'rc' }, spec: { replicas: 2, selector: { b: '2', a: '1' }, template }, status: { replicas: 2, readyReplicas: 2 } };
    assert.deepEqual(replicationControllerPrinter.cells(rc, NOW), ['rc', 2, 2, 2, '<unknown>', 'nginx,side', 'nginx:1.25,busybox', 'a=1,b=2']);
    assert.deepEqual(replicationControllerPrinter.cells({ metadata: { name: 'e' } }, NOW).slice(5), ['', '', '<none>']);
    assert.deepEqual(names(statefulSetPrinter), ['Name', 'Ready', 'Age', 'Containers', 'Images']);
    assert.deepEqual(statefulSetPrinter.cells({ metadata: { name: 'db' }, spec: { replicas: 3, template }, status: { readyReplicas: 1 } }, NOW), ['db', '1/3', '<unknown>', 'nginx,side', 'nginx:1.25,busybox']);
    const ds = {
      metadata: { name: 'agent' },
      spec: { selector: { matchLabels: { app: 'agent' } }, template: { spec: { nodeSelector: { 'kubernetes.io/os': 'linux' }, containers: [{ name: 'a', image: 'img' }] } } },
      status: { desiredNumberScheduled: 3, currentNumberScheduled: 3, numberReady: 2, updatedNumberScheduled: 3, numberAvailable: 2 },
    };
    assert.deepEqual(daemonSetPrinter.cells(ds, NOW), ['agent', 3, 3, 2, 3, 2, 'kubernetes.io/os=linux', '<unknown>', 'a', 'img', 'app=agent']);
    assert.equal(daemonSetPrinter.cells({}, NOW)[6], '<none>');
  });

  test('jobs: STATUS, COMPLETIONS "n/m" or "n/1 of p", DURATION', () => {
    assert.deepEqual(names(jobPrinter), ['Name', 'Status', 'Completions', 'Duration', 'Age', 'Containers', 'Images', 'Selector']);
    const done = {
      metadata: { name: 'pi', creationTimestamp: ago(600) },
      spec: { completions: 3, selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u1' } }, template },
      status: { succeeded: 3, startTime: ago(600), completionTime: ago(540), conditions: [{ type: 'Complete', status: 'True' }] },
    };
    assert.deepEqual(jobPrinter.cells(done, NOW).slice(0, 5), ['pi', 'Complete', '3/3', '60s', '10m']);
    const queue = { metadata: { name: 'q' }, spec: { parallelism: 4 }, status: { succeeded: 1, startTime: ago(30) } };
    assert.deepEqual(jobPrinter.cells(queue, NOW).slice(1, 4), ['Running', '1/1 of 4', '30s']);
    assert.deepEqual(jobPrinter.cells({ spec: { parallelism: 1 } }, NOW).slice(1, 4), ['Running', '0/1', '']);
    const cond = (type: string): Record<string, unknown> => ({ status: { conditions: [{ type, status: 'True' }] } });
    assert.equal(jobPrinter.cells(cond('Failed'), NOW)[1], 'Failed');
    assert.equal(jobPrinter.cells(cond('Suspended'), NOW)[1], 'Suspended');
    assert.equal(jobPrinter.cells(cond('FailureTarget'), NOW)[1], 'FailureTarget');
    assert.equal(jobPrinter.cells({ ...cond('Suspended'), metadata: { deletionTimestamp: ago(1) } }, NOW)[1], 'Terminating');
    assert.equal(jobPrinter.cells({ status: { conditions: [{ type: 'Complete', status: 'False' }] } }, NOW)[1], 'Running');
  });

  test('cronjobs: SCHEDULE, TIMEZONE, SUSPEND, ACTIVE, LAST SCHEDULE', () => {
    assert.deepEqual(names(cronJobPrinter), ['Name', 'Schedule', 'Timezone', 'Suspend', 'Active', 'Last Schedule', 'Age', 'Containers', 'Images', 'Selector']);
    const cj = {
      metadata: { name: 'hello', creationTimestamp: ago(7200) },
      spec: { schedule: '*/1 * * * *', timeZone: 'Etc/UTC', suspend: false, jobTemplate: { spec: { template } } },
      status: { active: [{ name: 'hello-1' }], lastScheduleTime: ago(45) },
    };
    assert.deepEqual(cronJobPrinter.cells(cj, NOW), ['hello', '*/1 * * * *', 'Etc/UTC', 'False', 1, '45s', '120m', 'nginx,side', 'nginx:1.25,busybox', '<none>']);
    assert.deepEqual(cronJobPrinter.cells({ spec: { schedule: '@daily' } }, NOW).slice(1, 6), ['@daily', '<none>', '<unset>', 0, '<none>']);
    assert.equal(cronJobPrinter.columns[3]!.type, 'boolean');
  });

  test('pod templates, controller revisions and scale', () => {
    assert.deepEqual(podTemplatePrinter.cells({ metadata: { name: 't' }, template }, NOW), ['t', 'nginx,side', 'nginx:1.25,busybox', 'app=web,tier=fe']);
    const cr = { metadata: { name: 'web-7d9', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', controller: true }] }, revision: 2 };
    assert.deepEqual(controllerRevisionPrinter.cells(cr, NOW), ['web-7d9', 'statefulset.apps/web', 2, '<unknown>']);
    assert.equal(controllerRevisionPrinter.cells({ metadata: { ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: 'p' }] } }, NOW)[1], '<none>');
    assert.equal(controllerRevisionPrinter.cells({ metadata: { ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: 'p', controller: true }] } }, NOW)[1], 'pod/p');
    assert.deepEqual(scalePrinter.cells({ metadata: { name: 'web' }, spec: { replicas: 3 }, status: { replicas: 2 } }, NOW), ['web', 3, 2, '<unknown>']);
    assert.equal(scalePrinter.columns[0]!.format, '');
  });
});
