// The generic registry against kube-apiserver's generic Store (k8s.io/apiserver/pkg/registry/
// generic/registry/store.go, pkg/registry/rest/{create,update,delete}.go, storage/etcd3): what a
// create, get, update, delete and deleteCollection answer, with kube's codes, reasons and texts,
// and what lands in the KV. ObjectMeta validation is the admission worker's: the tests' admitter
// (testing-support's RecordingAdmitter) runs the same ObjectMeta checks, so the 422s for invalid
// names and immutable fields below come from it.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type KubeObject, type Status, newForbidden } from '@kapi/apimachinery';
import {
  T0,
  T0_TEXT,
  createConfigMap,
  createNamespace,
  deleteOptions,
  deploymentBody,
  expectStatus,
  listOptions,
  names,
  newHarness,
  objectOf,
  podBody,
  readStored,
  scope,
  writeOptions,
  type Harness,
  type ListResult,
} from './testing-support.js';

const OPTIMISTIC = 'the object has been modified; please apply your changes to the latest version and try again';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const GENERATED = /^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/;
const DNS1123_SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const DNS1123_LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const DNS1035_LABEL_MSG =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

async function withNamespace(name = 'ns'): Promise<Harness> {
  const h = newHarness();
  await createNamespace(h, name);
  return h;
}

async function get(h: Harness, resource: Parameters<typeof scope>[0], namespace: string, name: string): Promise<KubeObject> {
  return h.registry.get(scope(resource, namespace, name));
}

