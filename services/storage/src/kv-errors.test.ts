import { describe, it } from 'node:test';
import { KVError } from '@kapi/kv';
import { translatingKVErrors } from './kv-errors.js';
import { createNamespace, expectStatus, newHarness, scope, writeOptions } from './testing-support.js';

describe('KV errors at the API', () => {
  it('answers an object too large for the store as kube does (500, etcd text, no reason)', async () => {
    const h = newHarness();
    await createNamespace(h, 'ns');
    const huge = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'huge' }, data: { blob: 'x'.repeat(2 * 1024 * 1024) } };
    await expectStatus(translatingKVErrors(() => h.registry.create(scope('configmaps', 'ns'), huge, writeOptions())), {
      code: 500,
      reason: '',
      message: 'etcdserver: request is too large',
    });
  });

  it('turns an unreachable store into a retryable 503 and a timeout into etcd text', async () => {
    await expectStatus(
      translatingKVErrors(() => Promise.reject(new KVError('Unavailable', 'all members down'))),
      { code: 503, reason: 'ServiceUnavailable', message: /all members down/ },
    );
    await expectStatus(
      translatingKVErrors(() => Promise.reject(new KVError('Timeout', 'deadline'))),
      { code: 500, reason: '', message: 'etcdserver: request timed out' },
    );
  });
});
