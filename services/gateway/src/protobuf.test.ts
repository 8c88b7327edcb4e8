// application/vnd.kubernetes.protobuf over HTTPS against a fake storage: bodies reach storage as
// kube JSON, replies and Status errors are written in protobuf only for clients that ask.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { newNotFound, type Status } from '@kapi/apimachinery';
import { decodeObject, decodeWatchFrame, encodeEnvelope, encodeObject } from '@kapi/schema';
import { encodeProtobufWatchEvent, serializersForKind } from './protobuf.js';
import { startHarness, type Harness } from './testing/harness.js';

const PROTOBUF = 'application/vnd.kubernetes.protobuf';
let h: Harness;

before(async () => {
  h = await startHarness();
  h.storage.put({ group: '', resource: 'configmaps', namespace: 'default' }, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'default' }, data: { k: 'v' } });
});

after(async () => {
  await h.close();
});

describe('protobuf at the gateway', () => {
  test('a protobuf create body reaches storage as kube JSON; the reply is protobuf', async () => {
    const body = Buffer.from(encodeObject({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'default' }, data: { p: 'cQ==' } }));
    const r = await h.request('POST', '/api/v1/namespaces/default/secrets', { headers: { 'Content-Type': PROTOBUF, Accept: `${PROTOBUF}, application/json` }, body });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.headers['content-type'], PROTOBUF);
    const stored = JSON.parse(Buffer.from(h.storage.lastCall('create')!.request.object as Uint8Array).toString('utf8')) as Record<string, unknown>;
    assert.deepEqual(stored, { kind: 'Secret', apiVersion: 'v1', metadata: { name: 's', namespace: 'default' }, data: { p: 'cQ==' } });
    const reply = decodeObject(r.body);
    assert.equal(reply.kind, 'Secret');
    assert.deepEqual(reply.data, { p: 'cQ==' });
  });

  test('JSON clients get the JSON bytes untouched', async () => {
    const r = await h.request('GET', '/api/v1/namespaces/default/configmaps/cm', { headers: { Accept: 'application/json' } });
    assert.equal(r.headers['content-type'], 'application/json');
    assert.equal(r.json<{ data: { k: string } }>().data.k, 'v');
  });

  test('lists, PartialObjectMetadata and Status errors in protobuf', async () => {
    const list = await h.request('GET', '/api/v1/namespaces/default/configmaps', { headers: { Accept: PROTOBUF } });
    assert.equal(list.status, 200);
    const decoded = decodeObject(list.body);
    assert.equal(decoded.kind, 'ConfigMapList');
    assert.ok(Array.isArray(decoded.items));

    const partial = await h.request('GET', '/api/v1/namespaces/default/configmaps/cm', { headers: { Accept: `${PROTOBUF};as=PartialObjectMetadata;g=meta.k8s.io;v=v1` } });
    assert.equal(partial.status, 200, partial.text);
    const pom = decodeObject(partial.body);
    assert.equal(pom.kind, 'PartialObjectMetadata');
    assert.equal((pom.metadata as { name: string }).name, 'cm');

    h.storage.overrides.get = async () => {
      throw newNotFound({ group: '', resource: 'configmaps' }, 'x');
    };
    try {
      const missing = await h.request('GET', '/api/v1/namespaces/default/configmaps/x', { headers: { Accept: PROTOBUF } });
      assert.equal(missing.status, 404);
      assert.equal(missing.headers['content-type'], PROTOBUF);
      const status = decodeObject(missing.body) as unknown as Status;
      assert.equal(status.reason, 'NotFound');
      assert.equal(status.message, 'configmaps "x" not found');
    } finally {
      delete h.storage.overrides.get;
    }
  });

  test('Tables are JSON/YAML only: a protobuf-only Table request is 406', async () => {
    const r = await h.request('GET', '/api/v1/namespaces/default/configmaps', { headers: { Accept: `${PROTOBUF};as=Table;g=meta.k8s.io;v=v1` } });
    assert.equal(r.status, 406);
    assert.equal(r.json<Status>().message, 'only the following media types are accepted: application/json, application/yaml, application/vnd.kubernetes.protobuf');
  });

  test('malformed bodies get kube 400s and never reach storage', async () => {
    const before = h.storage.calls.length;
    const cases: [Buffer, string][] = [
      [Buffer.from('k8s\0'), 'the object provided is unrecognized (must be of type ConfigMap): empty body (6b387300)'],
      [Buffer.from(encodeEnvelope('v1', 'ConfigMap', Uint8Array.of(0x12, 0x05, 0x0a))), 'ConfigMap in version "v1" cannot be handled as a ConfigMap: unexpected EOF'],
      [Buffer.from(encodeEnvelope('v1', 'Nope', new Uint8Array())), 'Nope in version "v1" cannot be handled as a ConfigMap: no kind "Nope" is registered for version "v1" in scheme "pkg/api/legacyscheme/scheme.go:30"'],
      [Buffer.from(encodeObject({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' } })), 'Deployment in version "v1" cannot be handled as a ConfigMap: converting (v1.Deployment) to (core.ConfigMap): unknown conversion'],
    ];
    for (const [body, message] of cases) {
      const r = await h.request('POST', '/api/v1/namespaces/default/configmaps', { headers: { 'Content-Type': PROTOBUF }, body });
      assert.equal(r.status, 400, r.text);
      assert.equal(r.json<Status>().message, message);
    }
    assert.equal(h.storage.calls.length, before);
  });

  test('DeleteOptions bodies in protobuf', async () => {
    const body = Buffer.from(encodeObject({ apiVersion: 'meta.k8s.io/v1', kind: 'DeleteOptions', gracePeriodSeconds: 0, propagationPolicy: 'Foreground' }));
    await h.request('DELETE', '/api/v1/namespaces/default/configmaps/cm', { headers: { 'Content-Type': PROTOBUF }, body });
    const options = h.storage.lastCall('delete')!.request.options as Record<string, unknown>;
    assert.equal(options.propagationPolicy, 'Foreground');
    assert.equal(options.hasGracePeriodSeconds, true);
    assert.equal(options.gracePeriodSeconds, 0);
  });

  test('serializers follow the kind: built-ins offer protobuf, kinds without a message do not', () => {
    assert.ok(serializersForKind({ group: 'apps', version: 'v1', kind: 'Deployment' }).some((s) => s.mediaType === PROTOBUF));
    assert.ok(!serializersForKind({ group: 'example.com', version: 'v1', kind: 'Widget' }).some((s) => s.mediaType === PROTOBUF));
  });

  test('watch event frames wrap the enveloped object', () => {
    const frame = encodeProtobufWatchEvent('MODIFIED', Buffer.from(JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' } })));
    const event = decodeWatchFrame(frame);
    assert.equal(event.type, 'MODIFIED');
    assert.deepEqual(decodeObject(event.object), { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'cm' } });
  });
});
