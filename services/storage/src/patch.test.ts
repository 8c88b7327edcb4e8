// PATCH: RFC 7386 merge patch and RFC 6902 JSON patch through the registry, against kube-apiserver's
// patch handler (endpoints/handlers/patch.go) and generic store: preconditions, errors and what is
// written.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type KubeObject, JSON_PATCH_TYPE as JSON_PATCH, MERGE_PATCH_TYPE as MERGE_PATCH } from '@kapi/apimachinery';
import { mergePatch } from './patch.js';
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

const encode = (value: unknown): Uint8Array => new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value));

async function withConfigMap(data: Record<string, string> = { a: '1', b: '2' }): Promise<{ h: Harness; cm: KubeObject }> {
  const h = newHarness();
  await createNamespace(h, 'ns');
  const cm = await createConfigMap(h, 'ns', 'cm', { data, labels: { app: 'x' } });
  return { h, cm };
}

function patch(h: Harness, type: string, body: unknown, opts: { resource?: ResourceName; name?: string; subresource?: string; dryRun?: boolean; fieldValidation?: string } = {}) {
  return h.registry.patch(
    scope(opts.resource ?? 'configmaps', 'ns', opts.name ?? 'cm', opts.subresource ?? ''),
    type,
    encode(body),
    writeOptions({ dryRun: opts.dryRun ?? false, ...(opts.fieldValidation !== undefined ? { fieldValidation: opts.fieldValidation } : {}) }),
  );
}

function patchWith(h: Harness, type: string, body: unknown, fieldValidation: string) {
  return patch(h, type, body, { fieldValidation });
}

