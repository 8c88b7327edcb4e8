// PATCH: RFC 7386 merge patch and RFC 6902 JSON patch through the registry, against kube-apiserver's
// patch handler (endpoints/handlers/patch.go) and generic store: preconditions, errors and what is
// written.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { KubeObject } from '@kapi/apimachinery';
import { JSON_PATCH, MERGE_PATCH, mergePatch } from './patch.js';
import {
  createConfigMap,
  createNamespace,
  deploymentBody,
  expectStatus,
  newHarness,
  objectOf,
  scope,
  writeOptions,
  type Harness,
  type ResourceName,
} from './testing-support.js';

const OPTIMISTIC = 'the object has been modified; please apply your changes to the latest version and try again';
const STRATEGIC = 'application/strategic-merge-patch+json';

const encode = (value: unknown): Uint8Array => new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value));

async function withConfigMap(data: Record<string, string> = { a: '1', b: '2' }): Promise<{ h: Harness; cm: KubeObject }> {
  const h = newHarness();
  await createNamespace(h, 'ns');
  const cm = await createConfigMap(h, 'ns', 'cm', { data, labels: { app: 'x' } });
  return { h, cm };
}

function patch(h: Harness, type: string, body: unknown, opts: { resource?: ResourceName; name?: string; subresource?: string; dryRun?: boolean } = {}) {
  return h.registry.patch(scope(opts.resource ?? 'configmaps', 'ns', opts.name ?? 'cm', opts.subresource ?? ''), type, encode(body), writeOptions({ dryRun: opts.dryRun ?? false }));
}

describe('mergePatch (RFC 7386)', () => {
  // The examples of RFC 7386 Appendix A.
  const cases: [unknown, unknown, unknown][] = [
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [['a', 'b'], ['c', 'd'], ['c', 'd']],
    [{ a: 'b' }, ['c'], ['c']],
    [{ a: 'foo' }, null, null],
    [{ a: 'foo' }, 'bar', 'bar'],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ];
  for (const [target, p, expected] of cases) {
    test(`${JSON.stringify(target)} + ${JSON.stringify(p)}`, () => {
      const before = structuredClone(target);
      assert.deepEqual(mergePatch(target, p), expected);
      assert.deepEqual(target, before, 'the target is not modified');
    });
  }
});

