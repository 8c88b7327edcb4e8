// The scale subresource through the registry: the Scale view, PUT and PATCH changing only the
// parent's spec.replicas, the resourceVersion precondition and validation.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type KubeObject, MERGE_PATCH_TYPE } from '@kapi/apimachinery';
import { createNamespace, deploymentBody, expectStatus, newHarness, objectOf, scope, writeOptions } from './testing-support.js';

async function withDeployment() {
  const h = newHarness();
  await createNamespace(h, 'ns');
  const created = objectOf(await h.registry.create(scope('deployments', 'ns'), deploymentBody('d', 2), writeOptions()));
  return { h, created };
}

describe('scale subresource', () => {
  test('GET answers the autoscaling/v1 Scale view of the parent', async () => {
    const { h, created } = await withDeployment();
    const scale = await h.registry.get(scope('deployments', 'ns', 'd', 'scale'));
    assert.deepEqual(scale, {
      kind: 'Scale',
      apiVersion: 'autoscaling/v1',
      metadata: {
        name: 'd',
        namespace: 'ns',
        uid: created.metadata!.uid,
        resourceVersion: created.metadata!.resourceVersion,
        creationTimestamp: created.metadata!.creationTimestamp,
      },
      spec: { replicas: 2 },
      status: { replicas: 0, selector: 'app=d' },
    });
  });

  test('PUT and merge PATCH change only spec.replicas of the parent', async () => {
    const { h, created } = await withDeployment();
    const put = objectOf(await h.registry.update(scope('deployments', 'ns', 'd', 'scale'), { kind: 'Scale', apiVersion: 'autoscaling/v1', metadata: { name: 'd' }, spec: { replicas: 5 } }, writeOptions()));
    assert.equal((put.spec as { replicas: number }).replicas, 5);
    const parent = await h.registry.get(scope('deployments', 'ns', 'd'));
    assert.equal((parent.spec as { replicas: number }).replicas, 5);
    assert.deepEqual((parent.spec as { template: unknown }).template, (created.spec as { template: unknown }).template);
    assert.equal(put.metadata!.resourceVersion, parent.metadata!.resourceVersion);
    const patched = objectOf(await h.registry.patch(scope('deployments', 'ns', 'd', 'scale'), MERGE_PATCH_TYPE, new TextEncoder().encode('{"spec":{"replicas":1}}'), writeOptions()));
    assert.equal((patched.spec as { replicas: number }).replicas, 1);
    assert.equal(((await h.registry.get(scope('deployments', 'ns', 'd'))).spec as { replicas: number }).replicas, 1);
  });

  test('a stale resourceVersion conflicts, a negative count is invalid, a missing parent is NotFound', async () => {
    const { h } = await withDeployment();
    const scaleScope = scope('deployments', 'ns', 'd', 'scale');
    const stale: KubeObject = { kind: 'Scale', apiVersion: 'autoscaling/v1', metadata: { name: 'd', resourceVersion: '1' }, spec: { replicas: 3 } };
    await expectStatus(h.registry.update(scaleScope, stale, writeOptions()), { code: 409, reason: 'Conflict' });
    await expectStatus(h.registry.update(scaleScope, { metadata: { name: 'd' }, spec: { replicas: -1 } }, writeOptions()), {
      code: 422,
      reason: 'Invalid',
      message: 'Scale.autoscaling "d" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0',
    });
    await expectStatus(h.registry.get(scope('deployments', 'ns', 'nope', 'scale')), { code: 404, reason: 'NotFound', message: 'deployments.apps "nope" not found' });
  });
});
