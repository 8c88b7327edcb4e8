import assert from 'node:assert/strict';
import { it } from 'node:test';
import { isStatusError, type KubeObject } from '@kapi/apimachinery';
import { MemoryClusterAccess } from './memory-access.js';
import { resourceQuota } from './resource-quota.js';
import { collectingContext, pod, podAttrs } from './test-support.js';

function quota(hard: Record<string, string>, used: Record<string, string>): KubeObject {
  return { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q', namespace: 'ns' }, spec: { hard }, status: { hard, used } } as KubeObject;
}

it('never admits more than the quota across concurrent plugin instances', async () => {
  const access = new MemoryClusterAccess();
  access.put('/resourcequotas', quota({ pods: '5' }, { pods: '0' }));
  const replicas = [resourceQuota(access), resourceQuota(access)];
  const outcomes = await Promise.allSettled(
    Array.from({ length: 20 }, (_, i) => replicas[i % 2]!.validate!(podAttrs(pod(`p${i}`, { containers: [{ name: 'c', image: 'x' }] })), collectingContext())),
  );
  assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 5);
  const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected').map((o) => (o.reason as Error).message);
  assert.ok(refused.every((m) => /exceeded quota: q, requested: pods=1, used: pods=5, limited: pods=5$/.test(m)), refused[0]);
  assert.deepEqual((access.peek('/resourcequotas', 'ns', 'q') as { status: { used: Record<string, string> } }).status.used, { pods: '5' });
});

it('refuses pods that do not state a quota’d compute resource, and unknown quota status', async () => {
  const access = new MemoryClusterAccess();
  access.put('/resourcequotas', quota({ 'requests.cpu': '1', 'limits.memory': '1Gi' }, { 'requests.cpu': '0', 'limits.memory': '0' }));
  await assert.rejects(
    async () => resourceQuota(access).validate!(podAttrs(pod('p', { containers: [{ name: 'c', image: 'x' }] })), collectingContext()),
    (err: unknown) => isStatusError(err) && err.code === 403 && err.message === 'pods "p" is forbidden: failed quota: q: must specify limits.memory,requests.cpu',
  );
  const ok = pod('ok', { containers: [{ name: 'c', image: 'x', resources: { requests: { cpu: '500m' }, limits: { memory: '512Mi' } } }] });
  await resourceQuota(access).validate!(podAttrs(ok), collectingContext());
  assert.deepEqual((access.peek('/resourcequotas', 'ns', 'q') as { status: { used: Record<string, string> } }).status.used, { 'requests.cpu': '500m', 'limits.memory': '536870912' });
  const fresh = new MemoryClusterAccess();
  fresh.put('/resourcequotas', { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'new', namespace: 'ns' }, spec: { hard: { pods: '1' } } } as KubeObject);
  await assert.rejects(async () => resourceQuota(fresh).validate!(podAttrs(ok), collectingContext()), /status unknown for quota: new, resource: pods/);
});

it('charges only the quotas whose scopes select the pod', async () => {
  const access = new MemoryClusterAccess();
  access.put('/resourcequotas', { ...quota({ pods: '1' }, { pods: '1' }), spec: { hard: { pods: '1' }, scopes: ['BestEffort'] } } as KubeObject);
  // a pod with requests is not BestEffort: the full quota does not apply to it
  const burstable = pod('b', { containers: [{ name: 'c', image: 'x', resources: { requests: { cpu: '1m' } } }] });
  await resourceQuota(access).validate!(podAttrs(burstable), collectingContext());
  await assert.rejects(async () => resourceQuota(access).validate!(podAttrs(pod('e', { containers: [{ name: 'c', image: 'x' }] })), collectingContext()), /exceeded quota: q/);
});