function plusSeconds(date: Date, seconds: number): string {
  const d = new Date(date.getTime() + seconds * 1000);
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

// ---- create ------------------------------------------------------------------------------------

describe('create', () => {
  test('stamps uid, a second-precision creationTimestamp and the revision as resourceVersion; answers 201', async () => {
    const h = await withNamespace();
    const result = await h.registry.create(scope('configmaps', 'ns'), { metadata: { name: 'cm' }, data: { a: '1' } }, writeOptions());
    assert.equal(result.code, 201);
    const cm = objectOf(result);
    assert.equal(cm.apiVersion, 'v1');
    assert.equal(cm.kind, 'ConfigMap');
    assert.match(cm.metadata!.uid!, UUID);
    assert.equal(cm.metadata!.creationTimestamp, T0_TEXT);
    assert.equal(cm.metadata!.namespace, 'ns');
    assert.equal(cm.metadata!.resourceVersion, String(await h.kv.currentRevision()));
    assert.deepEqual(cm.data, { a: '1' });
    const call = h.admitter.calls.at(-1)!;
    assert.equal(call.operation, 'CREATE');
    assert.equal(call.name, 'cm');
    assert.equal(call.namespace, 'ns');
    assert.equal(call.dryRun, false);
  });

  test('server-owned metadata in the body is replaced (uid, creationTimestamp, deletion fields)', async () => {
    const h = await withNamespace();
    const cm = objectOf(
      await h.registry.create(
        scope('configmaps', 'ns'),
        {
          metadata: {
            name: 'cm',
            uid: 'client-uid',
            creationTimestamp: '2001-01-01T00:00:00Z',
            deletionTimestamp: '2001-01-01T00:00:00Z',
            deletionGracePeriodSeconds: 5,
          },
        },
        writeOptions(),
      ),
    );
    assert.notEqual(cm.metadata!.uid, 'client-uid');
    assert.equal(cm.metadata!.creationTimestamp, T0_TEXT);
    assert.equal(cm.metadata!.deletionTimestamp, undefined);
    assert.equal(cm.metadata!.deletionGracePeriodSeconds, undefined);
  });

  test('generation is 1 for Deployments (whatever the client sent) and absent for ConfigMaps and Namespaces', async () => {
    const h = await withNamespace();
    const body = deploymentBody('web');
    body.metadata!.generation = 7;
    const deploy = objectOf(await h.registry.create(scope('deployments', 'ns'), body, writeOptions()));
    assert.equal(deploy.metadata!.generation, 1);
    const cm = await createConfigMap(h, 'ns', 'cm');
    assert.equal(cm.metadata!.generation, undefined);
    const ns = await get(h, 'namespaces', '', 'ns');
    assert.equal(ns.metadata!.generation, undefined);
  });

  test('status is reset for types with a status subresource: Deployments empty, Pods Pending, Namespaces Active', async () => {
    const h = await withNamespace();
    const body = deploymentBody('web');
    body.status = { replicas: 3, readyReplicas: 3 };
    const deploy = objectOf(await h.registry.create(scope('deployments', 'ns'), body, writeOptions()));
    // kube: DeploymentStatus{} (serialized as {}); kapi may leave it out entirely.
    assert.deepEqual(deploy.status ?? {}, {});

    const pod = podBody('p');
    pod.status = { phase: 'Running', podIP: '10.0.0.1' };
    const created = objectOf(await h.registry.create(scope('pods', 'ns'), pod, writeOptions()));
    assert.equal((created.status as { phase?: string }).phase, 'Pending');
    assert.equal((created.status as { podIP?: string }).podIP, undefined);
    assert.equal(created.metadata!.generation, 1);

    const ns = objectOf(
      await h.registry.create(scope('namespaces', ''), { metadata: { name: 'other' }, status: { phase: 'Terminating' } }, writeOptions()),
    );
    assert.deepEqual(ns.status, { phase: 'Active' });
    assert.deepEqual(ns.spec, { finalizers: ['kubernetes'] });
    assert.equal(ns.metadata!.labels!['kubernetes.io/metadata.name'], 'other');
  });

  test('generateName: a name is generated from the prefix', async () => {
    const h = await withNamespace();
    const cm = objectOf(await h.registry.create(scope('configmaps', 'ns'), { metadata: { generateName: 'web-' } }, writeOptions()));
    assert.match(cm.metadata!.name!, GENERATED);
    assert.equal(cm.metadata!.generateName, 'web-');
    assert.equal((await get(h, 'configmaps', 'ns', cm.metadata!.name!)).metadata!.uid, cm.metadata!.uid);
  });

  test('generateName: a generated name that is taken is retried with a new one', async () => {
    const h = await withNamespace();
    h.store.attemptedKeys.length = 0;
    h.store.collisions = 3;
    const cm = objectOf(await h.registry.create(scope('configmaps', 'ns'), { metadata: { generateName: 'web-' } }, writeOptions()));
    assert.equal(h.store.attemptedKeys.length, 4);
    assert.equal(new Set(h.store.attemptedKeys).size, 4, 'every attempt uses a fresh name');
    assert.equal(h.store.attemptedKeys.at(-1), `/registry/configmaps/ns/${cm.metadata!.name}`);
    for (const key of h.store.attemptedKeys) assert.match(key.split('/').at(-1)!, GENERATED);
  });

  test('generateName: after 8 collisions the create fails with AlreadyExists', async () => {
    const h = await withNamespace();
    h.store.attemptedKeys.length = 0;
    h.store.collisions = 100;
    await expectStatus(h.registry.create(scope('configmaps', 'ns'), { metadata: { generateName: 'web-' } }, writeOptions()), {
      code: 409,
      reason: 'AlreadyExists',
    });
    assert.equal(h.store.attemptedKeys.length, 8, 'kube: maxNameGenerationCreateAttempts = 8');
  });

  // kube (store.go create -> rest.CheckGeneratedNameError) answers errors.NewGenerateNameConflict:
  // "... already exists, the server was not able to generate a unique name for the object" with
  // retryAfterSeconds 1.
  test('generateName: exhausted retries answer kube\'s NewGenerateNameConflict', async () => {
    const h = await withNamespace();
    h.store.collisions = 100;
    const status = await expectStatus(h.registry.create(scope('configmaps', 'ns'), { metadata: { generateName: 'web-' } }, writeOptions()), {
      code: 409,
      reason: 'AlreadyExists',
      message: /^configmaps "web-[a-z0-9]{5}" already exists, the server was not able to generate a unique name for the object$/,
    });
    assert.equal(status.details?.retryAfterSeconds, 1);
    assert.equal(status.details?.kind, 'configmaps');
  });

  test('the namespace must exist: 404 namespaces "x" not found', async () => {
    const h = newHarness();
    await expectStatus(h.registry.create(scope('configmaps', 'nope'), { metadata: { name: 'cm' } }, writeOptions()), {
      code: 404,
      reason: 'NotFound',
      message: 'namespaces "nope" not found',
      details: { name: 'nope', kind: 'namespaces' },
    });
    assert.equal(await h.kv.currentRevision(), 0);
  });

  test('a terminating namespace refuses new content: 403', async () => {
    const h = await withNamespace('doomed');
    await h.registry.delete(scope('namespaces', '', 'doomed'), deleteOptions());
    const before = await h.kv.currentRevision();
    await expectStatus(h.registry.create(scope('configmaps', 'doomed'), { metadata: { name: 'cm' } }, writeOptions()), {
      code: 403,
      reason: 'Forbidden',
      message: /unable to create new content in namespace doomed because it is being terminated$/,
    });
    assert.equal(await h.kv.currentRevision(), before);
  });

  // kube (NamespaceLifecycle -> admission.NewForbidden) names the object: `configmaps "cm" is
  // forbidden: ...` and adds the cause {reason: NamespaceTerminating, field: metadata.namespace}.
  test('a terminating namespace: kube\'s exact Forbidden (object name and NamespaceTerminating cause)', async () => {
    const h = await withNamespace('doomed');
    await h.registry.delete(scope('namespaces', '', 'doomed'), deleteOptions());
    await expectStatus(h.registry.create(scope('configmaps', 'doomed'), { metadata: { name: 'cm' } }, writeOptions()), {
      code: 403,
      reason: 'Forbidden',
      message: 'configmaps "cm" is forbidden: unable to create new content in namespace doomed because it is being terminated',
      details: {
        name: 'cm',
        kind: 'configmaps',
        causes: [{ reason: 'NamespaceTerminating', message: 'namespace doomed is being terminated', field: 'metadata.namespace' }],
      },
    });
  });

  test('AlreadyExists: 409 with kube\'s message and details', async () => {
    const h = await withNamespace();
    await createConfigMap(h, 'ns', 'cm');
    await expectStatus(createConfigMap(h, 'ns', 'cm'), {
      code: 409,
      reason: 'AlreadyExists',
      message: 'configmaps "cm" already exists',
      details: { name: 'cm', kind: 'configmaps' },
    });
    await h.registry.create(scope('deployments', 'ns'), deploymentBody('web'), writeOptions());
    await expectStatus(h.registry.create(scope('deployments', 'ns'), deploymentBody('web'), writeOptions()), {
      code: 409,
      reason: 'AlreadyExists',
      message: 'deployments.apps "web" already exists',
      details: { name: 'web', group: 'apps', kind: 'deployments' },
    });
  });

  // kube (store.go create) prefixes the message with "object is being deleted: " when the existing
  // object has a deletionTimestamp.
  test('AlreadyExists for an object being deleted says so', async () => {
    const h = await withNamespace();
    await createConfigMap(h, 'ns', 'cm', { finalizers: ['example.com/hold'] });
    await h.registry.delete(scope('configmaps', 'ns', 'cm'), deleteOptions());
    await expectStatus(createConfigMap(h, 'ns', 'cm'), {
      code: 409,
      reason: 'AlreadyExists',
      message: 'object is being deleted: configmaps "cm" already exists',
    });
  });

  test('a resourceVersion in the body is refused and nothing is written', async () => {
    const h = await withNamespace();
    const before = await h.kv.currentRevision();
    await assert.rejects(
      h.registry.create(scope('configmaps', 'ns'), { metadata: { name: 'cm', resourceVersion: '5' } }, writeOptions()),
      (err: Error) => err.message === 'resourceVersion should not be set on objects to be created',
    );
    assert.equal(await h.kv.currentRevision(), before);
  });

  // kube returns storage.ErrResourceVersionSetOnCreate (a plain error from etcd3 store.Create)
  // which ErrorToAPIStatus turns into code 500, reason "" (StatusReasonUnknown).
  test('a resourceVersion in the body: kube answers 500 without a reason', async () => {
    const h = await withNamespace();
    await expectStatus(h.registry.create(scope('configmaps', 'ns'), { metadata: { name: 'cm', resourceVersion: '5' } }, writeOptions()), {
      code: 500,
      reason: '',
      message: 'resourceVersion should not be set on objects to be created',
    });
  });

  test('apiVersion and kind are filled in when absent and must match when present: 400', async () => {
    const h = await withNamespace();
    const cm = objectOf(await h.registry.create(scope('configmaps', 'ns'), { metadata: { name: 'cm' } }, writeOptions()));
    assert.equal(cm.apiVersion, 'v1');
    assert.equal(cm.kind, 'ConfigMap');
    await expectStatus(
      h.registry.create(scope('configmaps', 'ns'), { apiVersion: 'apps/v1', kind: 'ConfigMap', metadata: { name: 'a' } }, writeOptions()),
      { code: 400, reason: 'BadRequest', message: 'the API version in the data (apps/v1) does not match the expected API version (v1)' },
    );
    await expectStatus(
      h.registry.create(scope('deployments', 'ns'), { ...deploymentBody('d'), apiVersion: 'v1' }, writeOptions()),
      { code: 400, reason: 'BadRequest', message: 'the API version in the data (v1) does not match the expected API version (apps/v1)' },
    );
    await expectStatus(
      h.registry.create(scope('configmaps', 'ns'), { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'b' } }, writeOptions()),
      { code: 400, reason: 'BadRequest', message: /Secret/ },
    );
    assert.deepEqual(names((await h.registry.list(scope('configmaps', 'ns'), listOptions())) as unknown as ListResult), ['cm']);
  });

  test('a namespace in the body must match the request: 400; cluster-scoped objects lose theirs', async () => {
    const h = await withNamespace();
    await expectStatus(h.registry.create(scope('configmaps', 'ns'), { metadata: { name: 'cm', namespace: 'other' } }, writeOptions()), {
      code: 400,
      reason: 'BadRequest',
      message: 'the namespace of the provided object does not match the namespace sent on the request',
    });
    const ns = objectOf(await h.registry.create(scope('namespaces', ''), { metadata: { name: 'ns2', namespace: 'x' } }, writeOptions()));
    assert.equal(ns.metadata!.namespace, undefined);
    const stored = await readStored(h, '/registry/namespaces/ns2');
    assert.equal((stored?.metadata as { namespace?: string }).namespace, undefined);
  });

  // The 422 comes from admission (strategy validation in the admission worker); the test admitter
  // runs the same validateObjectMeta from @kapi/apimachinery.
  test('invalid names: 422 Invalid with kube\'s field error texts', async () => {
    const h = await withNamespace();
    await expectStatus(h.registry.create(scope('configmaps', 'ns'), { metadata: { name: 'Bad_Name' } }, writeOptions()), {
      code: 422,
      reason: 'Invalid',
      message: `ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": ${DNS1123_SUBDOMAIN_MSG}`,
      details: {
        name: 'Bad_Name',
        kind: 'ConfigMap',
        causes: [{ reason: 'FieldValueInvalid', message: `Invalid value: "Bad_Name": ${DNS1123_SUBDOMAIN_MSG}`, field: 'metadata.name' }],
      },
    });
    await expectStatus(h.registry.create(scope('namespaces', ''), { metadata: { name: 'Bad' } }, writeOptions()), {
      code: 422,
      reason: 'Invalid',
      message: `Namespace "Bad" is invalid: metadata.name: Invalid value: "Bad": ${DNS1123_LABEL_MSG}`,
    });
    const svc = await expectStatus(
      h.registry.create(scope('services', 'ns'), { metadata: { name: 'web.svc' }, spec: { ports: [{ port: 80 }] } }, writeOptions()),
      { code: 422, reason: 'Invalid' },
    );
    assert.deepEqual(svc.details?.causes?.[0], {
      reason: 'FieldValueInvalid',
      message: `Invalid value: "web.svc": ${DNS1035_LABEL_MSG}`,
      field: 'metadata.name',
    });
    await expectStatus(h.registry.create(scope('configmaps', 'ns'), { metadata: {} }, writeOptions()), {
      code: 422,
      reason: 'Invalid',
      message: 'ConfigMap "" is invalid: metadata.name: Required value: name or generateName is required',
    });
    await expectStatus(h.registry.create(scope('deployments', 'ns'), { ...deploymentBody('x'), metadata: { name: 'a/b' } }, writeOptions()), {
      code: 422,
      reason: 'Invalid',
      message: /^Deployment\.apps "a\/b" is invalid: metadata\.name: Invalid value: "a\/b": /,
    });
  });

  test('dryRun answers the object (uid, timestamp, no resourceVersion) and writes nothing', async () => {
    const h = await withNamespace();
    const before = await h.kv.currentRevision();
    const result = await h.registry.create(scope('configmaps', 'ns'), { metadata: { name: 'cm' } }, writeOptions({ dryRun: true }));
    assert.equal(result.code, 201);
    const cm = objectOf(result);
    assert.match(cm.metadata!.uid!, UUID);
    assert.equal(cm.metadata!.creationTimestamp, T0_TEXT);
    assert.equal(cm.metadata!.resourceVersion, undefined);
    assert.equal(h.admitter.calls.at(-1)!.dryRun, true);
    assert.equal(await h.kv.currentRevision(), before);
    await expectStatus(get(h, 'configmaps', 'ns', 'cm'), { code: 404, reason: 'NotFound' });
  });

  // kube: DryRunnableStorage.Create reads the key and answers KeyExists -> AlreadyExists.
  test('dryRun create of a name that exists: 409 AlreadyExists', async () => {
    const h = await withNamespace();
    await createConfigMap(h, 'ns', 'cm');
    await expectStatus(h.registry.create(scope('configmaps', 'ns'), { metadata: { name: 'cm' } }, writeOptions({ dryRun: true })), {
      code: 409,
      reason: 'AlreadyExists',
      message: 'configmaps "cm" already exists',
    });
  });

  test('admission rejecting a create leaves the KV untouched', async () => {
    const h = await withNamespace();
    const before = await h.kv.currentRevision();
    h.admitter.hook = () => {
      throw newForbidden({ group: '', resource: 'configmaps' }, 'cm', 'denied by policy');
    };
    await expectStatus(createConfigMap(h, 'ns', 'cm'), { code: 403, reason: 'Forbidden', message: 'configmaps "cm" is forbidden: denied by policy' });
    assert.equal(await h.kv.currentRevision(), before);
  });

  test('keys: kube-apiserver\'s layout, and the stored bytes carry no resourceVersion', async () => {
    const h = await withNamespace();
    const cm = await createConfigMap(h, 'ns', 'cm');
    const svc = objectOf(
      await h.registry.create(scope('services', 'ns'), { metadata: { name: 'svc' }, spec: { ports: [{ port: 80 }] } }, writeOptions()),
    );
    const deploy = objectOf(await h.registry.create(scope('deployments', 'ns'), deploymentBody('web'), writeOptions()));
    const lease = objectOf(await h.registry.create(scope('leases', 'ns'), { metadata: { name: 'l' }, spec: {} }, writeOptions()));
    const expected: [string, KubeObject][] = [
      ['/registry/configmaps/ns/cm', cm],
      ['/registry/services/specs/ns/svc', svc],
      ['/registry/deployments/ns/web', deploy],
      ['/registry/leases/ns/l', lease],
      ['/registry/namespaces/ns', await get(h, 'namespaces', '', 'ns')],
    ];
    const { kvs } = await h.kv.range('/registry/', { end: '/registry0' });
    assert.deepEqual(kvs.map((kv) => kv.key).sort(), expected.map(([key]) => key).sort());
    for (const [key, object] of expected) {
      const { kv } = await h.kv.get(key);
      assert.ok(kv, key);
      assert.equal(String(kv.modRevision), object.metadata!.resourceVersion, `${key}: resourceVersion is the modRevision`);
      const stored = JSON.parse(new TextDecoder().decode(kv.value)) as KubeObject;
      assert.equal(stored.metadata!.resourceVersion, undefined, `${key}: no resourceVersion in the stored bytes`);
      assert.equal(stored.metadata!.uid, object.metadata!.uid);
      assert.equal(stored.kind, object.kind);
      assert.equal(stored.apiVersion, object.apiVersion);
    }
  });
});

