// Authorization end to end against `kapi up` (Node,RBAC by default): a token user without
// bindings is forbidden everywhere with kube's message (watch included); after a Role and
// RoleBinding it can do exactly what the Role grants; the bootstrap policy (admin/edit/view
// aggregation, system:basic-user, system:public-info-viewer); SubjectAccessReview and the self
// reviews behind `kubectl auth can-i` (also --list and --as); impersonation needs `impersonate`.

import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { HttpsOptions } from '../support/https.js';
import { Kubectl, findKubectl } from '../support/kubectl.js';
import { startTestUp, type TestUp } from '../support/up.js';

const binary = findKubectl();
if (!binary) console.log('# skipping kubectl parts of the authorization e2e: no kubectl on PATH');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('authorization against kapi up', () => {
  let up: TestUp;

  const call = (path: string, opts: Omit<HttpsOptions, 'ca'> = {}) => up.call(path, opts);
  const asAdmin = (path: string, opts: Omit<HttpsOptions, 'ca'> = {}) => up.asAdmin(path, opts);
  const asJane = (path: string, opts: Omit<HttpsOptions, 'ca'> = {}) => call(path, { ...opts, headers: { Authorization: 'Bearer jane-token', ...opts.headers } });
  const post = (path: string, body: unknown, as = asAdmin) => as(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  /** Retries until `check` passes: the gateway's RBAC informers follow writes within moments. */
  const eventually = async (check: () => Promise<void>, ms = 10_000) => {
    const until = Date.now() + ms;
    for (;;) {
      try {
        await check();
        return;
      } catch (err) {
        if (Date.now() > until) throw err;
        await sleep(100);
      }
    }
  };
  const kubeconfigFor = async (name: string, token: string): Promise<string> => {
    const path = join(up.dir, `${name}.kubeconfig`);
    await writeFile(
      path,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'kapi', cluster: { server: up.base, 'certificate-authority-data': Buffer.from(up.ca).toString('base64') } }],
        users: [{ name, user: { token } }],
        contexts: [{ name, context: { cluster: 'kapi', user: name, namespace: 'default' } }],
        'current-context': name,
      }),
    );
    return path;
  };

  before(async () => {
    up = await startTestUp('e2e-authz', async (dir) => {
      const tokenAuthFile = join(dir, 'tokens.csv');
      await writeFile(tokenAuthFile, 'jane-token,jane,jane-uid\nops-token,ops,ops-uid,"operators"\n');
      return { auth: { tokenAuthFile } };
    });
  });

  after(() => up?.stop());

  it('answers 401 without credentials, except on the public health and version paths', async () => {
    for (const path of ['/api/v1/pods', '/api/v1/namespaces/default/configmaps', '/apis', '/api', '/apis/apps/v1/deployments?watch=1']) {
      assert.equal((await call(path)).status, 401, path);
    }
    for (const path of ['/healthz', '/livez', '/readyz', '/version']) assert.equal((await call(path)).status, 200, path);
  });

  it('forbids a user without bindings on every verb with kube’s message', async () => {
    const list = await asJane('/api/v1/namespaces/default/pods');
    assert.equal(list.status, 403, list.body);
    assert.deepEqual(JSON.parse(list.body), {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'pods is forbidden: User "jane" cannot list resource "pods" in API group "" in the namespace "default"',
      reason: 'Forbidden',
      details: { kind: 'pods' },
      code: 403,
    });
    const watch = await asJane('/api/v1/namespaces/default/pods?watch=true');
    assert.equal(watch.status, 403);
    assert.match(JSON.parse(watch.body).message, /User "jane" cannot watch resource "pods" in API group "" in the namespace "default"/);
    const get = await asJane('/apis/apps/v1/namespaces/default/deployments/web');
    assert.equal(JSON.parse(get.body).message, 'deployments.apps "web" is forbidden: User "jane" cannot get resource "deployments" in API group "apps" in the namespace "default"');
    const create = await post('/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } }, asJane);
    assert.equal(create.status, 403);
    const nodes = await asJane('/api/v1/nodes');
    assert.equal(JSON.parse(nodes.body).message, 'nodes is forbidden: User "jane" cannot list resource "nodes" in API group "" at the cluster scope');
    // discovery is allowed to every authenticated user (system:discovery)
    assert.equal((await asJane('/api')).status, 200);
    assert.equal((await asJane('/apis/apps/v1')).status, 200);
  });

  it('grants exactly what a Role bound to the user allows', async () => {
    const role = await post('/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'pod-reader' },
      rules: [
        { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: [''], resources: ['configmaps'], verbs: ['get'], resourceNames: ['allowed'] },
      ],
    });
    assert.equal(role.status, 201, role.body);
    const binding = await post('/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'jane-reads-pods' },
      subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'jane' }],
      roleRef: { kind: 'Role', apiGroup: 'rbac.authorization.k8s.io', name: 'pod-reader' },
    });
    assert.equal(binding.status, 201, binding.body);
    await eventually(async () => assert.equal((await asJane('/api/v1/namespaces/default/pods')).status, 200));
    assert.equal((await asJane('/api/v1/namespaces/kube-system/pods')).status, 403);
    assert.equal((await asJane('/api/v1/pods')).status, 403, 'all namespaces is a cluster-scope list');
    assert.equal((await post('/api/v1/namespaces/default/pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'x' }] } }, asJane)).status, 403);
    // resourceNames: one named configmap only
    assert.equal((await asJane('/api/v1/namespaces/default/configmaps/allowed')).status, 404);
    assert.equal((await asJane('/api/v1/namespaces/default/configmaps/other')).status, 403);
    assert.equal((await asJane('/api/v1/namespaces/default/configmaps')).status, 403);
    // the grant goes away with the binding
    assert.equal((await asAdmin('/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings/jane-reads-pods', { method: 'DELETE' })).status, 200);
    await eventually(async () => assert.equal((await asJane('/api/v1/namespaces/default/pods')).status, 403));
  });

  it('prevents escalation: roles and bindings only with rules the writer holds', async () => {
    const rbacApi = '/apis/rbac.authorization.k8s.io/v1/namespaces/default';
    const rbacEditor = await post(`${rbacApi}/roles`, {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'rbac-editor' },
      rules: [
        { apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles', 'rolebindings'], verbs: ['create', 'get', 'update'] },
        { apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list'] },
      ],
    });
    assert.equal(rbacEditor.status, 201, rbacEditor.body);
    const bound = await post(`${rbacApi}/rolebindings`, {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'jane-rbac-editor' },
      subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'jane' }],
      roleRef: { kind: 'Role', apiGroup: 'rbac.authorization.k8s.io', name: 'rbac-editor' },
    });
    assert.equal(bound.status, 201, bound.body);
    const role = (name: string, rules: unknown[]) => post(`${rbacApi}/roles`, { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name }, rules }, asJane);
    await eventually(async () => assert.equal((await role('cm-reader', [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }])).status, 201));
    const escalating = await role('secret-deleter', [{ apiGroups: [''], resources: ['secrets'], verbs: ['delete', 'list'] }]);
    assert.equal(escalating.status, 403, escalating.body);
    assert.equal(
      JSON.parse(escalating.body).message,
      'roles.rbac.authorization.k8s.io "secret-deleter" is forbidden: user "jane" (groups=["system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n{APIGroups:[""], Resources:["secrets"], Verbs:["delete" "list"]}',
    );
    const binding = (name: string, roleRef: Record<string, string>) =>
      post(`${rbacApi}/rolebindings`, { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name }, subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'bob' }], roleRef: { apiGroup: 'rbac.authorization.k8s.io', ...roleRef } }, asJane);
    assert.equal((await binding('bob-cm', { kind: 'Role', name: 'cm-reader' })).status, 201);
    const toAdmin = await binding('bob-admin', { kind: 'ClusterRole', name: 'admin' });
    assert.equal(toAdmin.status, 403, toAdmin.body);
    assert.match(JSON.parse(toAdmin.body).message, /^rolebindings.rbac.authorization.k8s.io "bob-admin" is forbidden: user "jane" \(groups=\["system:authenticated"\]\) is attempting to grant RBAC permissions not currently held:\n/);
  });

  it('aggregates the bootstrap admin/edit/view roles, also from user roles', async () => {
    const view = JSON.parse((await asAdmin('/apis/rbac.authorization.k8s.io/v1/clusterroles/view')).body);
    assert.equal(view.metadata.labels['kubernetes.io/bootstrapping'], 'rbac-defaults');
    assert.ok(view.rules.some((r: { resources: string[] }) => r.resources.includes('pods')), 'view has the aggregate-to-view rules');
    const widgets = await post('/apis/rbac.authorization.k8s.io/v1/clusterroles', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'widget-viewer', labels: { 'rbac.authorization.k8s.io/aggregate-to-view': 'true' } },
      rules: [{ apiGroups: ['example.com'], resources: ['widgets'], verbs: ['get'] }],
    });
    assert.equal(widgets.status, 201, widgets.body);
    for (const role of ['view', 'edit', 'admin']) {
      await eventually(async () => {
        const got = JSON.parse((await asAdmin(`/apis/rbac.authorization.k8s.io/v1/clusterroles/${role}`)).body);
        assert.ok(got.rules.some((r: { apiGroups: string[] }) => r.apiGroups.includes('example.com')), `${role} aggregates widget-viewer`);
      });
    }
    // a ClusterRoleBinding to view lets the ops group read across namespaces
    const crb = await post('/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'operators-view' },
      subjects: [{ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'operators' }],
      roleRef: { kind: 'ClusterRole', apiGroup: 'rbac.authorization.k8s.io', name: 'view' },
    });
    assert.equal(crb.status, 201, crb.body);
    const asOps = (path: string) => call(path, { headers: { Authorization: 'Bearer ops-token' } });
    await eventually(async () => assert.equal((await asOps('/api/v1/configmaps')).status, 200));
    assert.equal((await asOps('/api/v1/secrets')).status, 403, 'view does not read secrets');
  });

  it('answers SubjectAccessReview and the self reviews', async () => {
    const sar = await post('/apis/authorization.k8s.io/v1/subjectaccessreviews', {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SubjectAccessReview',
      spec: { user: 'someone', groups: ['system:masters'], resourceAttributes: { verb: 'delete', resource: 'nodes' } },
    });
    assert.equal(sar.status, 201, sar.body);
    assert.equal(JSON.parse(sar.body).status.allowed, true);
    const denied = await post('/apis/authorization.k8s.io/v1/subjectaccessreviews', {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SubjectAccessReview',
      spec: { user: 'jane', resourceAttributes: { namespace: 'default', verb: 'create', resource: 'pods' } },
    });
    assert.deepEqual(JSON.parse(denied.body).status, { allowed: false });
    const invalid = await post('/apis/authorization.k8s.io/v1/subjectaccessreviews', { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec: { resourceAttributes: { verb: 'get' } } });
    assert.equal(invalid.status, 422);
    assert.match(JSON.parse(invalid.body).message, /spec.user: Invalid value: "": at least one of user or group must be specified/);
    // jane may not create SubjectAccessReviews, but may ask about herself (system:basic-user)
    assert.equal((await post('/apis/authorization.k8s.io/v1/subjectaccessreviews', { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec: { user: 'x', nonResourceAttributes: { path: '/', verb: 'get' } } }, asJane)).status, 403);
    const self = await post('/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { nonResourceAttributes: { path: '/version', verb: 'get' } } }, asJane);
    assert.equal(self.status, 201, self.body);
    assert.equal(JSON.parse(self.body).status.allowed, true);
    const rules = await post('/apis/authorization.k8s.io/v1/selfsubjectrulesreviews', { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectRulesReview', spec: { namespace: 'default' } }, asJane);
    assert.equal(rules.status, 201, rules.body);
    const status = JSON.parse(rules.body).status;
    assert.equal(status.incomplete, false);
    assert.ok(status.resourceRules.some((r: { resources: string[] }) => r.resources.includes('selfsubjectaccessreviews')));
    assert.ok(status.nonResourceRules.some((r: { nonResourceURLs: string[] }) => r.nonResourceURLs.includes('/version')));
  });

  it('checks impersonation against the impersonate verb', async () => {
    const denied = await asJane('/api/v1/namespaces/default/pods', { headers: { 'Impersonate-User': 'ops' } });
    assert.equal(denied.status, 403);
    assert.equal(JSON.parse(denied.body).message, 'users "ops" is forbidden: User "jane" cannot impersonate resource "users" in API group "" at the cluster scope');
    const cr = await post('/apis/rbac.authorization.k8s.io/v1/clusterroles', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'impersonate-ops' },
      rules: [{ apiGroups: [''], resources: ['users'], verbs: ['impersonate'], resourceNames: ['ops'] }, { apiGroups: [''], resources: ['groups'], verbs: ['impersonate'], resourceNames: ['operators'] }],
    });
    assert.equal(cr.status, 201, cr.body);
    const crb = await post('/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'jane-impersonates-ops' },
      subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'jane' }],
      roleRef: { kind: 'ClusterRole', apiGroup: 'rbac.authorization.k8s.io', name: 'impersonate-ops' },
    });
    assert.equal(crb.status, 201, crb.body);
    await eventually(async () => {
      const who = await post('/apis/authentication.k8s.io/v1/selfsubjectreviews', { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' }, (p, o = {}) => asJane(p, { ...o, headers: { ...o.headers, 'Impersonate-User': 'ops', 'Impersonate-Group': 'operators' } }));
      assert.equal(who.status, 201, who.body);
      assert.equal(JSON.parse(who.body).status.userInfo.username, 'ops');
    });
    assert.equal((await asJane('/api/v1/pods', { headers: { 'Impersonate-User': 'someone-else' } })).status, 403);
  });

  it('kubectl auth can-i (also --list and --as) and kubectl create token', { skip: binary ? false : 'no kubectl' }, async () => {
    const jane = new Kubectl(binary!, await kubeconfigFor('jane', 'jane-token'));
    const no = await jane.run(['auth', 'can-i', 'create', 'pods']);
    assert.equal(no.code, 1);
    assert.equal(no.stdout.trim(), 'no');
    assert.equal((await jane.ok(['auth', 'can-i', 'create', 'selfsubjectaccessreviews.authorization.k8s.io'])).trim(), 'yes');
    const list = await jane.ok(['auth', 'can-i', '--list']);
    assert.match(list, /selfsubjectaccessreviews\.authorization\.k8s\.io/);
    assert.match(list, /\/version/);
    const adminKubectl = new Kubectl(binary!, up.server.kubeconfigPath);
    assert.equal((await adminKubectl.ok(['auth', 'can-i', 'delete', 'nodes'])).trim(), 'yes');
    const asJaneCheck = await adminKubectl.run(['auth', 'can-i', 'list', 'secrets', '--as', 'jane']);
    assert.equal(asJaneCheck.stdout.trim(), 'no');
    assert.equal((await adminKubectl.ok(['auth', 'can-i', 'list', 'configmaps', '--as', 'ops', '--as-group', 'operators', '-A'])).trim(), 'yes');
    // a token for a service account authenticates and is authorized as that account
    await adminKubectl.ok(['create', 'serviceaccount', 'robot']);
    await adminKubectl.ok(['create', 'rolebinding', 'robot-view', '--clusterrole=view', '--serviceaccount=default:robot']);
    const token = (await adminKubectl.ok(['create', 'token', 'robot'])).trim();
    const robot = new Kubectl(binary!, await kubeconfigFor('robot', token));
    assert.match(await robot.ok(['auth', 'whoami']), /system:serviceaccount:default:robot/);
    await eventually(async () => assert.equal((await robot.ok(['auth', 'can-i', 'list', 'pods'])).trim(), 'yes'));
    assert.equal((await robot.run(['get', 'secrets'])).code, 1);
    assert.equal((await robot.run(['get', 'configmaps', '-o', 'name'])).code, 0);
  });
});
