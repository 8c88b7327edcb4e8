import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseTokenFile, staticTokenAuthenticator } from './token-file.js';

test('token file: token,user,uid,"groups" with quoting; fewer than 3 columns is an error', async () => {
  const tokens = parseTokenFile('t1,alice,uid-1,"dev,ops"\nt2,bob,uid-2\n\n,skipped,x\n');
  assert.deepEqual(tokens.get('t1'), { username: 'alice', uid: 'uid-1', groups: ['dev', 'ops'] });
  assert.deepEqual(tokens.get('t2'), { username: 'bob', uid: 'uid-2', groups: [] });
  assert.equal(tokens.size, 2);
  assert.throws(() => parseTokenFile('t1,alice\n', 'f.csv'), /must have at least 3 columns/);
  const a = staticTokenAuthenticator(tokens);
  assert.deepEqual(await a.authenticateToken('t1', []), { kind: 'user', user: { username: 'alice', uid: 'uid-1', groups: ['dev', 'ops'] }, audiences: [] });
  assert.deepEqual(await a.authenticateToken('nope', []), { kind: 'none' });
});