// ---- get ---------------------------------------------------------------------------------------

describe('get', () => {
  test('NotFound: 404 with the group-qualified resource', async () => {
    const h = await withNamespace();
    await expectStatus(get(h, 'configmaps', 'ns', 'x'), {
      code: 404,
      reason: 'NotFound',
      message: 'configmaps "x" not found',
      details: { name: 'x', kind: 'configmaps' },
    });
    await expectStatus(get(h, 'deployments', 'ns', 'x'), {
      code: 404,
      reason: 'NotFound',
      message: 'deployments.apps "x" not found',
      details: { name: 'x', group: 'apps', kind: 'deployments' },
    });
    await expectStatus(get(h, 'namespaces', '', 'x'), { code: 404, reason: 'NotFound', message: 'namespaces "x" not found' });
  });

  test('answers the stored object with resourceVersion = its modRevision', async () => {
    const h = await withNamespace();
    const cm = await createConfigMap(h, 'ns', 'cm', { data: { a: 'b' } });
    const got = await get(h, 'configmaps', 'ns', 'cm');
    assert.deepEqual(got, cm);
  });

  test('resourceVersion "", "0" and any the store has reached read the current state', async () => {
    const h = await withNamespace();
    const cm = await createConfigMap(h, 'ns', 'cm', { data: { a: 'b' } });
    await h.registry.update(scope('configmaps', 'ns', 'cm'), { metadata: { name: 'cm' }, data: { a: 'c' } }, writeOptions());
    const current = await get(h, 'configmaps', 'ns', 'cm');
    const revision = await h.kv.currentRevision();
    for (const resourceVersion of ['', '0', '1', cm.metadata!.resourceVersion!, String(revision)]) {
      assert.deepEqual(await h.registry.get(scope('configmaps', 'ns', 'cm'), { resourceVersion }), current, resourceVersion);
    }
  });

  // etcd3 store.Get: validateMinimumResourceVersion -> storage.NewTooLargeResourceVersionError(rv,
  // revision, 0), checked before the key's absence.
  test('a resourceVersion newer than the store: 504 Too large resource version (before NotFound)', async () => {
    const h = await withNamespace();
    await createConfigMap(h, 'ns', 'cm');
    const revision = await h.kv.currentRevision();
    for (const name of ['cm', 'missing']) {
      await expectStatus(h.registry.get(scope('configmaps', 'ns', name), { resourceVersion: String(revision + 1) }), {
        code: 504,
        reason: 'Timeout',
        message: `Timeout: Too large resource version: ${revision + 1}, current: ${revision}`,
        details: { causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }] },
      });
    }
  });

  // The watch cache's Get passes the versioner's error through unconverted: a 500 without reason.
  test('a resourceVersion that does not parse: the versioner\'s error, unconverted', async () => {
    const h = await withNamespace();
    await createConfigMap(h, 'ns', 'cm');
    const status = await expectStatus(h.registry.get(scope('configmaps', 'ns', 'cm'), { resourceVersion: 'abc' }), {
      code: 500,
      reason: '',
      message: 'resourceVersion: Invalid value: "abc": strconv.ParseUint: parsing "abc": invalid syntax',
    });
    assert.equal(status.details, undefined);
    await expectStatus(h.registry.get(scope('configmaps', 'ns', 'cm'), { resourceVersion: '-1' }), {
      code: 500,
      reason: '',
      message: 'resourceVersion: Invalid value: "-1": strconv.ParseUint: parsing "-1": invalid syntax',
    });
  });
});

// ---- update ------------------------------------------------------------------------------------

