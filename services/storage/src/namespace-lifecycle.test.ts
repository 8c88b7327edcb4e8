import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createConfigMap, createNamespace, expectStatus, newHarness } from './testing-support.js';

const encoder = new TextEncoder();

describe('namespace lifecycle in storage', () => {
  it('remembers an Active namespace briefly, then sees another replica mark it Terminating', async () => {
    const h = newHarness({ namespaceCacheTtlMs: 50 });
    const namespace = await createNamespace(h, 'ns');
    await createConfigMap(h, 'ns', 'first');

    // Another replica starts deleting the namespace: only the KV knows.
    const key = '/registry/namespaces/ns';
    const { kv } = await h.kv.get(key);
    const terminating = { ...namespace, metadata: { ...namespace.metadata, resourceVersion: undefined, deletionTimestamp: '2026-03-04T05:06:07Z' }, status: { phase: 'Terminating' } };
    assert.ok((await h.kv.update(key, encoder.encode(JSON.stringify(terminating)), kv!.modRevision)).succeeded);

    // Within the remembered window the create still passes (as after kube's informer lag) ...
    await createConfigMap(h, 'ns', 'second');
    // ... and once it has passed, the namespace is read again and the create refused.
    await new Promise((resolve) => setTimeout(resolve, 60));
    await expectStatus(createConfigMap(h, 'ns', 'third'), { code: 403, reason: 'Forbidden', message: /because it is being terminated/ });
  });

  it('forgets a namespace this replica deletes', async () => {
    const h = newHarness({ namespaceCacheTtlMs: 60_000 });
    await createNamespace(h, 'ns');
    await createConfigMap(h, 'ns', 'first');
    await h.registry.delete({ info: h.catalogue.lookup('', 'v1', 'namespaces')!, namespace: '', name: 'ns', subresource: '', user: undefined }, { dryRun: false });
    await expectStatus(createConfigMap(h, 'ns', 'second'), { code: 403, reason: 'Forbidden' });
  });
});
