import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { StatusError } from '@kapi/apimachinery';
import type { AdmissionRequest } from '@kapi/bus';
import { AdmissionPool, TOO_MANY_REQUESTS_MESSAGE } from './pool.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function request(group: string, version: string, kind: string, resource: string, object: unknown, fieldValidation = 'Strict'): AdmissionRequest {
  const name = (object as { metadata?: { name?: string } }).metadata?.name ?? '';
  return {
    operation: 'CREATE',
    ref: { group, version, resource, namespace: 'default', name, subresource: '' },
    kind: { group, version, kind },
    object: encoder.encode(JSON.stringify(object)),
    oldObject: new Uint8Array(),
    dryRun: false,
    fieldValidation,
    user: { username: 'alice', uid: '', groups: ['system:authenticated'], extra: {} },
  };
}

const deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default' },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: { containers: [{ name: 'web', image: 'nginx', resources: { limits: { cpu: 0.5, memory: '1024Mi' } } }] },
    },
  },
};
const pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', namespace: 'default' },
  spec: { containers: [{ name: 'c', image: 'busybox', command: ['sleep', '1'], unknownThing: true }] },
};
const configMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'default' }, data: { a: '1' }, binaryData: { b: 'aGk=' } };

async function rejection(p: Promise<unknown>): Promise<StatusError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof StatusError, `not a StatusError: ${String(err)}`);
    return err;
  }
  assert.fail('expected a rejection');
}

describe('AdmissionPool (real worker threads)', () => {
  const pool = new AdmissionPool({ workers: 2 });
  after(() => pool.close());

  it('admits a Deployment, a Pod and a ConfigMap', async () => {
    const [d, p, c] = await Promise.all([
      pool.review(request('apps', 'v1', 'Deployment', 'deployments', deployment)),
      pool.review(request('', 'v1', 'Pod', 'pods', pod, 'Warn')),
      pool.review(request('', 'v1', 'ConfigMap', 'configmaps', configMap)),
    ]);
    const dObj = JSON.parse(decoder.decode(d.object));
    assert.deepEqual(dObj.spec.template.spec.containers[0].resources.limits, { cpu: '500m', memory: '1Gi' });
    assert.deepEqual(d.warnings, []);
    const pObj = JSON.parse(decoder.decode(p.object));
    assert.equal('unknownThing' in pObj.spec.containers[0], false);
    assert.deepEqual(p.warnings, ['unknown field "spec.containers[0].unknownThing"']);
    assert.deepEqual(JSON.parse(decoder.decode(c.object)), configMap);
  });

  it('returns rejections as StatusErrors across the thread boundary', async () => {
    const bad = structuredClone(deployment);
    (bad.spec as any).replicas = 'two';
    const err = await rejection(pool.review(request('apps', 'v1', 'Deployment', 'deployments', bad)));
    assert.equal(err.status.code, 400);
    assert.equal(err.status.message, 'Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32');
    const noContainers = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'empty', namespace: 'default' }, spec: {} };
    const e2 = await rejection(pool.review(request('', 'v1', 'Pod', 'pods', noContainers)));
    assert.equal(e2.status.code, 422);
    assert.equal(e2.status.message, 'Pod "empty" is invalid: spec.containers: Required value');
    const strict = await rejection(pool.review(request('', 'v1', 'Pod', 'pods', pod, 'Strict')));
    assert.equal(strict.status.message, 'Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spec.containers[0].unknownThing"');
  });

  it('answers a body that is not JSON with 400', async () => {
    const req = request('', 'v1', 'ConfigMap', 'configmaps', configMap);
    req.object = encoder.encode('{"kind":');
    const err = await rejection(pool.review(req));
    assert.equal(err.status.code, 400);
    assert.match(err.status.message!, /^admission: object is not valid JSON/);
  });

  it('returns the request bytes untouched when nothing changed', async () => {
    const req = request('', 'v1', 'ConfigMap', 'configmaps', configMap);
    const res = await pool.review(req);
    assert.equal(decoder.decode(res.object), decoder.decode(req.object));
    const s = pool.stats();
    assert.equal(s.threads, 2);
    assert.equal(s.completed, 8);
    assert.equal(s.inFlight, 0);
  });
});