describe('update', () => {
  test('a stale resourceVersion: 409 Conflict with kube\'s optimistic-lock message', async () => {
    const h = await withNamespace();
    const cm = await createConfigMap(h, 'ns', 'cm');
    await h.registry.update(scope('configmaps', 'ns', 'cm'), { ...cm, data: { k: 'v2' } }, writeOptions());
    await expectStatus(h.registry.update(scope('configmaps', 'ns', 'cm'), { ...cm, data: { k: 'v3' } }, writeOptions()), {
      code: 409,
      reason: 'Conflict',
      message: `Operation cannot be fulfilled on configmaps "cm": ${OPTIMISTIC}`,
      details: { name: 'cm', kind: 'configmaps' },
    });
    assert.deepEqual((await get(h, 'configmaps', 'ns', 'cm')).data, { k: 'v2' });
  });

  test('with the current resourceVersion: written, new resourceVersion, 200', async () => {
    const h = await withNamespace();
    const cm = await createConfigMap(h, 'ns', 'cm');
    const result = await h.registry.update(scope('configmaps', 'ns', 'cm'), { ...cm, data: { k: 'v2' } }, writeOptions());
    assert.equal(result.code, 200);
    const updated = objectOf(result);
    assert.equal(updated.metadata!.resourceVersion, String(await h.kv.currentRevision()));
    assert.notEqual(updated.metadata!.resourceVersion, cm.metadata!.resourceVersion);
    assert.deepEqual(await get(h, 'configmaps', 'ns', 'cm'), updated);
    const call = h.admitter.calls.at(-1)!;
    assert.equal(call.operation, 'UPDATE');
    assert.deepEqual(call.oldObject, cm);
  });

  test('unconditional update (no resourceVersion) applies to the stored version', async () => {
    const h = await withNamespace();
    await createConfigMap(h, 'ns', 'cm');
    await h.registry.update(scope('configmaps', 'ns', 'cm'), { metadata: { name: 'cm' }, data: { k: 'v2' } }, writeOptions());
    const updated = objectOf(await h.registry.update(scope('configmaps', 'ns', 'cm'), { metadata: { name: 'cm' }, data: { k: 'v3' } }, writeOptions()));
    assert.deepEqual(updated.data, { k: 'v3' });
    assert.equal(updated.metadata!.creationTimestamp, T0_TEXT);
    assert.equal(updated.metadata!.resourceVersion, String(await h.kv.currentRevision()));
  });

  test('the name in the body must match the URL: 400', async () => {
    const h = await withNamespace();
    const cm = await createConfigMap(h, 'ns', 'cm');
    await expectStatus(
      h.registry.update(scope('configmaps', 'ns', 'cm'), { ...cm, metadata: { ...cm.metadata, name: 'other' } }, writeOptions()),
      { code: 400, reason: 'BadRequest', message: 'the name of the object (other) does not match the name on the URL (cm)' },
    );
    await expectStatus(
      h.registry.update(scope('configmaps', 'ns', 'cm'), { ...cm, metadata: { ...cm.metadata, namespace: 'other' } }, writeOptions()),
      { code: 400, reason: 'BadRequest', message: 'the namespace of the provided object does not match the namespace sent on the request' },
    );
  });

  // update.go checkName: namer.ObjectName fails on an empty name (errEmptyName), after
  // EnsureObjectNamespaceMatchesRequestNamespace. The gateway leaves both checks to storage.
  test('a body without a name: 400 undeterminable; the namespace is checked first', async () => {
    const h = await withNamespace();
    await createConfigMap(h, 'ns', 'cm');
    const undeterminable = 'the name of the object (cm based on URL) was undeterminable: name must be provided';
    for (const body of [{ data: {} }, { metadata: null }, { metadata: {} }, { metadata: { name: '' } }, { metadata: { name: 5 } }]) {
      await expectStatus(h.registry.update(scope('configmaps', 'ns', 'cm'), body, writeOptions()), {
        code: 400,
        reason: 'BadRequest',
        message: undeterminable,
      });
    }
    await expectStatus(h.registry.update(scope('configmaps', 'ns', 'cm'), { metadata: { namespace: 'other' } }, writeOptions()), {
      code: 400,
      reason: 'BadRequest',
      message: 'the namespace of the provided object does not match the namespace sent on the request',
    });
    await expectStatus(h.registry.update(scope('configmaps', 'ns', 'cm'), { metadata: { name: 'x', namespace: 'other' } }, writeOptions()), {
      code: 400,
      reason: 'BadRequest',
      message: 'the namespace of the provided object does not match the namespace sent on the request',
    });
  });

  test('Deployment generation bumps on spec changes only, not on labels or status', async () => {
    const h = await withNamespace();
    let d = objectOf(await h.registry.create(scope('deployments', 'ns'), deploymentBody('web'), writeOptions()));
    d = objectOf(
      await h.registry.update(scope('deployments', 'ns', 'web'), { ...d, metadata: { ...d.metadata, labels: { app: 'web', tier: 'x' } } }, writeOptions()),
    );
    assert.equal(d.metadata!.generation, 1);
    assert.equal(d.metadata!.labels!.tier, 'x');
    d = objectOf(await h.registry.update(scope('deployments', 'ns', 'web'), { ...d, spec: { ...(d.spec as object), replicas: 3 } }, writeOptions()));
    assert.equal(d.metadata!.generation, 2);
    d = objectOf(await h.registry.update(scope('deployments', 'ns', 'web'), { ...d, metadata: { ...d.metadata, generation: 1 } }, writeOptions()));
    assert.equal(d.metadata!.generation, 2, 'a client cannot set generation');
  });

  // kube: deploymentStrategy.PrepareForUpdate bumps generation when spec OR annotations change
  // ("annotations are copied from deployments to their replica sets").
  test('Deployment generation also bumps on annotation changes', async () => {
    const h = await withNamespace();
    const d = objectOf(await h.registry.create(scope('deployments', 'ns'), deploymentBody('web'), writeOptions()));
    const updated = objectOf(
      await h.registry.update(scope('deployments', 'ns', 'web'), { ...d, metadata: { ...d.metadata, annotations: { note: 'x' } } }, writeOptions()),
    );
    assert.equal(updated.metadata!.generation, 2);
  });

  test('main-resource updates ignore status', async () => {
    const h = await withNamespace();
    const d = objectOf(await h.registry.create(scope('deployments', 'ns'), deploymentBody('web'), writeOptions()));
    const updated = objectOf(
      await h.registry.update(scope('deployments', 'ns', 'web'), { ...d, status: { replicas: 9 }, metadata: { ...d.metadata, labels: { app: 'web', v: '2' } } }, writeOptions()),
    );
    assert.deepEqual(updated.status ?? {}, {});
    assert.deepEqual((await get(h, 'deployments', 'ns', 'web')).status ?? {}, {});
    assert.equal(updated.metadata!.labels!.v, '2');
  });

  test('/status updates change status only: labels, spec and generation stay as stored', async () => {
    const h = await withNamespace();
    const d = objectOf(await h.registry.create(scope('deployments', 'ns'), deploymentBody('web'), writeOptions()));
    const body: KubeObject = {
      ...d,
      metadata: { ...d.metadata, labels: { changed: 'yes' } },
      spec: { ...(d.spec as object), replicas: 42 },
      status: { replicas: 1, readyReplicas: 1, observedGeneration: 1 },
    };
    const result = await h.registry.update(scope('deployments', 'ns', 'web', 'status'), body, writeOptions());
    const updated = objectOf(result);
    assert.deepEqual(updated.status, { replicas: 1, readyReplicas: 1, observedGeneration: 1 });
    assert.deepEqual(updated.metadata!.labels, { app: 'web' });
    assert.equal((updated.spec as { replicas: number }).replicas, 1);
    assert.equal(updated.metadata!.generation, 1);
    assert.equal(h.admitter.calls.at(-1)!.subresource, 'status');
    assert.deepEqual(await get(h, 'deployments', 'ns', 'web'), updated);
  });

  // kube: deploymentStatusStrategy.PrepareForUpdate resets Spec and Labels only (GetResetFields:
  // spec, metadata.labels).
  test('Deployment /status updates keep annotation changes (only spec and labels are reset)', async () => {
    const h = await withNamespace();
    const d = objectOf(await h.registry.create(scope('deployments', 'ns'), deploymentBody('web'), writeOptions()));
    const updated = objectOf(
      await h.registry.update(
        scope('deployments', 'ns', 'web', 'status'),
        { ...d, metadata: { ...d.metadata, annotations: { 'deployment.kubernetes.io/revision': '1' } }, status: { replicas: 1 } },
        writeOptions(),
      ),
    );
    assert.deepEqual(updated.metadata!.annotations, { 'deployment.kubernetes.io/revision': '1' });
  });

  // kube: each type's status strategy decides which metadata a /status update may change:
  // podStatusStrategy resets spec and ownerReferences only, serviceStatusStrategy spec only.
  test('/status strategies differ per type: pods keep their owner references, labels go through', async () => {
    const h = await withNamespace();
    const owner = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'rs-uid' };
    const body = podBody('p', {}, { app: 'p' });
    body.metadata!.ownerReferences = [owner];
    const pod = objectOf(await h.registry.create(scope('pods', 'ns'), body, writeOptions()));
    const updated = objectOf(
      await h.registry.update(
        scope('pods', 'ns', 'p', 'status'),
        { ...pod, metadata: { ...pod.metadata, labels: { app: 'p', seen: 'yes' }, ownerReferences: [] }, status: { phase: 'Running' } },
        writeOptions(),
      ),
    );
    assert.deepEqual(updated.metadata!.labels, { app: 'p', seen: 'yes' });
    assert.deepEqual(updated.metadata!.ownerReferences, [owner]);

    const svc = objectOf(await h.registry.create(scope('services', 'ns'), { metadata: { name: 'svc' }, spec: { ports: [{ port: 80 }] } }, writeOptions()));
    const svcUpdated = objectOf(
      await h.registry.update(
        scope('services', 'ns', 'svc', 'status'),
        { ...svc, metadata: { ...svc.metadata, annotations: { a: 'b' } }, spec: { ports: [{ port: 81 }] }, status: { loadBalancer: {} } },
        writeOptions(),
      ),
    );
    assert.deepEqual(svcUpdated.metadata!.annotations, { a: 'b' });
    assert.deepEqual(svcUpdated.spec, { ports: [{ port: 80 }] });
  });

  test('an update that changes nothing is not written: same resourceVersion, no new revision', async () => {
    const h = await withNamespace();
    const cm = await createConfigMap(h, 'ns', 'cm');
    const before = await h.kv.currentRevision();
    const result = objectOf(await h.registry.update(scope('configmaps', 'ns', 'cm'), structuredClone(cm), writeOptions()));
    assert.equal(result.metadata!.resourceVersion, cm.metadata!.resourceVersion);
    assert.equal(await h.kv.currentRevision(), before);
    const unconditional = objectOf(
      await h.registry.update(
        scope('configmaps', 'ns', 'cm'),
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: { k: 'v' } },
        writeOptions(),
      ),
    );
    assert.equal(unconditional.metadata!.resourceVersion, cm.metadata!.resourceVersion);
    assert.equal(await h.kv.currentRevision(), before);
  });

  // kube compares the canonical encoding of the typed object (etcd3 GuaranteedUpdate:
  // bytes.Equal(data, origState.data)), so member order in the request never matters.
  test('a no-op update is recognised whatever the member order of the body', async () => {
    const h = await withNamespace();
    const cm = await createConfigMap(h, 'ns', 'cm');
    const before = await h.kv.currentRevision();
    const result = objectOf(
      await h.registry.update(scope('configmaps', 'ns', 'cm'), { data: { k: 'v' }, metadata: { name: 'cm' }, kind: 'ConfigMap', apiVersion: 'v1' }, writeOptions()),
    );
    assert.equal(result.metadata!.resourceVersion, cm.metadata!.resourceVersion);
    assert.equal(await h.kv.currentRevision(), before);
  });

  test('creationTimestamp cannot change: the stored one is kept', async () => {
    const h = await withNamespace();
    const cm = await createConfigMap(h, 'ns', 'cm');
    h.clock.now = new Date(T0.getTime() + 3_600_000);
    const updated = objectOf(
      await h.registry.update(
        scope('configmaps', 'ns', 'cm'),
        { ...cm, metadata: { ...cm.metadata, creationTimestamp: '2000-01-01T00:00:00Z' }, data: { k: 'v2' } },
        writeOptions(),
      ),
    );
    assert.equal(updated.metadata!.creationTimestamp, T0_TEXT);
    assert.equal((await get(h, 'configmaps', 'ns', 'cm')).metadata!.creationTimestamp, T0_TEXT);
  });

  test('a uid in the body that differs from the stored one is refused and nothing changes', async () => {
    const h = await withNamespace();
    const cm = await createConfigMap(h, 'ns', 'cm');
    await assert.rejects(
      h.registry.update(scope('configmaps', 'ns', 'cm'), { ...cm, metadata: { ...cm.metadata, uid: 'other-uid' }, data: { x: 'y' } }, writeOptions()),
    );
    assert.deepEqual(await get(h, 'configmaps', 'ns', 'cm'), cm);
  });

  // kube: rest.DefaultUpdatedObjectInfo.Preconditions() turns the body uid into a storage
  // precondition; etcd3 GuaranteedUpdate fails it with InvalidObjError -> InterpretUpdateError ->
  // 409 Conflict carrying the StorageError text.
  test('a uid in the body is a precondition: 409 Conflict (kube), not 422', async () => {
    const h = await withNamespace();
    const cm = await createConfigMap(h, 'ns', 'cm');
    await expectStatus(
      h.registry.update(scope('configmaps', 'ns', 'cm'), { ...cm, metadata: { ...cm.metadata, uid: 'other-uid' } }, writeOptions()),
      {
        code: 409,
        reason: 'Conflict',
        message:
          `Operation cannot be fulfilled on configmaps "cm": StorageError: invalid object, Code: 4, Key: /registry/configmaps/ns/cm, ` +
          `ResourceVersion: 0, AdditionalErrorMsg: Precondition failed: UID in precondition: other-uid, UID in object meta: ${cm.metadata!.uid}`,
      },
    );
  });

  test('create on update: Leases and Endpoints are created by PUT (201), ConfigMaps are not (404)', async () => {
    const h = await withNamespace();
    const lease = await h.registry.update(
      scope('leases', 'ns', 'l'),
      { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'l' }, spec: { holderIdentity: 'me' } },
      writeOptions(),
    );
    assert.equal(lease.code, 201);
    const created = objectOf(lease);
    assert.match(created.metadata!.uid!, UUID);
    assert.equal(created.metadata!.creationTimestamp, T0_TEXT);
    assert.equal(created.metadata!.resourceVersion, String(await h.kv.currentRevision()));
    assert.equal(h.admitter.calls.at(-1)!.operation, 'CREATE');
    const endpoints = await h.registry.update(scope('endpoints', 'ns', 'ep'), { metadata: { name: 'ep' }, subsets: [] }, writeOptions());
    assert.equal(endpoints.code, 201);
    assert.ok(await readStored(h, '/registry/services/endpoints/ns/ep'));
    await expectStatus(h.registry.update(scope('configmaps', 'ns', 'cm'), { metadata: { name: 'cm' }, data: {} }, writeOptions()), {
      code: 404,
      reason: 'NotFound',
      message: 'configmaps "cm" not found',
    });
    await expectStatus(h.registry.update(scope('leases', 'nope', 'l'), { metadata: { name: 'l' }, spec: {} }, writeOptions()), {
      code: 404,
      reason: 'NotFound',
      message: 'namespaces "nope" not found',
    });
  });

  // kube: leaseStrategy.PrepareForCreate never sets metadata.generation.
  test('Leases carry no generation', async () => {
    const h = await withNamespace();
    const lease = objectOf(await h.registry.update(scope('leases', 'ns', 'l'), { metadata: { name: 'l' }, spec: { holderIdentity: 'me' } }, writeOptions()));
    assert.equal(lease.metadata!.generation, undefined);
  });

  // kube: leaseStrategy.AllowUnconditionalUpdate() is false; store.go Update then answers
  // NewInvalid({group, Kind: resource}) -> `leases.coordination.k8s.io "l" is invalid:
  // metadata.resourceVersion: Invalid value: 0: must be specified for an update`.
  test('Leases refuse unconditional updates: 422 metadata.resourceVersion must be specified', async () => {
    const h = await withNamespace();
    await h.registry.update(scope('leases', 'ns', 'l'), { metadata: { name: 'l' }, spec: { holderIdentity: 'a' } }, writeOptions());
    await expectStatus(h.registry.update(scope('leases', 'ns', 'l'), { metadata: { name: 'l' }, spec: { holderIdentity: 'b' } }, writeOptions()), {
      code: 422,
      reason: 'Invalid',
      message: 'leases.coordination.k8s.io "l" is invalid: metadata.resourceVersion: Invalid value: 0: must be specified for an update',
      details: {
        name: 'l',
        group: 'coordination.k8s.io',
        kind: 'leases',
        causes: [{ reason: 'FieldValueInvalid', message: 'Invalid value: 0: must be specified for an update', field: 'metadata.resourceVersion' }],
      },
    });
  });

  test('namespaces: spec.finalizers cannot change through the main resource', async () => {
    const h = await withNamespace();
    const ns = await get(h, 'namespaces', '', 'ns');
    const updated = objectOf(
      await h.registry.update(scope('namespaces', '', 'ns'), { ...ns, spec: { finalizers: [] }, metadata: { ...ns.metadata, labels: { a: 'b' } } }, writeOptions()),
    );
    assert.deepEqual(updated.spec, { finalizers: ['kubernetes'] });
    assert.deepEqual(updated.metadata!.labels, { a: 'b', 'kubernetes.io/metadata.name': 'ns' });
  });

  test('dryRun update answers the new object and writes nothing', async () => {
    const h = await withNamespace();
    const cm = await createConfigMap(h, 'ns', 'cm');
    const before = await h.kv.currentRevision();
    const result = objectOf(await h.registry.update(scope('configmaps', 'ns', 'cm'), { ...cm, data: { k: 'dry' } }, writeOptions({ dryRun: true })));
    assert.deepEqual(result.data, { k: 'dry' });
    assert.equal(await h.kv.currentRevision(), before);
    assert.deepEqual(await get(h, 'configmaps', 'ns', 'cm'), cm);
  });
});

