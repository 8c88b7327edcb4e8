import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AuthorizationAttributes } from '../authorizer.js';
import { authorizerForModes } from '../authorizer.js';
import { nonResourceURLMatches, resourceMatches, ruleAllows, staticRBACSource, type RoleBinding } from '@kapi/apimachinery';
import { RBACAuthorizer } from './authorizer.js';

const jane = { username: 'jane', groups: ['dev', 'system:authenticated'] };
const req = (over: Partial<AuthorizationAttributes>): AuthorizationAttributes => ({ user: jane, verb: 'get', resourceRequest: true, apiGroup: '', resource: 'pods', namespace: 'default', ...over });
const binding = (kind: 'RoleBinding' | 'ClusterRoleBinding', name: string, roleKind: string, role: string, subjects: RoleBinding['subjects'], namespace?: string): RoleBinding => ({
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind,
  metadata: { name, ...(namespace ? { namespace } : {}) },
  subjects,
  roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: roleKind, name: role },
});

describe('RBAC rule matching', () => {
  it('matches resources, subresources and wildcards as kube', () => {
    assert.equal(resourceMatches({ resources: ['pods'] }, 'pods', ''), true);
    assert.equal(resourceMatches({ resources: ['pods'] }, 'pods/log', 'log'), false);
    assert.equal(resourceMatches({ resources: ['pods/log'] }, 'pods/log', 'log'), true);
    assert.equal(resourceMatches({ resources: ['*/scale'] }, 'deployments/scale', 'scale'), true);
    assert.equal(resourceMatches({ resources: ['*/scale'] }, 'deployments', ''), false);
    assert.equal(resourceMatches({ resources: ['*'] }, 'anything/sub', 'sub'), true);
  });
  it('matches non-resource URLs exactly or by a trailing-* prefix', () => {
    assert.equal(nonResourceURLMatches({ nonResourceURLs: ['/healthz'] }, '/healthz'), true);
    assert.equal(nonResourceURLMatches({ nonResourceURLs: ['/healthz'] }, '/healthz/etcd'), false);
    assert.equal(nonResourceURLMatches({ nonResourceURLs: ['/healthz/*'] }, '/healthz/etcd'), true);
    assert.equal(nonResourceURLMatches({ nonResourceURLs: ['*'] }, '/anything'), true);
  });
  it('needs a listed name when the rule has resourceNames', () => {
    const rule = { verbs: ['get', 'list'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['a'] };
    assert.equal(ruleAllows(req({ resource: 'configmaps', name: 'a' }), rule), true);
    assert.equal(ruleAllows(req({ resource: 'configmaps', name: 'b' }), rule), false);
    assert.equal(ruleAllows(req({ resource: 'configmaps', verb: 'list' }), rule), false);
  });
});

describe('RBACAuthorizer', () => {
  const source = staticRBACSource({
    roles: [{ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'reader', namespace: 'default' }, rules: [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'] }] }],
    clusterRoles: [{ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'node-viewer' }, rules: [{ verbs: ['get'], apiGroups: [''], resources: ['nodes'] }, { verbs: ['get'], nonResourceURLs: ['/metrics'] }] }],
    roleBindings: [
      binding('RoleBinding', 'dev-reads', 'Role', 'reader', [{ kind: 'Group', name: 'dev' }], 'default'),
      binding('RoleBinding', 'robot', 'ClusterRole', 'node-viewer', [{ kind: 'ServiceAccount', name: 'robot' }], 'ci'),
      binding('RoleBinding', 'dangling', 'Role', 'missing', [{ kind: 'User', name: 'jane' }], 'other'),
    ],
    clusterRoleBindings: [binding('ClusterRoleBinding', 'jane-nodes', 'ClusterRole', 'node-viewer', [{ kind: 'User', name: 'jane' }])],
  });
  const rbac = new RBACAuthorizer(source);

  it('allows through a group RoleBinding in its namespace only, with the allowed-by reason', async () => {
    assert.deepEqual(await rbac.authorize(req({ verb: 'list' })), { decision: 'allow', reason: 'RBAC: allowed by RoleBinding "dev-reads/default" of Role "reader" to Group "dev"' });
    assert.equal((await rbac.authorize(req({ verb: 'list', namespace: 'kube-system' }))).decision, 'no-opinion');
    assert.equal((await rbac.authorize(req({ verb: 'delete' }))).decision, 'no-opinion');
  });
  it('applies ClusterRoleBindings everywhere, including non-resource URLs', async () => {
    assert.equal((await rbac.authorize(req({ resource: 'nodes', namespace: '' }))).decision, 'allow');
    assert.equal((await rbac.authorize({ user: jane, verb: 'get', resourceRequest: false, path: '/metrics' })).decision, 'allow');
  });
  it('matches a ServiceAccount subject without namespace in the binding’s namespace', async () => {
    const robot = { username: 'system:serviceaccount:ci:robot', groups: ['system:serviceaccounts'] };
    assert.equal((await rbac.authorize(req({ user: robot, resource: 'nodes', namespace: 'ci' }))).decision, 'allow');
    assert.equal((await rbac.authorize(req({ user: { username: 'system:serviceaccount:other:robot' }, resource: 'nodes', namespace: 'ci' }))).decision, 'no-opinion');
  });
  it('reports a missing role as the reason of no opinion', async () => {
    assert.deepEqual(await rbac.authorize(req({ namespace: 'other', verb: 'delete' })), { decision: 'no-opinion', reason: 'RBAC: role.rbac.authorization.k8s.io "missing" not found' });
  });
  it('lists the rules of a user in a namespace, incomplete when a role is missing', async () => {
    const rules = rbac.rulesFor(jane, 'default');
    assert.equal(rules.incomplete, false);
    assert.deepEqual(rules.nonResourceRules, [{ verbs: ['get'], nonResourceURLs: ['/metrics'] }]);
    assert.equal(rules.resourceRules.length, 2);
    assert.equal(rbac.rulesFor(jane, 'other').incomplete, true);
  });
  it('is preceded by the system:masters superuser in the mode union', async () => {
    const z = authorizerForModes(['RBAC'], { RBAC: rbac });
    assert.equal((await z.authorize(req({ user: { username: 'root', groups: ['system:masters'] }, verb: 'deletecollection' }))).decision, 'allow');
    assert.equal((await z.authorize(req({ verb: 'deletecollection' }))).decision, 'no-opinion');
  });
});
