// Server-side apply and managedFields through the registry, against kube-apiserver's patch
// handler with the field manager installed (endpoints/handlers/patch.go applyPatcher,
// k8s.io/apimachinery/pkg/util/managedfields): create by apply, merge, conflicts, force, removal
// of fields no longer applied, no-op applies, and the Update entries of other writes.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type KubeObject, MERGE_PATCH_TYPE } from '@kapi/apimachinery';
import {
  T0_TEXT,
  createNamespace,
  deploymentBody,
  expectStatus,
  newHarness,
  objectOf,
  scope,
  writeOptions,
  type Harness,
} from './testing-support.js';

const APPLY = 'application/apply-patch+yaml';
const encode = (text: string): Uint8Array => new TextEncoder().encode(text);

async function harness(): Promise<Harness> {
  const h = newHarness();
  await createNamespace(h, 'ns');
  return h;
}

function apply(h: Harness, body: string, manager: string, force = false, name = 'd') {
  return h.registry.patch(scope('deployments', 'ns', name), APPLY, encode(body), writeOptions({ fieldManager: manager, force }));
}

const DEPLOYMENT_YAML = (replicas: number, extra = '') => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  replicas: ${replicas}
  selector:
    matchLabels: {app: d}
  template:
    metadata:
      labels: {app: d}
    spec:
      containers:
      - name: c
        image: nginx
