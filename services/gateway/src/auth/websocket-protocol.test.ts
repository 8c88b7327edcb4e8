import assert from 'node:assert/strict';
import { test } from 'node:test';
import { staticTokenAuthenticator } from './token-file.js';
import { websocketProtocolAuthenticator } from './websocket-protocol.js';

test('websocket subprotocol bearer tokens: only on upgrades; consumed; unknown is an error', async () => {
  const a = websocketProtocolAuthenticator(staticTokenAuthenticator(new Map([['tok', { username: 'ws', groups: [] }]])), []);
  const proto = `base64url.bearer.authorization.k8s.io.${Buffer.from('tok').toString('base64url')}`;
  const headers: Record<string, string> = { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-protocol': `v5.channel.k8s.io, ${proto}` };
  assert.deepEqual(await a({ headers, socket: undefined }), { kind: 'user', user: { username: 'ws', groups: [] } });
  assert.equal(headers['sec-websocket-protocol'], 'v5.channel.k8s.io');
  assert.deepEqual(await a({ headers: { 'sec-websocket-protocol': proto }, socket: undefined }), { kind: 'none' }, 'not an upgrade');
  const bad = `base64url.bearer.authorization.k8s.io.${Buffer.from('nope').toString('base64url')}`;
  assert.equal((await a({ headers: { connection: 'upgrade', upgrade: 'websocket', 'sec-websocket-protocol': bad }, socket: undefined })).kind, 'error');
});
