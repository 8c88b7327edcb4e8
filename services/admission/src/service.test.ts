import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { StatusError } from '@kapi/apimachinery';
import { AdmissionRpc, InProcessBus } from '@kapi/bus';
import { type AdmissionService, startAdmission } from './service.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

describe('admission service on the bus (InProcessBus)', () => {
  let bus: InProcessBus;
  let client: InProcessBus;
  let service: AdmissionService;

  before(async () => {
    bus = new InProcessBus();
    client = bus.peer();
    // no built-in plugins: nothing serves the cluster reads they make
    service = await startAdmission({ bus, workers: 2, instance: 'admission-test', admissionPlugins: [] });
  });

  after(async () => {
    await service.close();
    await client.close();
    await bus.close();
  });

  function review(object: unknown, fieldValidation = 'Strict') {
    return client.request(AdmissionRpc.review, {
      operation: 'CREATE',
      ref: { group: '', version: 'v1', resource: 'pods', namespace: 'default', name: 'p', subresource: '' },
      kind: { group: '', version: 'v1', kind: 'Pod' },
      object: encoder.encode(JSON.stringify(object)),
      oldObject: new Uint8Array(),
      dryRun: false,
      fieldValidation,
      user: { username: 'alice', uid: '', groups: [], extra: {} },
    });
  }

  it('serves review: admitted objects and warnings come back', async () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'x', resources: { requests: { cpu: 0.25 } } }], extra: 1 } };
    const reply = await review(pod, 'Warn');
    const obj = JSON.parse(decoder.decode(reply.object));
    // The decoder's canonical quantity, then kube's Go-code defaults (types/pod.ts).
    assert.deepEqual(obj.spec.containers[0].resources, { requests: { cpu: '250m' } });
    assert.equal(obj.spec.containers[0].imagePullPolicy, 'Always');
    assert.equal(obj.spec.restartPolicy, 'Always');
    assert.equal(obj.status.qosClass, 'Burstable');
    assert.deepEqual(reply.warnings, ['unknown field "spec.extra"']);
  });

  it('carries rejections across the bus as their Status', async () => {
    await assert.rejects(review({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec: {} }), (err: unknown) => {
      assert.ok(err instanceof StatusError);
      assert.equal(err.status.code, 422);
      assert.equal(err.status.reason, 'Invalid');
      assert.equal(err.status.message, 'Pod "p" is invalid: spec.containers: Required value');
      assert.deepEqual(err.status.details?.causes, [{ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.containers' }]);
      return true;
    });
  });

  it('serves health with the pool state', async () => {
    const health = await client.request(AdmissionRpc.health, {});
    assert.equal(health.service, 'admission');
    assert.equal(health.instance, 'admission-test');
    assert.equal(health.checks.length, 1);
    assert.equal(health.checks[0]!.name, 'worker-pool');
    assert.equal(health.checks[0]!.ok, true);
    assert.match(health.checks[0]!.message, /^threads=2 inFlight=\d+ queued=0\/64 batches=\d+ completed=\d+ rejected=0$/);
  });

  it('stops serving on close', async () => {
    const other = new InProcessBus();
    const svc = await startAdmission({ bus: other, workers: 1, admissionPlugins: [] });
    await svc.close();
    await svc.close(); // idempotent
    await assert.rejects(other.request(AdmissionRpc.health, {}), (err: unknown) => err instanceof StatusError && err.status.code === 503);
    await other.close();
  });
});