// ---- delete ------------------------------------------------------------------------------------

describe('delete', () => {
  test('ConfigMaps: a Success Status with details {name, kind: plural, uid}; the object is gone', async () => {
    const h = await withNamespace();
    const cm = await createConfigMap(h, 'ns', 'cm');
    const result = await h.registry.delete(scope('configmaps', 'ns', 'cm'), deleteOptions());
    assert.equal(result.code, 200);
    const status = result.object as Status;
    assert.equal(status.kind, 'Status');
    assert.equal(status.apiVersion, 'v1');
    assert.equal(status.status, 'Success');
    assert.deepEqual(status.metadata, {});
    assert.equal(status.details?.name, 'cm');
    assert.equal(status.details?.kind, 'configmaps');
    assert.equal(status.details?.uid, cm.metadata!.uid);
    assert.ok(!status.details?.group, 'no group for the core group');
    assert.equal(status.reason, undefined);
    assert.equal(status.message, undefined);
    await expectStatus(get(h, 'configmaps', 'ns', 'cm'), { code: 404, reason: 'NotFound' });
    assert.equal(await readStored(h, '/registry/configmaps/ns/cm'), undefined);

    const d = objectOf(await h.registry.create(scope('deployments', 'ns'), deploymentBody('web'), writeOptions()));
    const ds = (await h.registry.delete(scope('deployments', 'ns', 'web'), deleteOptions())).object as Status;
    assert.deepEqual(ds.details, { name: 'web', group: 'apps', kind: 'deployments', uid: d.metadata!.uid });
  });

  // kube: finalizeDelete builds metav1.Status{Status: Success, Details: {Name, Group, Kind:
  // resource, UID}} without Code, and Go omits the empty group: the body is
  // {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Success","details":{"name":..,"kind":"configmaps","uid":..}}.
  test('the Success Status of a delete is kube\'s exactly: no code, no empty group', async () => {
    const h = await withNamespace();
    const cm = await createConfigMap(h, 'ns', 'cm');
    const status = (await h.registry.delete(scope('configmaps', 'ns', 'cm'), deleteOptions())).object as Status;
    assert.deepEqual(JSON.parse(JSON.stringify(status)), {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Success',
      details: { name: 'cm', kind: 'configmaps', uid: cm.metadata!.uid },
    });
  });

  test('missing object: 404', async () => {
    const h = await withNamespace();
    await expectStatus(h.registry.delete(scope('configmaps', 'ns', 'x'), deleteOptions()), {
      code: 404,
      reason: 'NotFound',
      message: 'configmaps "x" not found',
    });
  });

  test('Pods answer the deleted object; an unbound pod goes at once', async () => {
    const h = await withNamespace();
    const pod = objectOf(await h.registry.create(scope('pods', 'ns'), podBody('p', { terminationGracePeriodSeconds: 30 }), writeOptions()));
    const result = await h.registry.delete(scope('pods', 'ns', 'p'), deleteOptions());
    const deleted = objectOf(result);
    assert.equal(deleted.kind, 'Pod');
    assert.equal(deleted.metadata!.uid, pod.metadata!.uid);
    await expectStatus(get(h, 'pods', 'ns', 'p'), { code: 404, reason: 'NotFound', message: 'pods "p" not found' });
  });

  // kube: podStrategy.CheckGracefulDelete returns true with period 0 for unscheduled pods, so the
  // store first writes deletionTimestamp/deletionGracePeriodSeconds=0 (+generation) and then
  // deletes; the answer is that last state.
  test('an unbound pod is answered as kube stores it last: deletionTimestamp now, grace 0, generation bumped', async () => {
    const h = await withNamespace();
    await h.registry.create(scope('pods', 'ns'), podBody('p'), writeOptions());
    const deleted = objectOf(await h.registry.delete(scope('pods', 'ns', 'p'), deleteOptions()));
    assert.equal(deleted.metadata!.deletionTimestamp, T0_TEXT);
    assert.equal(deleted.metadata!.deletionGracePeriodSeconds, 0);
    assert.equal(deleted.metadata!.generation, 2);
  });

  test('a pod bound to a node is deleted gracefully: deletionTimestamp = now + grace, it stays', async () => {
    const h = await withNamespace();
    await h.registry.create(scope('pods', 'ns'), podBody('p', { nodeName: 'node-1', terminationGracePeriodSeconds: 30 }), writeOptions());
    const result = objectOf(await h.registry.delete(scope('pods', 'ns', 'p'), deleteOptions()));
    assert.equal(result.metadata!.deletionTimestamp, plusSeconds(T0, 30));
    assert.equal(result.metadata!.deletionGracePeriodSeconds, 30);
    assert.equal(result.metadata!.generation, 2);
    const stored = await get(h, 'pods', 'ns', 'p');
    assert.deepEqual(stored, result);
    // Deleting again while the grace period runs answers the object and changes nothing.
    const before = await h.kv.currentRevision();
    const again = objectOf(await h.registry.delete(scope('pods', 'ns', 'p'), deleteOptions()));
    assert.deepEqual(again, stored);
    assert.equal(await h.kv.currentRevision(), before);
  });

  test('a bound pod with gracePeriodSeconds=0 on the first delete goes at once', async () => {
    const h = await withNamespace();
    await h.registry.create(scope('pods', 'ns'), podBody('p', { nodeName: 'node-1', terminationGracePeriodSeconds: 30 }), writeOptions());
    await h.registry.delete(scope('pods', 'ns', 'p'), deleteOptions({ gracePeriodSeconds: 0 }));
    await expectStatus(get(h, 'pods', 'ns', 'p'), { code: 404, reason: 'NotFound' });
  });

  // kube: rest.BeforeDelete lets a second delete shorten the grace period; 0 deletes at once (this
  // is how the kubelet and `kubectl delete --force --grace-period=0` finish a pod).
  test('a terminating pod is removed by a delete with gracePeriodSeconds=0 (kubelet / --force)', async () => {
    const h = await withNamespace();
    await h.registry.create(scope('pods', 'ns'), podBody('p', { nodeName: 'node-1', terminationGracePeriodSeconds: 30 }), writeOptions());
    await h.registry.delete(scope('pods', 'ns', 'p'), deleteOptions());
    await h.registry.delete(scope('pods', 'ns', 'p'), deleteOptions({ gracePeriodSeconds: 0 }));
    await expectStatus(get(h, 'pods', 'ns', 'p'), { code: 404, reason: 'NotFound' });
  });

  // kube: ShouldDeleteDuringUpdate deletes on update only when the stored
  // deletionGracePeriodSeconds is nil or 0.
  test('a terminating pod survives a status update during its grace period', async () => {
    const h = await withNamespace();
    await h.registry.create(scope('pods', 'ns'), podBody('p', { nodeName: 'node-1', terminationGracePeriodSeconds: 30 }), writeOptions());
    const terminating = objectOf(await h.registry.delete(scope('pods', 'ns', 'p'), deleteOptions()));
    await h.registry.update(scope('pods', 'ns', 'p', 'status'), { ...terminating, status: { phase: 'Running' } }, writeOptions());
    const pod = await get(h, 'pods', 'ns', 'p');
    assert.equal((pod.status as { phase: string }).phase, 'Running');
    assert.equal(pod.metadata!.deletionTimestamp, plusSeconds(T0, 30));
  });

  // kube: podStrategy.CheckGracefulDelete sets period 0 for pods in phase Failed or Succeeded.
  test('a bound pod that already terminated (phase Succeeded/Failed) is deleted at once', async () => {
    const h = await withNamespace();
    const pod = objectOf(await h.registry.create(scope('pods', 'ns'), podBody('p', { nodeName: 'node-1', terminationGracePeriodSeconds: 30 }), writeOptions()));
    await h.registry.update(scope('pods', 'ns', 'p', 'status'), { ...pod, status: { phase: 'Succeeded' } }, writeOptions());
    await h.registry.delete(scope('pods', 'ns', 'p'), deleteOptions());
    await expectStatus(get(h, 'pods', 'ns', 'p'), { code: 404, reason: 'NotFound' });
  });

  // kube: rest.BeforeDelete (and podStrategy.CheckGracefulDelete) turn a negative
  // gracePeriodSeconds into 1.
  test('a negative grace period counts as 1 second', async () => {
    const h = await withNamespace();
    await h.registry.create(scope('pods', 'ns'), podBody('p', { nodeName: 'node-1', terminationGracePeriodSeconds: 30 }), writeOptions());
    const pod = objectOf(await h.registry.delete(scope('pods', 'ns', 'p'), deleteOptions({ gracePeriodSeconds: -5 })));
    assert.equal(pod.metadata!.deletionGracePeriodSeconds, 1);
    assert.equal(pod.metadata!.deletionTimestamp, plusSeconds(T0, 1));
    assert.ok(await get(h, 'pods', 'ns', 'p'));
  });

  // kube: store.go deletionFinalizersForGarbageCollection adds "foregroundDeletion" (Foreground) or
  // "orphan" (Orphan) and the object waits, deletionTimestamp set, for the garbage collector.
  test('propagationPolicy Foreground / Orphan leave the object with the garbage collector\'s finalizer', async () => {
    const h = await withNamespace();
    await createConfigMap(h, 'ns', 'fg');
    await createConfigMap(h, 'ns', 'orph');
    const fg = objectOf(await h.registry.delete(scope('configmaps', 'ns', 'fg'), deleteOptions({ propagationPolicy: 'Foreground' })));
    assert.deepEqual(fg.metadata!.finalizers, ['foregroundDeletion']);
    assert.equal(fg.metadata!.deletionTimestamp, T0_TEXT);
    const orph = objectOf(await h.registry.delete(scope('configmaps', 'ns', 'orph'), deleteOptions({ propagationPolicy: 'Orphan' })));
    assert.deepEqual(orph.metadata!.finalizers, ['orphan']);
    assert.deepEqual((await get(h, 'configmaps', 'ns', 'orph')).metadata!.finalizers, ['orphan']);
  });

  test('propagationPolicy Background (kubectl\'s default) adds no finalizer: the object goes at once', async () => {
    const h = await withNamespace();
    await createConfigMap(h, 'ns', 'bg');
    const status = (await h.registry.delete(scope('configmaps', 'ns', 'bg'), deleteOptions({ propagationPolicy: 'Background' }))).object as Status;
    assert.equal(status.status, 'Success');
    await expectStatus(get(h, 'configmaps', 'ns', 'bg'), { code: 404, reason: 'NotFound' });
  });

  test('preconditions that do not match: 409 Conflict and the object stays', async () => {
    const h = await withNamespace();
    const cm = await createConfigMap(h, 'ns', 'cm');
    await expectStatus(h.registry.delete(scope('configmaps', 'ns', 'cm'), deleteOptions({ preconditions: { uid: 'bad-uid' } })), {
      code: 409,
      reason: 'Conflict',
    });
    await expectStatus(h.registry.delete(scope('configmaps', 'ns', 'cm'), deleteOptions({ preconditions: { resourceVersion: '1' } })), {
      code: 409,
      reason: 'Conflict',
    });
    assert.deepEqual(await get(h, 'configmaps', 'ns', 'cm'), cm);
    await h.registry.delete(
      scope('configmaps', 'ns', 'cm'),
      deleteOptions({ preconditions: { uid: cm.metadata!.uid!, resourceVersion: cm.metadata!.resourceVersion! } }),
    );
    await expectStatus(get(h, 'configmaps', 'ns', 'cm'), { code: 404, reason: 'NotFound' });
  });

  // kube: rest.BeforeDelete checks preconditions first: Conflict on {Group, Resource: Kind}
  // ("ConfigMap", "Deployment.apps") with "the UID in the precondition (x) does not match the UID
  // in record (y). The object might have been deleted and then recreated" / "the ResourceVersion in
  // the precondition (x) does not match the ResourceVersion in record (y). The object might have
  // been modified".
  test('precondition failures: kube\'s rest.BeforeDelete texts', async () => {
    const h = await withNamespace();
    const cm = await createConfigMap(h, 'ns', 'cm');
    const uid = cm.metadata!.uid!;
    const rv = cm.metadata!.resourceVersion!;
    await expectStatus(h.registry.delete(scope('configmaps', 'ns', 'cm'), deleteOptions({ preconditions: { uid: 'bad-uid' } })), {
      code: 409,
      reason: 'Conflict',
      message: `Operation cannot be fulfilled on ConfigMap "cm": the UID in the precondition (bad-uid) does not match the UID in record (${uid}). The object might have been deleted and then recreated`,
      details: { name: 'cm', kind: 'ConfigMap' },
    });
    await expectStatus(h.registry.delete(scope('configmaps', 'ns', 'cm'), deleteOptions({ preconditions: { resourceVersion: '1' } })), {
      code: 409,
      reason: 'Conflict',
      message: `Operation cannot be fulfilled on ConfigMap "cm": the ResourceVersion in the precondition (1) does not match the ResourceVersion in record (${rv}). The object might have been modified`,
      details: { name: 'cm', kind: 'ConfigMap' },
    });
  });

  test('namespaces: a uid precondition failure uses the namespace store\'s "Precondition failed:" text', async () => {
    const h = await withNamespace();
    const ns = await get(h, 'namespaces', '', 'ns');
    await expectStatus(h.registry.delete(scope('namespaces', '', 'ns'), deleteOptions({ preconditions: { uid: 'bad-uid' } })), {
      code: 409,
      reason: 'Conflict',
      message: `Operation cannot be fulfilled on namespaces "ns": Precondition failed: UID in precondition: bad-uid, UID in object meta: ${ns.metadata!.uid}`,
      details: { name: 'ns', kind: 'namespaces' },
    });
  });

  // kube: namespace REST.Delete: "Precondition failed: ResourceVersion in precondition: %v,
  // ResourceVersion in object meta: %v".
  test('namespaces: a resourceVersion precondition failure says "ResourceVersion in object meta"', async () => {
    const h = await withNamespace();
    const ns = await get(h, 'namespaces', '', 'ns');
    await expectStatus(h.registry.delete(scope('namespaces', '', 'ns'), deleteOptions({ preconditions: { resourceVersion: '999' } })), {
      code: 409,
      reason: 'Conflict',
      message: `Operation cannot be fulfilled on namespaces "ns": Precondition failed: ResourceVersion in precondition: 999, ResourceVersion in object meta: ${ns.metadata!.resourceVersion}`,
    });
  });

  test('finalizers: deletionTimestamp is set, the object stays, a second delete answers it unchanged', async () => {
    const h = await withNamespace();
    await createConfigMap(h, 'ns', 'cm', { finalizers: ['example.com/hold'] });
    const result = await h.registry.delete(scope('configmaps', 'ns', 'cm'), deleteOptions());
    const marked = objectOf(result);
    assert.equal(marked.kind, 'ConfigMap');
    assert.equal(marked.metadata!.deletionTimestamp, T0_TEXT);
    assert.equal(marked.metadata!.deletionGracePeriodSeconds, 0);
    assert.deepEqual(marked.metadata!.finalizers, ['example.com/hold']);
    const stored = await get(h, 'configmaps', 'ns', 'cm');
    assert.deepEqual(stored, marked);
    const before = await h.kv.currentRevision();
    h.clock.now = new Date(T0.getTime() + 60_000);
    const again = objectOf(await h.registry.delete(scope('configmaps', 'ns', 'cm'), deleteOptions()));
    assert.deepEqual(again, stored);
    assert.equal(await h.kv.currentRevision(), before);
  });

  // The 422 comes from admission's validateObjectMetaUpdate, which the test admitter runs too.
  test('finalizers: no new finalizer can be added once deletion started: 422', async () => {
    const h = await withNamespace();
    await createConfigMap(h, 'ns', 'cm', { finalizers: ['example.com/hold'] });
    const marked = objectOf(await h.registry.delete(scope('configmaps', 'ns', 'cm'), deleteOptions()));
    await expectStatus(
      h.registry.update(scope('configmaps', 'ns', 'cm'), { ...marked, metadata: { ...marked.metadata, finalizers: ['example.com/hold', 'example.com/more'] } }, writeOptions()),
      {
        code: 422,
        reason: 'Invalid',
        message:
          'ConfigMap "cm" is invalid: metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"example.com/more"}',
      },
    );
  });

  test('finalizers: removing the last one by update deletes the object', async () => {
    const h = await withNamespace();
    await createConfigMap(h, 'ns', 'cm', { finalizers: ['example.com/a', 'example.com/b'] });
    let marked = objectOf(await h.registry.delete(scope('configmaps', 'ns', 'cm'), deleteOptions()));
    marked = objectOf(
      await h.registry.update(scope('configmaps', 'ns', 'cm'), { ...marked, metadata: { ...marked.metadata, finalizers: ['example.com/b'] } }, writeOptions()),
    );
    assert.deepEqual((await get(h, 'configmaps', 'ns', 'cm')).metadata!.finalizers, ['example.com/b']);
    assert.equal(marked.metadata!.deletionTimestamp, T0_TEXT, 'an update cannot clear deletionTimestamp');
    const last = await h.registry.update(scope('configmaps', 'ns', 'cm'), { ...marked, metadata: { ...marked.metadata, finalizers: [] } }, writeOptions());
    assert.equal(last.code, 200);
    await expectStatus(get(h, 'configmaps', 'ns', 'cm'), { code: 404, reason: 'NotFound' });
    assert.equal(await readStored(h, '/registry/configmaps/ns/cm'), undefined);
  });

  test('namespaces go Terminating and disappear only once /finalize clears spec.finalizers', async () => {
    const h = await withNamespace('doomed');
    const result = objectOf(await h.registry.delete(scope('namespaces', '', 'doomed'), deleteOptions()));
    assert.equal(result.kind, 'Namespace');
    assert.equal(result.metadata!.deletionTimestamp, T0_TEXT);
    assert.deepEqual(result.status, { phase: 'Terminating' });
    assert.deepEqual(result.spec, { finalizers: ['kubernetes'] });
    const stored = await get(h, 'namespaces', '', 'doomed');
    assert.deepEqual(stored, result);

    // A second delete answers the namespace and changes nothing.
    const before = await h.kv.currentRevision();
    assert.deepEqual(objectOf(await h.registry.delete(scope('namespaces', '', 'doomed'), deleteOptions())), stored);
    assert.equal(await h.kv.currentRevision(), before);

    // A main-resource update cannot clear spec.finalizers; /finalize can, and that removes it.
    await h.registry.update(scope('namespaces', '', 'doomed'), { ...stored, spec: { finalizers: [] } }, writeOptions());
    assert.deepEqual((await get(h, 'namespaces', '', 'doomed')).spec, { finalizers: ['kubernetes'] });
    const finalized = await h.registry.update(
      scope('namespaces', '', 'doomed', 'finalize'),
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'doomed' }, spec: { finalizers: [] } },
      writeOptions(),
    );
    assert.equal(finalized.code, 200);
    await expectStatus(get(h, 'namespaces', '', 'doomed'), { code: 404, reason: 'NotFound', message: 'namespaces "doomed" not found' });
  });

  test('namespaces: /finalize that keeps a finalizer leaves the namespace Terminating', async () => {
    const h = await withNamespace('doomed');
    await h.registry.update(
      scope('namespaces', '', 'doomed', 'finalize'),
      { metadata: { name: 'doomed' }, spec: { finalizers: ['kubernetes', 'example.com/extra'] } },
      writeOptions(),
    );
    await h.registry.delete(scope('namespaces', '', 'doomed'), deleteOptions());
    await h.registry.update(scope('namespaces', '', 'doomed', 'finalize'), { metadata: { name: 'doomed' }, spec: { finalizers: ['example.com/extra'] } }, writeOptions());
    const ns = await get(h, 'namespaces', '', 'doomed');
    assert.deepEqual(ns.spec, { finalizers: ['example.com/extra'] });
    assert.deepEqual(ns.status, { phase: 'Terminating' });
  });

  // kube: namespace REST.Delete only sets deletionTimestamp and status.phase=Terminating (it never
  // goes through markAsDeleting / BeforeDelete).
  test('namespaces: deletion sets no deletionGracePeriodSeconds', async () => {
    const h = await withNamespace('doomed');
    const ns = objectOf(await h.registry.delete(scope('namespaces', '', 'doomed'), deleteOptions()));
    assert.equal(ns.metadata!.deletionGracePeriodSeconds, undefined);
  });

  test('dryRun deletes nothing (plain, finalizers, graceful pods)', async () => {
    const h = await withNamespace();
    const cm = await createConfigMap(h, 'ns', 'cm');
    const held = await createConfigMap(h, 'ns', 'held', { finalizers: ['example.com/hold'] });
    const pod = objectOf(await h.registry.create(scope('pods', 'ns'), podBody('p', { nodeName: 'n', terminationGracePeriodSeconds: 30 }), writeOptions()));
    const before = await h.kv.currentRevision();
    const status = (await h.registry.delete(scope('configmaps', 'ns', 'cm'), deleteOptions({ dryRun: true }))).object as Status;
    assert.equal(status.status, 'Success');
    assert.equal(objectOf(await h.registry.delete(scope('configmaps', 'ns', 'held'), deleteOptions({ dryRun: true }))).metadata!.deletionTimestamp, T0_TEXT);
    assert.ok(objectOf(await h.registry.delete(scope('pods', 'ns', 'p'), deleteOptions({ dryRun: true }))).metadata!.deletionTimestamp);
    assert.equal(await h.kv.currentRevision(), before);
    assert.deepEqual(await get(h, 'configmaps', 'ns', 'cm'), cm);
    assert.deepEqual(await get(h, 'configmaps', 'ns', 'held'), held);
    assert.deepEqual(await get(h, 'pods', 'ns', 'p'), pod);
  });
});