${extra}`;

const entries = (o: KubeObject) => (o.metadata?.managedFields ?? []).map((e) => ({ manager: e.manager, operation: e.operation, subresource: e.subresource }));

describe('server-side apply', () => {
  test('an apply of a missing object creates it (201) with one Apply entry', async () => {
    const h = await harness();
    const result = await apply(h, DEPLOYMENT_YAML(2), 'mgr');
    assert.equal(result.code, 201);
    const created = objectOf(result);
    assert.equal((created.spec as { replicas: number }).replicas, 2);
    assert.equal(created.metadata?.namespace, 'ns');
    assert.deepEqual(created.metadata?.managedFields, [
      {
        manager: 'mgr',
        operation: 'Apply',
        apiVersion: 'apps/v1',
        time: T0_TEXT,
        fieldsType: 'FieldsV1',
        fieldsV1: {
          'f:spec': {
            'f:replicas': {},
            'f:selector': {},
            'f:template': {
              'f:metadata': { 'f:labels': { 'f:app': {} } },
              'f:spec': { 'f:containers': { 'k:{"name":"c"}': { '.': {}, 'f:image': {}, 'f:name': {} } } },
            },
          },
        },
      },
    ]);
  });

  test('a JSON body is applied too; the same apply again changes nothing and is not written', async () => {
    const h = await harness();
    const body = JSON.stringify({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { replicas: 1, selector: { matchLabels: { app: 'd' } }, template: { metadata: { labels: { app: 'd' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } } });
    const first = objectOf(await apply(h, body, 'mgr'));
    h.clock.now = new Date(h.clock.now.getTime() + 60_000);
    const again = await apply(h, body, 'mgr');
    assert.equal(again.code, 200);
    assert.equal(objectOf(again).metadata?.resourceVersion, first.metadata?.resourceVersion);
    assert.deepEqual(objectOf(again).metadata?.managedFields, first.metadata?.managedFields);
  });

  test('a field another manager set is a 409 with kube\'s message and causes; force takes it over', async () => {
    const h = await harness();
    await h.registry.create(scope('deployments', 'ns'), deploymentBody('d'), writeOptions({ fieldManager: 'kubectl-client-side-apply' }));
    const status = await expectStatus(apply(h, DEPLOYMENT_YAML(3), 'mgr'), {
      code: 409,
      reason: 'Conflict',
      message: 'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas',
    });
    assert.deepEqual(status.details, { causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "kubectl-client-side-apply" using apps/v1', field: '.spec.replicas' }] });
    const forced = objectOf(await apply(h, DEPLOYMENT_YAML(3), 'mgr', true));
    assert.equal((forced.spec as { replicas: number }).replicas, 3);
    const csa = forced.metadata!.managedFields!.find((e) => e.manager === 'kubectl-client-side-apply')!;
    assert.equal((csa.fieldsV1 as { 'f:spec': Record<string, unknown> })['f:spec']['f:replicas'], undefined, 'the old owner lost .spec.replicas');
  });

  test('several conflicts are listed per manager', async () => {
    const h = await harness();
    await h.registry.create(scope('deployments', 'ns'), deploymentBody('d'), writeOptions({ fieldManager: 'creator' }));
    await expectStatus(apply(h, DEPLOYMENT_YAML(3).replace('image: nginx', 'image: busybox'), 'mgr'), {
      code: 409,
      reason: 'Conflict',
      message: 'Apply failed with 2 conflicts: conflicts with "creator" using apps/v1:\n- .spec.replicas\n- .spec.template.spec.containers[name="c"].image',
    });
  });

  test('a field the manager no longer applies is removed unless someone else owns it', async () => {
    const h = await harness();
    const withLabel = DEPLOYMENT_YAML(1).replace('  name: d\n', '  name: d\n  labels:\n    a: "1"\n    b: "2"\n');
    await apply(h, withLabel, 'mgr');
    // Someone else takes a co-ownership of label b.
    await h.registry.patch(scope('deployments', 'ns', 'd'), MERGE_PATCH_TYPE, encode('{"metadata":{"labels":{"b":"2"}}}'), writeOptions({ fieldManager: 'other' }));
    const other = objectOf(await h.registry.get(scope('deployments', 'ns', 'd')).then((object) => ({ object })));
    assert.ok(!other.metadata?.managedFields?.some((e) => e.manager === 'other'), 'an unchanged value records nothing');
    // Applying `b` as another applier shares it.
    await h.registry.patch(scope('deployments', 'ns', 'd'), APPLY, encode('apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\n  labels:\n    b: "2"\n'), writeOptions({ fieldManager: 'sharer' }));
    const after = objectOf(await apply(h, DEPLOYMENT_YAML(1), 'mgr'));
    assert.deepEqual(after.metadata?.labels, { b: '2' });
  });

  test('an item removed from an associative list goes; a co-owned one stays', async () => {
    const h = await harness();
    const two = DEPLOYMENT_YAML(1) + '      - name: side\n        image: busybox\n';
    const applied = objectOf(await apply(h, two, 'mgr'));
    assert.deepEqual((applied.spec as any).template.spec.containers.map((c: { name: string }) => c.name), ['c', 'side']);
    const one = objectOf(await apply(h, DEPLOYMENT_YAML(1), 'mgr'));
    assert.deepEqual((one.spec as any).template.spec.containers.map((c: { name: string }) => c.name), ['c']);
  });

  test('duplicate keys warn under Warn and are ignored under Ignore', async () => {
    const h = await harness();
    const body = encode('apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  paused: true\n  paused: false\n');
    const warned = await h.registry.patch(scope('deployments', 'ns', 'd'), APPLY, body, writeOptions({ fieldManager: 'mgr', fieldValidation: 'Warn' }));
    assert.deepEqual(warned.warnings, ['line 7: key "paused" already set in map']);
    assert.equal((objectOf(warned).spec as { paused: boolean }).paused, false);
    const ignored = await h.registry.patch(scope('deployments', 'ns', 'd'), APPLY, body, writeOptions({ fieldManager: 'mgr', fieldValidation: 'Ignore' }));
    assert.deepEqual(ignored.warnings, []);
  });

  test('a dry run computes the object and stores nothing', async () => {
    const h = await harness();
    const result = await h.registry.patch(scope('deployments', 'ns', 'd'), APPLY, encode(DEPLOYMENT_YAML(2)), writeOptions({ fieldManager: 'mgr', dryRun: true }));
    assert.equal(result.code, 201);
    assert.equal(objectOf(result).metadata?.managedFields?.[0]?.manager, 'mgr');
    await expectStatus(h.registry.get(scope('deployments', 'ns', 'd')), { code: 404, reason: 'NotFound' });
  });

  test('the status subresource: an Apply entry with subresource status owning status only; never creates', async () => {
    const h = await harness();
    await expectStatus(
      h.registry.patch(scope('deployments', 'ns', 'd', 'status'), APPLY, encode('apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nstatus: {replicas: 1}\n'), writeOptions({ fieldManager: 'ctl' })),
      { code: 404, reason: 'NotFound' },
    );
    await apply(h, DEPLOYMENT_YAML(1), 'mgr');
    const body = 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec: {replicas: 9}\nstatus: {replicas: 1}\n';
    const result = objectOf(await h.registry.patch(scope('deployments', 'ns', 'd', 'status'), APPLY, encode(body), writeOptions({ fieldManager: 'ctl' })));
    assert.equal((result.spec as { replicas: number }).replicas, 1, 'spec is not changed through status');
    assert.equal((result.status as { replicas: number }).replicas, 1);
    const entry = result.metadata!.managedFields!.find((e) => e.manager === 'ctl')!;
    assert.deepEqual([entry.operation, entry.subresource, entry.fieldsV1], ['Apply', 'status', { 'f:status': { 'f:replicas': {} } }]);
  });

  test('bad bodies and options: kube\'s statuses, nothing written', async () => {
    const h = await harness();
    await expectStatus(apply(h, '- a\n- b\n', 'mgr'), { code: 400, reason: 'BadRequest', message: /^error decoding YAML: .*cannot unmarshal array into Go value of type map\[string\]interface \{\}$/ });
    await expectStatus(apply(h, 'apiVersion: apps/v2\nkind: Deployment\nmetadata: {name: d}\n', 'mgr'), {
      code: 400,
      reason: 'BadRequest',
      message: 'invalid object type: apps/v2, Kind=Deployment',
    });
    await expectStatus(apply(h, 'apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: d}\n', 'mgr'), { code: 400, reason: 'BadRequest', message: 'invalid object type: apps/v1, Kind=StatefulSet' });
    await expectStatus(apply(h, 'metadata: {name: d}\n', 'mgr'), { code: 400, reason: 'BadRequest', message: 'invalid object type: /, Kind=' });
    await expectStatus(apply(h, 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec: {bogus: 1}\n', 'mgr'), {
      code: 500,
      reason: '',
      message: 'failed to create typed patch object (/d; apps/v1, Kind=Deployment): .spec.bogus: field not declared in schema',
    });
    await expectStatus(apply(h, 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: other}\n', 'mgr'), {
      code: 400,
      reason: 'BadRequest',
      message: 'the name of the object (other) does not match the name on the URL (d)',
    });
    await expectStatus(apply(h, 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d, namespace: elsewhere}\n', 'mgr'), {
      code: 400,
      reason: 'BadRequest',
      message: 'the namespace of the object (elsewhere) does not match the namespace on the request (ns)',
    });
    await expectStatus(apply(h, 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\n  managedFields: [{manager: x}]\n', 'mgr'), {
      code: 400,
      reason: 'BadRequest',
      message: 'metadata.managedFields must be nil',
    });
    await expectStatus(apply(h, 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  paused: true\n  paused: false\n', 'mgr'), {
      code: 400,
      reason: 'BadRequest',
      message: 'error strict decoding YAML: error converting YAML to JSON: yaml: unmarshal errors:\n  line 7: key "paused" already set in map',
    });
    await expectStatus(h.registry.get(scope('deployments', 'ns', 'd')), { code: 404, reason: 'NotFound' });
  });
});

describe('managedFields on other writes', () => {
  test('create, update and patch record Update entries; a no-op records nothing', async () => {
    const h = await harness();
    const created = objectOf(await h.registry.create(scope('deployments', 'ns'), deploymentBody('d'), writeOptions({ fieldManager: 'kubectl-create' })));
    assert.deepEqual(entries(created), [{ manager: 'kubectl-create', operation: 'Update', subresource: undefined }]);
    h.clock.now = new Date(h.clock.now.getTime() + 1000);
    const patched = objectOf(await h.registry.patch(scope('deployments', 'ns', 'd'), MERGE_PATCH_TYPE, encode('{"spec":{"replicas":5}}'), writeOptions({ fieldManager: 'kubectl-scale' })));
    assert.deepEqual(entries(patched), [
      { manager: 'kubectl-create', operation: 'Update', subresource: undefined },
      { manager: 'kubectl-scale', operation: 'Update', subresource: undefined },
    ]);
    assert.deepEqual(patched.metadata!.managedFields![1]!.fieldsV1, { 'f:spec': { 'f:replicas': {} } });
    const noop = await h.registry.patch(scope('deployments', 'ns', 'd'), MERGE_PATCH_TYPE, encode('{"spec":{"replicas":5}}'), writeOptions({ fieldManager: 'again' }));
    assert.equal(objectOf(noop).metadata?.resourceVersion, patched.metadata?.resourceVersion);
    const status = objectOf(await h.registry.update(scope('deployments', 'ns', 'd', 'status'), { ...patched, status: { replicas: 5 } }, writeOptions({ fieldManager: 'controller' })));
    const statusEntry = status.metadata!.managedFields!.find((e) => e.manager === 'controller')!;
    assert.equal(statusEntry.subresource, 'status');
    assert.deepEqual(statusEntry.fieldsV1, { 'f:status': { 'f:replicas': {} } });
  });

  test('managedFields a client sends: [] resets, invalid ones are replaced by the live entries', async () => {
    const h = await harness();
    const created = objectOf(await h.registry.create(scope('deployments', 'ns'), deploymentBody('d'), writeOptions({ fieldManager: 'creator' })));
    const invalid = structuredClone(created);
    invalid.metadata!.managedFields = [{ manager: 'x', operation: 'Bogus' as 'Update', apiVersion: 'apps/v1', fieldsType: 'FieldsV1', fieldsV1: {} }];
    (invalid.spec as { replicas: number }).replicas = 4;
    const kept = objectOf(await h.registry.update(scope('deployments', 'ns', 'd'), invalid, writeOptions({ fieldManager: 'editor' })));
    assert.deepEqual(kept.metadata!.managedFields!.map((e) => e.manager), ['creator', 'editor']);
    const reset = structuredClone(kept);
    reset.metadata!.managedFields = [];
    const cleared = objectOf(await h.registry.update(scope('deployments', 'ns', 'd'), reset, writeOptions({ fieldManager: 'editor' })));
    assert.equal(cleared.metadata?.managedFields, undefined);
  });

  test('more than 10 Update managers: the oldest merge into ancient-changes', async () => {
    const h = await harness();
    await h.registry.create(scope('deployments', 'ns'), deploymentBody('d'), writeOptions({ fieldManager: 'm0' }));
    let last: KubeObject | undefined;
    for (let i = 1; i <= 11; i++) {
      h.clock.now = new Date(h.clock.now.getTime() + 1000);
      last = objectOf(await h.registry.patch(scope('deployments', 'ns', 'd'), MERGE_PATCH_TYPE, encode(JSON.stringify({ metadata: { annotations: { [`a${i}`]: 'x' } } })), writeOptions({ fieldManager: `m${i}` })));
    }
    const managers = last!.metadata!.managedFields!.map((e) => e.manager);
    assert.equal(managers.length, 10);
    assert.ok(managers.includes('ancient-changes'));
    assert.ok(!managers.includes('m0') && !managers.includes('m1') && !managers.includes('m2'));
  });
});