describe('mergePatch (RFC 7386)', () => {
  test('a patch as deep as Go\'s decoder allows merges without exhausting the stack', () => {
    let patch: Record<string, unknown> = { leaf: 1 };
    for (let i = 0; i < 10_000; i++) patch = { x: patch, drop: null };
    let merged = mergePatch({ x: { keep: true }, drop: 'gone' }, patch) as Record<string, unknown>;
    assert.equal(merged.drop, undefined);
    assert.equal((merged.x as Record<string, unknown>).keep, true);
    let depth = 0;
    while (merged.x !== undefined) {
      merged = merged.x as Record<string, unknown>;
      depth++;
    }
    assert.equal(depth, 10_000);
    assert.equal(merged.leaf, 1);
  });

  test('a "__proto__" member is data, never the prototype', () => {
    const merged = mergePatch({}, JSON.parse('{"__proto__":{"polluted":true},"a":{"__proto__":{"b":1}}}')) as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(merged), Object.prototype);
    assert.deepEqual(Object.keys(merged), ['__proto__', 'a']);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(JSON.stringify(merged), '{"__proto__":{"polluted":true},"a":{"__proto__":{"b":1}}}');
  });

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

  // patch.go: Strict/Warn decode the patch with kjson.UnmarshalStrict into a map first; Ignore
  // leaves it to jsonpatch.MergePatch, whose syntax failures and null are ErrBadJSONPatch.
  test('merge patch decoding errors: kube\'s texts for each fieldValidation', async () => {
    const { h, cm } = await withConfigMap();
    for (const fieldValidation of ['', 'Strict', 'Warn']) {
      await expectStatus(patchWith(h, MERGE_PATCH, '{"data":', fieldValidation), {
        code: 400,
        reason: 'BadRequest',
        message: 'error decoding patch: unexpected end of JSON input',
      });
      await expectStatus(patchWith(h, MERGE_PATCH, '{"data":{"a":1}}}', fieldValidation), {
        code: 400,
        reason: 'BadRequest',
        message: "error decoding patch: invalid character '}' after top-level value",
      });
      await expectStatus(patchWith(h, MERGE_PATCH, [1, 2], fieldValidation), {
        code: 400,
        reason: 'BadRequest',
        message: 'error decoding patch: json: cannot unmarshal array into Go value of type map[string]interface {}',
      });
      await expectStatus(patchWith(h, MERGE_PATCH, null, fieldValidation), { code: 400, reason: 'BadRequest', message: 'Invalid JSON Patch' });
    }
    await expectStatus(patchWith(h, MERGE_PATCH, '{"data":', 'Ignore'), { code: 400, reason: 'BadRequest', message: 'Invalid JSON Patch' });
    await expectStatus(patchWith(h, MERGE_PATCH, null, 'Ignore'), { code: 400, reason: 'BadRequest', message: 'Invalid JSON Patch' });
    assert.deepEqual(await h.registry.get(scope('configmaps', 'ns', 'cm')), cm);
  });

  // Go's decoder refuses JSON nested more than 10,000 deep (scanner maxNestingDepth).
  test('a merge patch nested deeper than Go\'s decoder allows: 400 exceeded max depth', async () => {
    const { h, cm } = await withConfigMap();
    const deep = (n: number) => '{"x":'.repeat(n) + '1' + '}'.repeat(n);
    await expectStatus(patch(h, MERGE_PATCH, deep(10_001)), {
      code: 400,
      reason: 'BadRequest',
      message: "error decoding patch: invalid character '{' exceeded max depth",
    });
    await expectStatus(patch(h, JSON_PATCH, `[{"op":"add","path":"/x","value":${deep(10_000)}}]`), {
      code: 400,
      reason: 'BadRequest',
      message: "error decoding patch: invalid character '{' exceeded max depth",
    });
    assert.deepEqual(await h.registry.get(scope('configmaps', 'ns', 'cm')), cm);
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

  // patch.go applyJSPatch: with fieldValidation Strict or Warn (the default) the body is first
  // decoded strictly into []jsonPatchOp ("error decoding patch: ..."); with Ignore,
  // jsonpatch.DecodePatch's own error is the message.
  test('a JSON patch that does not decode: 400 with the decoder\'s text for the fieldValidation', async () => {
    const { h, cm } = await withConfigMap();
    const cases: [unknown, string, string][] = [
      [
        { op: 'add', path: '/data/x', value: '1' },
        'error decoding patch: json: cannot unmarshal object into Go value of type []handlers.jsonPatchOp',
        'json: cannot unmarshal object into Go value of type jsonpatch.Patch',
      ],
      [
        [{ op: 'test', path: '/data/a', value: '1' }, 'remove'],
        'error decoding patch: json: cannot unmarshal string into Go value of type handlers.jsonPatchOp',
        'json: cannot unmarshal string into Go value of type jsonpatch.Operation',
      ],
      ['[{"op":"remove","path":', 'error decoding patch: unexpected end of JSON input', 'unexpected end of JSON input'],
    ];
    for (const [body, strict, ignore] of cases) {
      for (const fieldValidation of ['', 'Strict', 'Warn']) {
        await expectStatus(patchWith(h, JSON_PATCH, body, fieldValidation), { code: 400, reason: 'BadRequest', message: strict });
      }
      await expectStatus(patchWith(h, JSON_PATCH, body, 'Ignore'), { code: 400, reason: 'BadRequest', message: ignore });
    }
    await expectStatus(patchWith(h, JSON_PATCH, [{ op: 'remove', path: 5 }], 'Strict'), {
      code: 400,
      reason: 'BadRequest',
      message: 'error decoding patch: json: cannot unmarshal number into Go struct field jsonPatchOp.path of type string',
    });
    assert.deepEqual(await h.registry.get(scope('configmaps', 'ns', 'cm')), cm);
  });

  // A JSON null decodes into a nil jsonpatch.Patch: no operations, the object as it is.
  test('a null JSON patch changes nothing', async () => {
    const { h, cm } = await withConfigMap();
    const before = await h.kv.currentRevision();
    assert.deepEqual(objectOf(await patch(h, JSON_PATCH, null)), cm);
    assert.equal(await h.kv.currentRevision(), before);
  });

  // patch.go: len(patchObj) > maxJSONPatchOperations -> NewRequestEntityTooLargeError, before any
  // operation is applied.
  test('more than 10,000 operations: 413 RequestEntityTooLarge; 10,000 are applied', async () => {
    const { h, cm } = await withConfigMap();
    const ops = (n: number) => Array.from({ length: n }, () => ({ op: 'test', path: '/data/a', value: '1' }));
    await expectStatus(patch(h, JSON_PATCH, [...ops(10_000), { op: 'replace', path: '/data/a', value: 'x' }]), {
      code: 413,
      reason: 'RequestEntityTooLarge',
      message: 'Request entity too large: The allowed maximum operations in a JSON patch is 10000, got 10001',
    });
    assert.deepEqual(await h.registry.get(scope('configmaps', 'ns', 'cm')), cm);
    const applied = objectOf(await patch(h, JSON_PATCH, [...ops(9_999), { op: 'replace', path: '/data/a', value: 'x' }]));
    assert.deepEqual(applied.data, { a: 'x', b: '2' });
  });

  // jsonpatch.AccumulatedCopySizeLimit = JSONPatchMaxCopyBytes (3 MiB): each copy adds the size of
  // the copied value as Go encodes it; going over fails the patch (the generic 422).
  test('copies that double the object each round stop at the copy limit (422), nothing written', async () => {
    const h = newHarness();
    await createNamespace(h, 'ns');
    const cm = await createConfigMap(h, 'ns', 'cm', { data: { a: 'x'.repeat(4096) } });
    const doubling = Array.from({ length: 40 }, (_, i) => ({ op: 'copy', from: '/data', path: `/data/c${i}` }));
    const started = process.hrtime.bigint();
    await expectStatus(patch(h, JSON_PATCH, doubling), {
      code: 422,
      reason: 'Invalid',
      message: 'the server rejected our request due to an error in our request',
      details: {},
    });
    assert.ok(process.hrtime.bigint() - started < 5_000_000_000n, 'the patch stopped early');
    assert.deepEqual(await h.registry.get(scope('configmaps', 'ns', 'cm')), cm);
  });

  test('the copy limit counts Go\'s encoding (HTML-safe escapes) and allows exactly the limit', async () => {
    // "<<<<" is 6 bytes for JSON.stringify, 26 for Go's json.Marshal ("\u003c" x 4 plus quotes).
    for (const [limit, ok] of [
      [26, true],
      [25, false],
    ] as const) {
      const h = newHarness({ jsonPatchMaxCopyBytes: limit });
      await createNamespace(h, 'ns');
      await createConfigMap(h, 'ns', 'cm', { data: { a: '<<<<' } });
      const result = patch(h, JSON_PATCH, [{ op: 'copy', from: '/data/a', path: '/data/b' }]);
      if (ok) assert.deepEqual(objectOf(await result).data, { a: '<<<<', b: '<<<<' });
      else await expectStatus(result, { code: 422, reason: 'Invalid' });
    }
    // The sizes add up over the patch: two 10-byte copies pass a limit of 20, three do not.
    const h = newHarness({ jsonPatchMaxCopyBytes: 20 });
    await createNamespace(h, 'ns');
    await createConfigMap(h, 'ns', 'cm', { data: { a: '12345678' } });
    const copy = (to: string) => ({ op: 'copy', from: '/data/a', path: `/data/${to}` });
    assert.deepEqual(objectOf(await patch(h, JSON_PATCH, [copy('b'), copy('c')])).data, { a: '12345678', b: '12345678', c: '12345678' });
    await expectStatus(patch(h, JSON_PATCH, [copy('d'), copy('e'), copy('f')]), { code: 422, reason: 'Invalid' });
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
  // Storage is the one place that decides (the gateway passes every PATCH on); it lists kube's.
  const ACCEPTED =
    'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml';

  test('unknown types: 415 listing the types storage applies', async () => {
    const { h, cm } = await withConfigMap();
    for (const type of ['application/json', 'application/json-patch+json ']) {
      await expectStatus(patch(h, type, { data: { a: '2' } }), { code: 415, reason: 'UnsupportedMediaType', message: ACCEPTED });
    }
    assert.deepEqual(await h.registry.get(scope('configmaps', 'ns', 'cm')), cm);
  });

  test('the patch type is refused before the object is looked up', async () => {
    const { h } = await withConfigMap();
    await expectStatus(patch(h, 'application/json', { data: { a: '2' } }, { name: 'missing' }), {
      code: 415,
      reason: 'UnsupportedMediaType',
      message: ACCEPTED,
    });
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