describe('merge patch', () => {
  test('merges maps, null deletes; written with a new resourceVersion', async () => {
    const { h, cm } = await withConfigMap();
    const result = await patch(h, MERGE_PATCH, { data: { a: null, c: '3' }, metadata: { labels: { tier: 'web' } } });
    assert.equal(result.code, 200);
    const patched = objectOf(result);
    assert.deepEqual(patched.data, { b: '2', c: '3' });
    assert.deepEqual(patched.metadata!.labels, { app: 'x', tier: 'web' });
    assert.equal(patched.metadata!.uid, cm.metadata!.uid);
    assert.equal(patched.metadata!.resourceVersion, String(await h.kv.currentRevision()));
    assert.deepEqual(await h.registry.get(scope('configmaps', 'ns', 'cm')), patched);
    const call = h.admitter.calls.at(-1)!;
    assert.equal(call.operation, 'UPDATE');
    assert.deepEqual(call.oldObject, cm);
  });

  test('a metadata.resourceVersion in the patch is a precondition: stale -> 409, current -> applied', async () => {
    const { h, cm } = await withConfigMap();
    const rv = cm.metadata!.resourceVersion!;
    await patch(h, MERGE_PATCH, { data: { a: 'changed' } });
    await expectStatus(patch(h, MERGE_PATCH, { metadata: { resourceVersion: rv }, data: { a: 'stale' } }), {
      code: 409,
      reason: 'Conflict',
      message: `Operation cannot be fulfilled on configmaps "cm": ${OPTIMISTIC}`,
      details: { name: 'cm', kind: 'configmaps' },
    });
    const current = await h.registry.get(scope('configmaps', 'ns', 'cm'));
    assert.deepEqual(current.data, { a: 'changed', b: '2' });
    const ok = objectOf(await patch(h, MERGE_PATCH, { metadata: { resourceVersion: current.metadata!.resourceVersion }, data: { a: 'fresh' } }));
    assert.deepEqual(ok.data, { a: 'fresh', b: '2' });
  });

  test('a patch that changes nothing writes nothing', async () => {
    const { h, cm } = await withConfigMap();
    const before = await h.kv.currentRevision();
    const result = objectOf(await patch(h, MERGE_PATCH, { data: { a: '1' } }));
    assert.equal(result.metadata!.resourceVersion, cm.metadata!.resourceVersion);
    assert.equal(await h.kv.currentRevision(), before);
  });

  test('a patch that renames the object: 400', async () => {
    const { h } = await withConfigMap();
    await expectStatus(patch(h, MERGE_PATCH, { metadata: { name: 'other' } }), {
      code: 400,
      reason: 'BadRequest',
      message: 'the name of the object (other) does not match the name on the URL (cm)',
    });
  });

  // A patch carries no uid precondition, so the change reaches validation: admission's
  // validateObjectMetaUpdate (run by the test admitter as by the admission worker) answers 422.
  test('a patch that changes the uid: 422 field is immutable', async () => {
    const { h, cm } = await withConfigMap();
    await expectStatus(patch(h, MERGE_PATCH, { metadata: { uid: 'other-uid' } }), {
      code: 422,
      reason: 'Invalid',
      message: 'ConfigMap "cm" is invalid: metadata.uid: Invalid value: "other-uid": field is immutable',
    });
    assert.deepEqual(await h.registry.get(scope('configmaps', 'ns', 'cm')), cm);
  });

  test('server-owned fields survive a patch that removes them', async () => {
    const { h, cm } = await withConfigMap();
    const patched = objectOf(await patch(h, MERGE_PATCH, { metadata: { creationTimestamp: null, uid: null }, data: { z: '9' } }));
    assert.equal(patched.metadata!.creationTimestamp, cm.metadata!.creationTimestamp);
    assert.equal(patched.metadata!.uid, cm.metadata!.uid);
  });

  test('malformed JSON and non-object merge patches: 400', async () => {
    const { h } = await withConfigMap();
    await expectStatus(patch(h, MERGE_PATCH, '{"data":'), { code: 400, reason: 'BadRequest' });
    await expectStatus(patch(h, MERGE_PATCH, [1, 2]), { code: 400, reason: 'BadRequest' });
  });

  test('patch of a missing object: 404 (also for types that allow create on update)', async () => {
    const { h } = await withConfigMap();
    await expectStatus(patch(h, MERGE_PATCH, { data: { a: '1' } }, { name: 'nope' }), {
      code: 404,
      reason: 'NotFound',
      message: 'configmaps "nope" not found',
      details: { name: 'nope', kind: 'configmaps' },
    });
    await expectStatus(patch(h, MERGE_PATCH, { spec: { holderIdentity: 'me' } }, { resource: 'leases', name: 'l' }), {
      code: 404,
      reason: 'NotFound',
      message: 'leases.coordination.k8s.io "l" not found',
    });
  });

  test('dryRun patch answers the result and writes nothing', async () => {
    const { h, cm } = await withConfigMap();
    const before = await h.kv.currentRevision();
    const result = objectOf(await patch(h, MERGE_PATCH, { data: { a: 'dry' } }, { dryRun: true }));
    assert.deepEqual(result.data, { a: 'dry', b: '2' });
    assert.equal(await h.kv.currentRevision(), before);
    assert.deepEqual(await h.registry.get(scope('configmaps', 'ns', 'cm')), cm);
  });

  test('patching /status changes status only; patching the main resource ignores status', async () => {
    const h = newHarness();
    await createNamespace(h, 'ns');
    await h.registry.create(scope('deployments', 'ns'), deploymentBody('web'), writeOptions());
    const statusPatched = objectOf(
      await patch(h, MERGE_PATCH, { status: { replicas: 1 }, spec: { replicas: 5 }, metadata: { labels: { x: 'y' } } }, { resource: 'deployments', name: 'web', subresource: 'status' }),
    );
    assert.deepEqual(statusPatched.status, { replicas: 1 });
    assert.equal((statusPatched.spec as { replicas: number }).replicas, 1);
    assert.deepEqual(statusPatched.metadata!.labels, { app: 'web' });
    const mainPatched = objectOf(await patch(h, MERGE_PATCH, { status: { replicas: 7 }, spec: { replicas: 2 } }, { resource: 'deployments', name: 'web' }));
    assert.deepEqual(mainPatched.status, { replicas: 1 });
    assert.equal((mainPatched.spec as { replicas: number }).replicas, 2);
    assert.equal(mainPatched.metadata!.generation, 2);
  });
});

