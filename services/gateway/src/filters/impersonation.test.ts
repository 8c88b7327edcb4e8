import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AuthorizationAttributes, Authorizer } from '../auth/authorizer.js';
import { buildImpersonationRequests, impersonatedUser, impersonationFilter } from './impersonation.js';
import type { RequestContext } from '../context.js';

test('impersonation requests: user, service account, groups, extras, uid; groups without a user is an error', () => {
  const reqs = buildImpersonationRequests({
    'impersonate-user': 'system:serviceaccount:ns:sa',
    'impersonate-group': ['a', 'b'],
    'impersonate-extra-scopes%2fx': ['view'],
    'impersonate-uid': '123',
  });
  assert.deepEqual(
    reqs.map((r) => `${r.kind}:${r.namespace}:${r.name}:${r.fieldPath}`),
    ['ServiceAccount:ns:sa:', 'Group::a:', 'Group::b:', 'UserExtra::view:scopes/x', 'UID::123:'],
  );
  assert.throws(() => buildImpersonationRequests({ 'impersonate-group': 'dev' }), { message: 'requested [{Group  dev    }] without impersonating a user' });
  assert.throws(() => buildImpersonationRequests({ 'impersonate-uid': 'u' }), /requested \[\{UID  u  authentication.k8s.io\/v1  \}\] without impersonating a user/);
  assert.deepEqual(buildImpersonationRequests({}), []);
});

test('impersonated user: kube’s group rules', () => {
  const sa = buildImpersonationRequests({ 'impersonate-user': 'system:serviceaccount:ns:sa' });
  assert.deepEqual(impersonatedUser(sa, false), { username: 'system:serviceaccount:ns:sa', groups: ['system:serviceaccounts', 'system:serviceaccounts:ns', 'system:authenticated'] });
  const jane = buildImpersonationRequests({ 'impersonate-user': 'jane', 'impersonate-group': 'system:unauthenticated' });
  assert.deepEqual(impersonatedUser(jane, true), { username: 'jane', groups: ['system:unauthenticated'] });
  const anon = buildImpersonationRequests({ 'impersonate-user': 'system:anonymous' });
  assert.deepEqual(impersonatedUser(anon, false), { username: 'system:anonymous', groups: ['system:unauthenticated'] });
});

function fakeCtx(headers: Record<string, string | string[]>) {
  const sent: { code: number; body: string }[] = [];
  const ctx = {
    headers: { ...headers },
    requestURI: '/api/v1/pods',
    query: new URLSearchParams(),
    header: () => '',
    user: { username: 'admin', groups: ['system:authenticated'] },
    authenticatedUser: undefined,
    responseHeaders: { delete() {}, set() {} },
    send(code: number, body: string) {
      sent.push({ code, body });
      return true;
    },
  };
  return { ctx: ctx as unknown as RequestContext & { user: unknown }, sent };
}

test('impersonation filter: each request is authorized with the impersonate verb; a denial is kube’s Forbidden', async () => {
  const asked: AuthorizationAttributes[] = [];
  const denyGroups: Authorizer = {
    async authorize(a) {
      asked.push(a);
      return a.resource === 'groups' ? { decision: 'no-opinion', reason: 'no groups for you' } : { decision: 'allow', reason: '' };
    },
  };
  const { ctx, sent } = fakeCtx({ 'impersonate-user': 'jane', 'impersonate-group': 'dev' });
  let reached = false;
  await impersonationFilter(denyGroups).filter(ctx, async () => {
    reached = true;
  });
  assert.equal(reached, false);
  assert.equal(sent[0]!.code, 403);
  assert.equal(
    JSON.parse(sent[0]!.body).message,
    'groups "dev" is forbidden: User "admin" cannot impersonate resource "groups" in API group "" at the cluster scope: no groups for you',
  );
  assert.deepEqual(asked.map((a) => [a.verb, a.resource, a.name]), [['impersonate', 'users', 'jane'], ['impersonate', 'groups', 'dev']]);

  const allow: Authorizer = { async authorize() { return { decision: 'allow', reason: '' }; } };
  const ok = fakeCtx({ 'impersonate-user': 'jane', 'impersonate-group': 'dev' });
  await impersonationFilter(allow).filter(ok.ctx, async () => {
    reached = true;
  });
  assert.equal(reached, true);
  assert.deepEqual(ok.ctx.user, { username: 'jane', groups: ['dev', 'system:authenticated'] });
  assert.equal(ok.ctx.authenticatedUser?.username, 'admin');
  assert.equal(ok.ctx.headers['impersonate-user'], undefined);
});
