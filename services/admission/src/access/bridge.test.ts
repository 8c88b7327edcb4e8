import assert from 'node:assert/strict';
import { it } from 'node:test';
import { newNotFound, type KubeObject } from '@kapi/apimachinery';
import { AccessClient, AccessServer } from './bridge.js';

it('answers gets, lists and status updates across the channel, errors as StatusErrors', async () => {
  const updates: KubeObject[] = [];
  const server = new AccessServer('test-bridge', {
    get: async (resource, ns, name) => {
      if (name === 'boom') throw newNotFound({ group: '', resource: 'namespaces' }, name);
      return name === 'missing' ? undefined : { apiVersion: 'v1', kind: 'Namespace', metadata: { name, namespace: ns, labels: { r: resource } } };
    },
    list: async (_resource, ns, fresh) => [{ apiVersion: 'v1', kind: 'LimitRange', metadata: { name: fresh ? 'fresh' : 'cached', namespace: ns } }],
    updateStatus: async (_resource, object) => {
      updates.push(object);
      return object.metadata?.resourceVersion === '7';
    },
  });
  const client = new AccessClient('test-bridge', 2_000);
  try {
    assert.equal((await client.get('/namespaces', '', 'default'))?.metadata?.labels?.r, '/namespaces');
    assert.equal(await client.get('/namespaces', '', 'missing'), undefined);
    await assert.rejects(client.get('/namespaces', '', 'boom'), (err: { code?: number; message: string }) => err.code === 404 && /namespaces "boom" not found/.test(err.message));
    assert.equal((await client.list('/limitranges', 'ns1'))[0]?.metadata?.name, 'cached');
    assert.equal((await client.list('/limitranges', 'ns1', { fresh: true }))[0]?.metadata?.name, 'fresh');
    assert.equal(await client.updateStatus('/resourcequotas', { metadata: { name: 'q', namespace: 'a', resourceVersion: '7' } }), true);
    assert.equal(await client.updateStatus('/resourcequotas', { metadata: { name: 'q', namespace: 'a', resourceVersion: '6' } }), false);
    assert.equal(updates.length, 2);
  } finally {
    server.close();
  }
  // nobody answers: bounded
  const lonely = new AccessClient('test-bridge-nobody', 100);
  await assert.rejects(lonely.get('/namespaces', '', 'x'), /timed out/);
});
