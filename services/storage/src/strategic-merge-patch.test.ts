// application/strategic-merge-patch+json through the registry, with the patch metadata of the
// 1.36 built-in types: kube-apiserver's smpPatcher (decoding, interpretStrategicMergePatchError's
// status codes) and strategicpatch over Pods and Deployments (containers, ports, env, volumes
// with "merge,retainKeys", tolerations without a strategy, finalizers as a primitive merge list).

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type KubeObject, STRATEGIC_MERGE_PATCH_TYPE as SMP } from '@kapi/apimachinery';
import { builtinCatalogue } from '@kapi/schema';
import { preparePatch } from './patch.js';
import {
  createNamespace,
  deploymentBody,
  expectStatus,
  newHarness,
  objectOf,
  podBody,
  scope,
  writeOptions,
  type Harness,
  type ResourceName,
} from './testing-support.js';

const encode = (value: unknown): Uint8Array => new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value));

function patch(h: Harness, resource: ResourceName, name: string, body: unknown, subresource = '') {
  return h.registry.patch(scope(resource, 'ns', name, subresource), SMP, encode(body), writeOptions());
}

async function withPod(spec: Record<string, unknown>): Promise<Harness> {
  const h = newHarness();
  await createNamespace(h, 'ns');
  await h.registry.create(scope('pods', 'ns'), podBody('p', spec), writeOptions());
  return h;
}

type Spec = Record<string, unknown> & { containers: Record<string, unknown>[] };
const specOf = (result: { object: unknown }): Spec => (objectOf(result as { object: KubeObject }) as unknown as { spec: Spec }).spec;

describe('strategic merge patch of built-in types', () => {
  test('containers, ports and env merge by their merge keys; the rest is kept', async () => {
    const h = await withPod({
      containers: [
        { name: 'a', image: 'nginx:1', ports: [{ containerPort: 80, protocol: 'TCP' }], env: [{ name: 'X', value: '1' }] },
        { name: 'b', image: 'busybox' },
      ],
    });
    const result = await patch(h, 'pods', 'p', {
      spec: { containers: [{ name: 'a', image: 'nginx:2', ports: [{ containerPort: 443, protocol: 'TCP' }], env: [{ name: 'X', value: '2' }, { name: 'Y', value: '3' }] }] },
    });
    const [a, b] = specOf(result).containers;
    assert.equal(a!.image, 'nginx:2');
    assert.deepEqual(a!.ports, [
      { containerPort: 443, protocol: 'TCP' },
      { containerPort: 80, protocol: 'TCP' },
    ]);
    assert.deepEqual(a!.env, [
      { name: 'X', value: '2' },
      { name: 'Y', value: '3' },
    ]);
    assert.deepEqual(b, { name: 'b', image: 'busybox' });
  });

  test('tolerations have no patch strategy: the patch list replaces the live one', async () => {
    const h = await withPod({ tolerations: [{ key: 'a', operator: 'Exists' }] });
    const result = await patch(h, 'pods', 'p', { spec: { tolerations: [{ key: 'b', operator: 'Exists' }] } });
    assert.deepEqual(specOf(result).tolerations, [{ key: 'b', operator: 'Exists' }]);
  });

  test('volumes ("merge,retainKeys"): $retainKeys clears the other volume source', async () => {
    const h = await withPod({ volumes: [{ name: 'v', emptyDir: {} }, { name: 'w', emptyDir: {} }] });
    const result = await patch(h, 'pods', 'p', {
      spec: { volumes: [{ name: 'v', $retainKeys: ['name', 'configMap'], configMap: { name: 'cm' } }] },
    });
    assert.deepEqual(specOf(result).volumes, [
      { name: 'v', configMap: { name: 'cm' } },
      { name: 'w', emptyDir: {} },
    ]);
  });

  test('metadata: labels merge, null deletes, finalizers are a primitive merge list', async () => {
    const h = newHarness();
    await createNamespace(h, 'ns');
    const body = deploymentBody('d');
    body.metadata!.labels = { app: 'd', tier: 'web' };
    body.metadata!.finalizers = ['x/a', 'x/b'];
    await h.registry.create(scope('deployments', 'ns'), body, writeOptions());
    const result = objectOf(
      await patch(h, 'deployments', 'd', {
        metadata: { labels: { tier: null, new: 'yes' }, finalizers: ['x/c'], '$deleteFromPrimitiveList/finalizers': ['x/a'] },
      }),
    );
    assert.deepEqual(result.metadata?.labels, { app: 'd', new: 'yes' });
    assert.deepEqual(result.metadata?.finalizers, ['x/c', 'x/b']);
  });

  test('the status subresource applies the patch with the same schema', async () => {
    const h = newHarness();
    await createNamespace(h, 'ns');
    await h.registry.create(scope('deployments', 'ns'), deploymentBody('d'), writeOptions());
    const result = objectOf(
      await patch(h, 'deployments', 'd', { status: { conditions: [{ type: 'Available', status: 'True' }, { type: 'Progressing', status: 'True' }] } }, 'status'),
    ) as unknown as { status: { conditions: unknown[] } };
    assert.deepEqual(result.status.conditions, [
      { type: 'Available', status: 'True' },
      { type: 'Progressing', status: 'True' },
    ]);
  });

  test('a JSON null body changes nothing', async () => {
    const h = await withPod({});
    const before = await h.registry.get(scope('pods', 'ns', 'p'));
    const result = objectOf(await patch(h, 'pods', 'p', 'null'));
    assert.equal(result.metadata?.resourceVersion, before.metadata?.resourceVersion);
  });
});

