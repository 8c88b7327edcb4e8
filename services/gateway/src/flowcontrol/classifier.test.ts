import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { bootstrapConfiguration } from '@kapi/apimachinery';
import { Classifier, flowHash, matchesNonResourceURL, type RequestDigest } from './classifier.js';
import type { FlowSchema } from '@kapi/apimachinery';

const classifier = new Classifier(bootstrapConfiguration().flowSchemas);

function resource(verb: string, apiGroup: string, resource: string, namespace: string, subresource = ''): RequestDigest['requestInfo'] {
  return { isResourceRequest: true, verb, apiGroup, resource, subresource, namespace, path: '/x' };
}
const nonResource = (verb: string, path: string): RequestDigest['requestInfo'] => ({
  isResourceRequest: false, verb, apiGroup: '', resource: '', subresource: '', namespace: '', path,
});

const ADMIN = { username: 'admin', groups: ['system:masters', 'system:authenticated'] };
const ANONYMOUS = { username: 'system:anonymous', groups: ['system:unauthenticated'] };
const ALICE = { username: 'alice', groups: ['dev', 'system:authenticated'] };
const NODE = { username: 'system:node:n1', groups: ['system:nodes', 'system:authenticated'] };
const KCM = { username: 'system:kube-controller-manager', groups: ['system:authenticated'] };
const SCHED = { username: 'system:kube-scheduler', groups: ['system:authenticated'] };
const sa = (ns: string, name: string) => ({ username: `system:serviceaccount:${ns}:${name}`, groups: ['system:serviceaccounts', `system:serviceaccounts:${ns}`, 'system:authenticated'] });

describe('classification against the bootstrap configuration', () => {
  const table: [string, RequestDigest, string, string][] = [
    ['system:masters is exempt', { user: ADMIN, requestInfo: resource('delete', '', 'pods', 'default') }, 'exempt', ''],
    ['system:masters non-resource', { user: ADMIN, requestInfo: nonResource('get', '/metrics') }, 'exempt', ''],
    ['anonymous probes', { user: ANONYMOUS, requestInfo: nonResource('get', '/readyz') }, 'probes', ''],
    ['probe with a sub-path is not a probe', { user: ANONYMOUS, requestInfo: nonResource('get', '/readyz/ping') }, 'global-default', 'system:anonymous'],
    ['probe must be a get', { user: ALICE, requestInfo: nonResource('post', '/healthz') }, 'global-default', 'alice'],
    ['anonymous discovery', { user: ANONYMOUS, requestInfo: nonResource('get', '/api') }, 'global-default', 'system:anonymous'],
    ['plain user', { user: ALICE, requestInfo: resource('list', '', 'pods', 'default') }, 'global-default', 'alice'],
    ['node status', { user: NODE, requestInfo: resource('patch', '', 'nodes', '', 'status') }, 'system-node-high', 'system:node:n1'],
    ['node lease', { user: NODE, requestInfo: resource('update', 'coordination.k8s.io', 'leases', 'kube-node-lease') }, 'system-node-high', 'system:node:n1'],
    ['node reads pods', { user: NODE, requestInfo: resource('list', '', 'pods', '') }, 'system-nodes', 'system:node:n1'],
    ['kcm leader election', { user: KCM, requestInfo: resource('update', 'coordination.k8s.io', 'leases', 'kube-system') }, 'system-leader-election', 'system:kube-controller-manager'],
    ['kcm endpoints', { user: KCM, requestInfo: resource('update', '', 'endpoints', 'default') }, 'endpoint-controller', 'system:kube-controller-manager'],
    ['kcm other', { user: KCM, requestInfo: resource('list', 'apps', 'deployments', 'team-a') }, 'kube-controller-manager', 'team-a'],
    ['scheduler binding', { user: SCHED, requestInfo: resource('create', '', 'pods', 'ns1', 'binding') }, 'kube-scheduler', 'ns1'],
    ['endpoint controller SA', { user: sa('kube-system', 'endpoint-controller'), requestInfo: resource('update', '', 'endpoints', 'web') }, 'endpoint-controller', 'system:serviceaccount:kube-system:endpoint-controller'],
    ['kube-system SA configmap lock in kube-system', { user: sa('kube-system', 'gc'), requestInfo: resource('get', '', 'configmaps', 'kube-system') }, 'system-leader-election', 'system:serviceaccount:kube-system:gc'],
    ['kube-system SA configmap lock elsewhere', { user: sa('kube-system', 'gc'), requestInfo: resource('get', '', 'configmaps', 'other') }, 'workload-leader-election', 'system:serviceaccount:kube-system:gc'],
    ['kube-system SA delete is not leader election', { user: sa('kube-system', 'gc'), requestInfo: resource('delete', '', 'configmaps', 'kube-system') }, 'kube-system-service-accounts', 'kube-system'],
    ['other SA', { user: sa('apps', 'builder'), requestInfo: resource('list', '', 'secrets', 'apps') }, 'service-accounts', 'system:serviceaccount:apps:builder'],
    ['a namespace named like kube-system-x is not kube-system', { user: sa('kube-system-x', 'a'), requestInfo: resource('get', '', 'configmaps', 'kube-system') }, 'service-accounts', 'system:serviceaccount:kube-system-x:a'],
  ];
  for (const [name, digest, schema, distinguisher] of table) {
    test(name, () => {
      const c = classifier.classify(digest);
      assert.ok(c, 'no schema matched');
      assert.equal(c.flowSchema.metadata.name, schema);
      assert.equal(c.distinguisher, distinguisher);
    });
  }

  test('a user in no matching group matches nothing', () => {
    assert.equal(classifier.classify({ user: { username: 'x', groups: [] }, requestInfo: resource('get', '', 'pods', 'a') }), undefined);
  });
});

describe('precedence', () => {
  const fs = (name: string, matchingPrecedence: number | undefined, user = '*'): FlowSchema => ({
    metadata: { name },
    spec: {
      priorityLevelConfiguration: { name: 'p' },
      ...(matchingPrecedence !== undefined ? { matchingPrecedence } : {}),
      rules: [{ subjects: [{ kind: 'User', user: { name: user } }], nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }] }],
    },
  });
  const d: RequestDigest = { user: ALICE, requestInfo: nonResource('get', '/x') };

  test('lowest matchingPrecedence wins, ties by name, absent means 1000', () => {
    assert.equal(new Classifier([fs('b', 500), fs('a', 500), fs('c', 100, 'bob')]).classify(d)?.flowSchema.metadata.name, 'a');
    assert.equal(new Classifier([fs('z', 999), fs('a', undefined)]).classify(d)?.flowSchema.metadata.name, 'z');
    assert.equal(new Classifier([fs('z', 1001), fs('a', undefined)]).classify(d)?.flowSchema.metadata.name, 'a');
  });

  test('non-resource URL patterns', () => {
    assert.ok(matchesNonResourceURL(['/metrics*'], '/metrics'));
    assert.ok(matchesNonResourceURL(['/apis/*'], '/apis/apps'));
    assert.ok(!matchesNonResourceURL(['/apis/*'], '/apis'));
    assert.ok(!matchesNonResourceURL(['/api'], '/api/v1'));
    assert.ok(matchesNonResourceURL(['*'], '/anything'));
  });

  test('the flow hash is stable and separates schema from distinguisher', () => {
    assert.equal(flowHash('global-default', 'alice'), flowHash('global-default', 'alice'));
    assert.notEqual(flowHash('global-default', 'alice'), flowHash('global-defaulta', 'lice'));
    assert.equal(typeof flowHash('a', ''), 'bigint');
  });
});