// ---- deleteCollection ----------------------------------------------------------------------------

describe('deleteCollection', () => {
  test('deletes what the label selector matches and answers them as a list', async () => {
    const h = await withNamespace();
    await createNamespace(h, 'other');
    await createConfigMap(h, 'ns', 'a1', { labels: { app: 'a' } });
    await createConfigMap(h, 'ns', 'a2', { labels: { app: 'a' } });
    await createConfigMap(h, 'ns', 'b1', { labels: { app: 'b' } });
    await createConfigMap(h, 'other', 'a3', { labels: { app: 'a' } });
    await createConfigMap(h, 'ns', 'held', { labels: { app: 'a' }, finalizers: ['example.com/hold'] });
    const result = await h.registry.deleteCollection(scope('configmaps', 'ns'), deleteOptions(), listOptions({ labelSelector: 'app=a' }));
    const list = result.object as unknown as ListResult;
    assert.equal(list.apiVersion, 'v1');
    assert.equal(list.kind, 'ConfigMapList');
    assert.deepEqual(names(list), ['a1', 'a2', 'held']);
    const left = (await h.registry.list(scope('configmaps', ''), listOptions())) as unknown as ListResult;
    assert.deepEqual(names(left), ['b1', 'held', 'a3']);
    assert.equal((await get(h, 'configmaps', 'ns', 'held')).metadata!.deletionTimestamp, T0_TEXT);
  });

  test('dryRun deletes nothing', async () => {
    const h = await withNamespace();
    await createConfigMap(h, 'ns', 'a1', { labels: { app: 'a' } });
    const before = await h.kv.currentRevision();
    const list = (await h.registry.deleteCollection(scope('configmaps', 'ns'), deleteOptions({ dryRun: true }), listOptions())).object as unknown as ListResult;
    assert.deepEqual(names(list), ['a1']);
    assert.equal(await h.kv.currentRevision(), before);
  });
});