describe('AdmissionPool limits and plugins', () => {
  it('refuses work beyond an idle thread and maxQueue with 429', async () => {
    const pool = new AdmissionPool({ workers: 1, maxQueue: 2 });
    try {
      const reqs = [0, 1, 2, 3].map(() => pool.review(request('', 'v1', 'ConfigMap', 'configmaps', configMap)));
      assert.deepEqual({ ...pool.stats(), threads: 1 }, {
        threads: 1,
        queued: 2,
        maxQueue: 2,
        inFlight: 3,
        batchesRunning: 1,
        completed: 0,
        rejected: 1,
        closed: false,
      });
      const results = await Promise.allSettled(reqs);
      assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'fulfilled', 'fulfilled', 'rejected']);
      const third = results[3]!;
      assert.equal(third.status, 'rejected');
      const err = (third as PromiseRejectedResult).reason as StatusError;
      assert.equal(err.status.code, 429);
      assert.equal(err.status.reason, 'TooManyRequests');
      assert.equal(err.status.message, TOO_MANY_REQUESTS_MESSAGE);
      assert.deepEqual(err.status.details, { retryAfterSeconds: 1 });
      assert.equal(pool.stats().rejected, 1);
    } finally {
      await pool.close();
    }
    await assert.rejects(pool.review(request('', 'v1', 'ConfigMap', 'configmaps', configMap)), { message: 'admission worker pool is shutting down' });
  });

  it('answers the reviews waiting and running when closed, and refuses new ones', async () => {
    const pool = new AdmissionPool({ workers: 1, maxQueue: 8, maxBatch: 2 });
    const reqs = Array.from({ length: 8 }, () => pool.review(request('', 'v1', 'ConfigMap', 'configmaps', configMap)));
    assert.ok(pool.stats().queued > 0);
    const closing = pool.close();
    const late = await rejection(pool.review(request('', 'v1', 'ConfigMap', 'configmaps', configMap)));
    assert.equal(late.status.code, 503);
    const results = await Promise.allSettled(reqs);
    assert.deepEqual(new Set(results.map((r) => r.status)), new Set(['fulfilled']));
    await closing;
    assert.equal(pool.stats().closed, true);
    assert.equal(pool.stats().completed, 8);
  });

  it('loads plugin modules in every thread and runs their hooks', async () => {
    const plugin = fileURLToPath(new URL('./test-plugin.fixture.js', import.meta.url));
    const pool = new AdmissionPool({ workers: 2, pluginModules: [plugin] });
    try {
      const ok = await Promise.all([1, 2, 3, 4].map(() => pool.review(request('', 'v1', 'ConfigMap', 'configmaps', configMap))));
      for (const res of ok) {
        assert.deepEqual(JSON.parse(decoder.decode(res.object)).metadata.labels, { 'admitted-by': 'test' });
        assert.deepEqual(res.warnings, ['labelled by TestLabeler']);
      }
      const forbidden = await rejection(pool.review(request('', 'v1', 'ConfigMap', 'configmaps', { ...configMap, metadata: { name: 'forbidden', namespace: 'default' } })));
      assert.equal(forbidden.status.code, 403);
      assert.equal(forbidden.status.message, 'configmaps "forbidden" is forbidden: the name is reserved');
      const crash = await rejection(pool.review(request('', 'v1', 'ConfigMap', 'configmaps', { ...configMap, metadata: { name: 'crash', namespace: 'default' } })));
      assert.equal(crash.status.code, 500);
      assert.equal(crash.status.message, 'Internal error occurred: admission plugin "TestLabeler" failed to validate: boom');
    } finally {
      await pool.close();
    }
  });

  it('reports a plugin module that cannot be loaded on every review', async () => {
    const pool = new AdmissionPool({ workers: 1, pluginModules: [fileURLToPath(new URL('./pool.js', import.meta.url))] });
    try {
      const err = await rejection(pool.review(request('', 'v1', 'ConfigMap', 'configmaps', configMap)));
      assert.equal(err.status.code, 500);
      assert.match(err.status.message!, /does not export createAdmissionPlugin\(\)/);
    } finally {
      await pool.close();
    }
  });

  it('validates its options', () => {
    assert.throws(() => new AdmissionPool({ workers: 0 }), RangeError);
    assert.throws(() => new AdmissionPool({ workers: 1, maxQueue: -1 }), RangeError);
    assert.throws(() => new AdmissionPool({ workers: 1, maxBatch: 0 }), RangeError);
  });
});
