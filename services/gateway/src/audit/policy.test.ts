import assert from 'node:assert/strict';
import { it } from 'node:test';
import { evaluateAuditPolicy, parseAuditPolicy } from './policy.js';

const attrs = (over: Partial<Parameters<typeof evaluateAuditPolicy>[1]> = {}) => ({ user: 'jane', groups: ['dev'], verb: 'get', resourceRequest: true, apiGroup: '', resource: 'pods', namespace: 'default', path: '/api/v1/namespaces/default/pods', ...over });

it('matches rules in order by user, group, verb, namespace, resources and URLs', () => {
  const policy = parseAuditPolicy({
    apiVersion: 'audit.k8s.io/v1',
    kind: 'Policy',
    omitStages: ['RequestReceived'],
    rules: [
      { level: 'None', users: ['system:kube-proxy'] },
      { level: 'RequestResponse', userGroups: ['ops'], omitStages: ['ResponseStarted'] },
      { level: 'Request', resources: [{ group: '', resources: ['pods/log', '*/status'] }] },
      { level: 'Metadata', resources: [{ group: 'apps', resources: ['deployments'], resourceNames: ['web'] }] },
      { level: 'None', nonResourceURLs: ['/healthz*'] },
      { level: 'Request', namespaces: ['kube-system'] },
      { level: 'Metadata' },
    ],
  });
  assert.equal(evaluateAuditPolicy(policy, attrs({ user: 'system:kube-proxy' })).level, 'None');
  assert.deepEqual(evaluateAuditPolicy(policy, attrs({ groups: ['ops'] })), { level: 'RequestResponse', omitStages: ['RequestReceived', 'ResponseStarted'], omitManagedFields: false });
  assert.equal(evaluateAuditPolicy(policy, attrs({ subresource: 'log' })).level, 'Request');
  assert.equal(evaluateAuditPolicy(policy, attrs({ apiGroup: 'apps', resource: 'deployments', subresource: 'status' })).level, 'Metadata');
  assert.equal(evaluateAuditPolicy(policy, attrs({ apiGroup: 'apps', resource: 'deployments', name: 'web' })).level, 'Metadata');
  assert.equal(evaluateAuditPolicy(policy, attrs({ resourceRequest: false, path: '/healthz/etcd' })).level, 'None');
  assert.equal(evaluateAuditPolicy(policy, attrs({ namespace: 'kube-system' })).level, 'Request');
  assert.equal(evaluateAuditPolicy(policy, attrs()).level, 'Metadata');
});

it('rejects policies kube rejects', () => {
  assert.throws(() => parseAuditPolicy({ apiVersion: 'v1', kind: 'Policy', rules: [{ level: 'None' }] }), /expected kind Policy/);
  assert.throws(() => parseAuditPolicy({ apiVersion: 'audit.k8s.io/v1', kind: 'Policy', rules: [] }), /at least one rule/);
  assert.throws(() => parseAuditPolicy({ apiVersion: 'audit.k8s.io/v1', kind: 'Policy', rules: [{ level: 'Loud' }] }), /Unsupported value: "Loud"/);
  assert.throws(() => parseAuditPolicy({ apiVersion: 'audit.k8s.io/v1', kind: 'Policy', rules: [{ level: 'None', omitStages: ['Later'] }] }), /unknown stage "Later"/);
});
