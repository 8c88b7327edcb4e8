import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '@kapi/apimachinery';
import { bootstrapTokenAuthenticator } from './bootstrap-token.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');
function secret(data: Record<string, string>, extra: Partial<KubeObject> = {}): KubeObject {
  return {
    metadata: { name: 'bootstrap-token-abcdef', namespace: 'kube-system' },
    type: 'bootstrap.kubernetes.io/token',
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])),
    ...extra,
  } as KubeObject;
}

test('bootstrap tokens: valid, wrong secret, expired, usage off, missing, bad format', async () => {
  let stored: KubeObject | undefined;
  const getter = { async get(_r: string, ns: string, name: string) { return ns === 'kube-system' && name === 'bootstrap-token-abcdef' ? stored : undefined; } };
  const now = Date.parse('2026-01-01T00:00:00Z');
  const a = bootstrapTokenAuthenticator(getter, () => now);
  const base = { 'token-id': 'abcdef', 'token-secret': '0123456789abcdef', 'usage-bootstrap-authentication': 'true', 'auth-extra-groups': 'system:bootstrappers:kubeadm:default-node-token' };
  stored = secret(base);
  assert.deepEqual(await a.authenticateToken('abcdef.0123456789abcdef', []), {
    kind: 'user',
    user: { username: 'system:bootstrap:abcdef', groups: ['system:bootstrappers', 'system:bootstrappers:kubeadm:default-node-token'] },
    audiences: [],
  });
  assert.deepEqual(await a.authenticateToken('abcdef.0123456789abcdee', []), { kind: 'none' });
  stored = secret({ ...base, expiration: '2025-12-31T23:59:59Z' });
  assert.deepEqual(await a.authenticateToken('abcdef.0123456789abcdef', []), { kind: 'none' });
  stored = secret({ ...base, expiration: '2026-12-31T23:59:59Z' });
  assert.equal((await a.authenticateToken('abcdef.0123456789abcdef', [])).kind, 'user');
  stored = secret({ ...base, 'usage-bootstrap-authentication': 'false' });
  assert.deepEqual(await a.authenticateToken('abcdef.0123456789abcdef', []), { kind: 'none' });
  stored = secret(base, { type: 'Opaque' } as Partial<KubeObject>);
  assert.deepEqual(await a.authenticateToken('abcdef.0123456789abcdef', []), { kind: 'none' });
  stored = secret({ ...base, 'auth-extra-groups': 'system:masters' });
  assert.equal((await a.authenticateToken('abcdef.0123456789abcdef', [])).kind, 'error');
  stored = undefined;
  assert.deepEqual(await a.authenticateToken('abcdef.0123456789abcdef', []), { kind: 'none' });
  assert.deepEqual(await a.authenticateToken('not-a-bootstrap-token', []), { kind: 'none' });
});