// ---- concurrency -------------------------------------------------------------------------------

describe('concurrency', () => {
  test('20 parallel updates from the same read with resourceVersion preconditions: exactly one wins', async () => {
    const h = await withNamespace();
    const cm = await createConfigMap(h, 'ns', 'cm');
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => h.registry.update(scope('configmaps', 'ns', 'cm'), { ...structuredClone(cm), data: { k: `v${i}` } }, writeOptions())),
    );
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    assert.equal(won.length, 1);
    assert.equal(lost.length, 19);
    for (const r of lost) {
      assert.equal((r.reason as { code?: number }).code, 409);
      assert.equal((r.reason as Error).message, `Operation cannot be fulfilled on configmaps "cm": ${OPTIMISTIC}`);
    }
    const winner = objectOf((won[0] as PromiseFulfilledResult<{ object: KubeObject }>).value);
    assert.deepEqual(await get(h, 'configmaps', 'ns', 'cm'), winner);
  });

  // kube: etcd3 GuaranteedUpdate retries a lost compare-and-swap without bound (only a failed
  // precondition ends it). kapi bounds the retries by time (CAS_RETRY_BUDGET_MS), not by a count.
  test('20 parallel unconditional updates all land (last writer wins, each retried past lost races)', async () => {
    const h = await withNamespace();
    await createConfigMap(h, 'ns', 'cm');
    const start = await h.kv.currentRevision();
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => h.registry.update(scope('configmaps', 'ns', 'cm'), { metadata: { name: 'cm' }, data: { k: `v${i}` } }, writeOptions())),
    );
    assert.deepEqual(results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason)), []);
    assert.equal(await h.kv.currentRevision(), start + 20);
  });

  test('a write that keeps losing its compare-and-swap is retried from the winner\'s state', async () => {
    const h = await withNamespace();
    await createConfigMap(h, 'ns', 'cm');
    const start = await h.kv.currentRevision();
    h.store.races = 3;
    const updated = objectOf(await h.registry.update(scope('configmaps', 'ns', 'cm'), { metadata: { name: 'cm' }, data: { k: 'v2' } }, writeOptions()));
    assert.equal(updated.metadata!.resourceVersion, String(start + 4), 'three rewrites by the other writer, then ours');
    assert.deepEqual((await get(h, 'configmaps', 'ns', 'cm')).data, { k: 'v2' });
  });

  test('once the retry budget is spent, a lost race answers 409 Conflict', async () => {
    const h = newHarness({ casRetryBudgetMs: 0 });
    await createNamespace(h, 'ns');
    await createConfigMap(h, 'ns', 'cm');
    h.store.races = 1;
    await expectStatus(h.registry.update(scope('configmaps', 'ns', 'cm'), { metadata: { name: 'cm' }, data: { k: 'v2' } }, writeOptions()), {
      code: 409,
      reason: 'Conflict',
      message: `Operation cannot be fulfilled on configmaps "cm": ${OPTIMISTIC}`,
    });
  });
});