describe('bad strategic merge patches: kube-apiserver\'s statuses', () => {
  test('a body that is not an object or not JSON: 400 with the decoder\'s text', async () => {
    const h = await withPod({});
    await expectStatus(patch(h, 'pods', 'p', '[1]'), {
      code: 400,
      reason: 'BadRequest',
      message: 'json: cannot unmarshal array into Go value of type map[string]interface {}',
    });
    await expectStatus(patch(h, 'pods', 'p', '{"spec":'), { code: 400, reason: 'BadRequest', message: 'unexpected end of JSON input' });
  });

  test('a list element without its merge key: 400 with kube\'s text (kube itself answers 500)', async () => {
    const h = await withPod({});
    const status = await expectStatus(patch(h, 'pods', 'p', { spec: { containers: [{ image: 'x' }] } }), {
      code: 400,
      reason: 'BadRequest',
      message: 'map: map[image:x] does not contain declared merge key: name',
    });
    assert.equal(status.details, undefined);
  });

  test('malformed directives: 400', async () => {
    const h = await withPod({ volumes: [{ name: 'v', emptyDir: {} }] });
    await expectStatus(patch(h, 'pods', 'p', { spec: { volumes: [{ name: 'v', $retainKeys: 'name' }] } }), {
      code: 400,
      reason: 'BadRequest',
      message: 'invalid patch format of retainKeys',
    });
    await expectStatus(patch(h, 'pods', 'p', { spec: { '$setElementOrder/': [] } }), {
      code: 400,
      reason: 'BadRequest',
      message: 'unable to find api field in struct PodSpec for the json field ""',
    });
    await expectStatus(patch(h, 'pods', 'p', { spec: { $deleteFromPrimitiveList: [] } }), {
      code: 400,
      reason: 'BadRequest',
      message: 'invalid patch format of primitive list',
    });
  });

  test('a list of lists: the generic 422', async () => {
    const h = newHarness();
    await createNamespace(h, 'ns');
    const body = deploymentBody('d');
    body.metadata!.finalizers = [];
    await h.registry.create(scope('deployments', 'ns'), body, writeOptions());
    // finalizers is a merge list of strings; the patch's first element is a list.
    await expectStatus(patch(h, 'deployments', 'd', { metadata: { finalizers: [['x']] } }), {
      code: 422,
      reason: 'Invalid',
      message: 'the server rejected our request due to an error in our request',
    });
  });

  test('a resource without a schema keeps the 415', () => {
    const info = builtinCatalogue().lookup('', 'v1', 'configmaps')!;
    assert.throws(() => preparePatch(SMP, encode({}), { fieldValidation: '', maxCopyBytes: 0 }), (err: unknown) => {
      assert.equal((err as { status: { code: number; message: string } }).status.code, 415);
      assert.match((err as { status: { message: string } }).status.message, /application\/json-patch\+json, application\/merge-patch\+json, application\/apply-patch\+yaml$/);
      return true;
    });
    assert.doesNotThrow(() => preparePatch(SMP, encode({}), { fieldValidation: '', maxCopyBytes: 0, definition: info.definition }));
  });
});
