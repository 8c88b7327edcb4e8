import assert from 'node:assert/strict';
import { test } from 'node:test';
import { authorizerForModes, forbiddenMessage, parseAuthorizationModes } from './authorizer.js';

test('--authorization-mode parsing', () => {
  assert.deepEqual(parseAuthorizationModes('AlwaysAllow,AlwaysDeny'), ['AlwaysAllow', 'AlwaysDeny']);
  assert.throws(() => parseAuthorizationModes(''), /at least one/);
  assert.throws(() => parseAuthorizationModes('Bogus'), /not a valid mode/);
  assert.throws(() => parseAuthorizationModes('AlwaysAllow,AlwaysAllow'), /more than once/);
});

test('AlwaysDeny: "Everything is forbidden." except for system:masters', async () => {
  const deny = authorizerForModes(['AlwaysDeny']);
  const attrs = { user: { username: 'bob', groups: ['system:authenticated'] }, verb: 'get', resourceRequest: true, apiGroup: '', resource: 'pods', namespace: 'default', name: 'x' };
  assert.deepEqual(await deny.authorize(attrs), { decision: 'no-opinion', reason: 'Everything is forbidden.' });
  assert.equal(forbiddenMessage(attrs), 'User "bob" cannot get resource "pods" in API group "" in the namespace "default"');
  assert.equal((await deny.authorize({ ...attrs, user: { username: 'admin', groups: ['system:masters'] } })).decision, 'allow');
  assert.equal(forbiddenMessage({ user: { username: 'bob' }, verb: 'get', resourceRequest: false, path: '/metrics' }), 'User "bob" cannot get path "/metrics"');
});