describe('JSON patch', () => {
  test('add, replace, remove, test', async () => {
    const { h } = await withConfigMap();
    const patched = objectOf(
      await patch(h, JSON_PATCH, [
        { op: 'test', path: '/data/a', value: '1' },
        { op: 'replace', path: '/data/a', value: 'one' },
        { op: 'remove', path: '/data/b' },
        { op: 'add', path: '/data/c', value: '3' },
        { op: 'add', path: '/metadata/annotations', value: { note: 'hi' } },
      ]),
    );
    assert.deepEqual(patched.data, { a: 'one', c: '3' });
    assert.deepEqual(patched.metadata!.annotations, { note: 'hi' });
    assert.deepEqual(await h.registry.get(scope('configmaps', 'ns', 'cm')), patched);
  });

  test('a failing test operation or a missing path: 422 Invalid, nothing written', async () => {
    const { h, cm } = await withConfigMap();
    await expectStatus(patch(h, JSON_PATCH, [{ op: 'test', path: '/data/a', value: 'nope' }, { op: 'replace', path: '/data/a', value: 'x' }]), {
      code: 422,
      reason: 'Invalid',
    });
    await expectStatus(patch(h, JSON_PATCH, [{ op: 'remove', path: '/data/missing' }]), { code: 422, reason: 'Invalid' });
    await expectStatus(patch(h, JSON_PATCH, [{ op: 'replace', path: '/spec/x', value: 1 }]), { code: 422, reason: 'Invalid' });
    assert.deepEqual(await h.registry.get(scope('configmaps', 'ns', 'cm')), cm);
  });

  // kube: patch.go applyJSPatch answers errors.NewGenericServerResponse(422, "", GroupResource{},
  // "", err, 0, false): message "the server rejected our request due to an error in our request",
  // details {} (kubectl: "The request is invalid: the server rejected our request due to an error
  // in our request").
  test('a failing JSON patch: kube\'s generic 422 text and empty details', async () => {
    const { h } = await withConfigMap();
    for (const ops of [[{ op: 'test', path: '/data/a', value: 'nope' }], [{ op: 'remove', path: '/data/missing' }]]) {
      await expectStatus(patch(h, JSON_PATCH, ops), {
        code: 422,
        reason: 'Invalid',
        message: 'the server rejected our request due to an error in our request',
        details: {},
      });
    }
  });

  test('a JSON patch that is not an array: 400', async () => {
    const { h } = await withConfigMap();
    await expectStatus(patch(h, JSON_PATCH, { op: 'add', path: '/data/x', value: '1' }), {
      code: 400,
      reason: 'BadRequest',
      message: 'json: cannot unmarshal object into Go value of type jsonpatch.Patch',
    });
  });

  test('a stale resourceVersion set by a JSON patch: 409', async () => {
    const { h } = await withConfigMap();
    await expectStatus(patch(h, JSON_PATCH, [{ op: 'replace', path: '/metadata/resourceVersion', value: '1' }]), {
      code: 409,
      reason: 'Conflict',
      message: `Operation cannot be fulfilled on configmaps "cm": ${OPTIMISTIC}`,
    });
  });
});

describe('other patch types', () => {
  test('strategic merge patch: 415 until it is implemented', async () => {
    const { h, cm } = await withConfigMap();
    const status = await expectStatus(patch(h, STRATEGIC, { data: { a: '2' } }), { code: 415, reason: 'UnsupportedMediaType' });
    assert.match(status.message ?? '', /^the body of the request was in an unknown format - accepted media types include: /);
    assert.match(status.message ?? '', /application\/merge-patch\+json/);
    assert.deepEqual(await h.registry.get(scope('configmaps', 'ns', 'cm')), cm);
  });
});

describe('concurrency', () => {
  test('parallel unconditional merge patches of different keys retry past lost races (10 writers)', async () => {
    const { h } = await withConfigMap({});
    const start = await h.kv.currentRevision();
    await Promise.all(Array.from({ length: 10 }, (_, i) => patch(h, MERGE_PATCH, { data: { [`k${i}`]: String(i) } })));
    const data = (await h.registry.get(scope('configmaps', 'ns', 'cm'))).data as Record<string, string>;
    assert.deepEqual(Object.keys(data).sort(), Array.from({ length: 10 }, (_, i) => `k${i}`).sort());
    assert.equal(await h.kv.currentRevision(), start + 10);
  });

  // kube: etcd3 GuaranteedUpdate retries a lost compare-and-swap without bound.
  test('20 parallel unconditional merge patches of different keys are all applied', async () => {
    const { h } = await withConfigMap({});
    const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => patch(h, MERGE_PATCH, { data: { [`k${i}`]: String(i) } })));
    const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => String((r.reason as Error).message));
    assert.deepEqual(failures, []);
    const data = (await h.registry.get(scope('configmaps', 'ns', 'cm'))).data as Record<string, string>;
    assert.deepEqual(Object.keys(data).sort(), Array.from({ length: 20 }, (_, i) => `k${i}`).sort());
  });
});
