// End-to-end behaviour of the gateway over HTTPS, with a fake storage service on an InProcessBus.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { newBadRequest, newUnsupportedMediaType, type Status } from '@kapi/apimachinery';
import { createTestCA } from './testing/pki.js';
import { startHarness, type Harness } from './testing/harness.js';

const JSON_CT = { 'Content-Type': 'application/json' };

let h: Harness;

before(async () => {
  h = await startHarness({ maxRequestBodyBytes: 64 * 1024, requestTimeoutMs: 2_000 });
});

after(async () => {
  await h.close();
});

function decodeRequest(call: { request: Record<string, unknown> } | undefined): Record<string, unknown> {
  assert.ok(call, 'storage was not called');
  return call.request;
}

describe('authentication', () => {
  test('anonymous requests reach only health and version paths', async () => {
    for (const path of ['/version', '/healthz', '/livez', '/readyz', '/readyz/ping']) {
      const r = await h.request('GET', path, { client: 'none' });
      assert.equal(r.status, 200, path);
    }
    for (const path of ['/api', '/apis', '/api/v1/namespaces/default/pods', '/', '/openapi/v2']) {
      const r = await h.request('GET', path, { client: 'none' });
      assert.equal(r.status, 401, path);
      assert.equal(r.headers['content-type'], 'application/json');
      assert.equal(r.text, '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401}\n');
    }
  });

  test('a client certificate names the user and its groups, and storage gets them', async () => {
    const alice = await h.ca.issue({ subject: 'CN=alice, O=dev, O=ops' });
    const r = await h.request('GET', '/api/v1/namespaces/default/configmaps', { client: alice });
    assert.equal(r.status, 200);
    const before = h.storage.calls.length;
    const c = await h.request('POST', '/api/v1/namespaces/default/configmaps', { client: alice, headers: JSON_CT, body: '{"metadata":{"name":"from-alice"}}' });
    assert.equal(c.status, 201);
    const call = h.storage.calls.slice(before).find((x) => x.method === 'create');
    assert.deepEqual(decodeRequest(call).user, { username: 'alice', uid: '', groups: ['dev', 'ops', 'system:authenticated'], extra: {} });
  });

  test('a certificate from another CA, or without client auth usage, is rejected everywhere', async () => {
    const other = await (await createTestCA('other-ca')).issue({ subject: 'CN=mallory' });
    const serverOnly = await h.ca.issue({ subject: 'CN=server', usages: ['serverAuth'] });
    for (const client of [other, serverOnly]) {
      for (const path of ['/healthz', '/api']) {
        const r = await h.request('GET', path, { client });
        assert.equal(r.status, 401, path);
        assert.equal(r.json<Status>().reason, 'Unauthorized');
      }
    }
  });

  test('a certificate without a common name is anonymous', async () => {
    const nameless = await h.ca.issue({ subject: 'O=dev' });
    assert.equal((await h.request('GET', '/healthz', { client: nameless })).status, 200);
    assert.equal((await h.request('GET', '/api', { client: nameless })).status, 401);
  });
});

describe('headers every response carries', () => {
  test('Audit-Id (fresh or the client\'s) and Cache-Control', async () => {
    const responses = await Promise.all([
      h.request('GET', '/api'),
      h.request('GET', '/nope'),
      h.request('GET', '/api', { client: 'none' }),
      h.request('GET', '/healthz', { client: 'none' }),
    ]);
    for (const r of responses) {
      assert.match(String(r.headers['audit-id']), /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      assert.equal(r.headers['cache-control'], 'no-cache, private');
    }
    const mine = await h.request('GET', '/api', { headers: { 'Audit-ID': 'my-audit-id' } });
    assert.equal(mine.headers['audit-id'], 'my-audit-id');
  });
});

describe('routing', () => {
  test('unknown paths outside the API web services: plain 404', async () => {
    for (const path of ['/nope', '/apis/example.com', '/apis/example.com/v1/widgets', '/healthz/nope', '/healthz/']) {
      const r = await h.request('GET', path);
      assert.equal(r.status, 404, path);
      assert.equal(r.headers['content-type'], 'text/plain; charset=utf-8');
      assert.equal(r.text, '404 page not found\n');
    }
  });

  test('unknown resources, versions and subpaths of known web services: NotFound Status', async () => {
    for (const path of ['/api/v1/foos', '/api/v2', '/apis/apps/v9/deployments', '/api/v1/pods/x', '/api/v1/namespaces/default/pods/x/nope', '/version/x']) {
      const r = await h.request('GET', path);
      assert.equal(r.status, 404, path);
      assert.equal(
        r.text,
        '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"the server could not find the requested resource","reason":"NotFound","details":{},"code":404}\n',
        path,
      );
    }
  });

  test('a method without a route: 405 Status', async () => {
    for (const [method, path] of [
      ['POST', '/api/v1/namespaces/default/pods/x'],
      ['PUT', '/api/v1/namespaces/default/pods'],
      ['DELETE', '/api/v1/namespaces'], // namespaces have no deletecollection
      ['POST', '/api/v1/pods'], // all-namespaces lists only
      ['HEAD', '/api/v1/namespaces/default/pods'],
      ['POST', '/api'],
      ['PUT', '/version'],
    ] as const) {
      const r = await h.request(method, path, { headers: JSON_CT, body: method === 'HEAD' ? undefined : '{}' });
      assert.equal(r.status, 405, `${method} ${path}`);
      if (method !== 'HEAD') assert.equal(r.json<Status>().message, 'the server does not allow this method on the requested resource');
    }
  });

  test('a watch with no watch cache on the bus is answered 503 ServiceUnavailable, never left hanging', async () => {
    for (const path of ['/api/v1/namespaces/default/pods?watch=true', '/api/v1/watch/namespaces/default/pods', '/apis/apps/v1/watch/deployments']) {
      const r = await h.request('GET', path);
      assert.equal(r.status, 503, path);
      const s = r.json<Status>();
      assert.equal(s.reason, 'ServiceUnavailable');
    }
  });

  test('a request target that does not decode is refused before any handler, as Go does', async () => {
    const r = await h.request('GET', '/api/v1/namespaces/default/pods/%zz');
    assert.equal(r.status, 400);
    assert.equal(r.text, '400 Bad Request');
    assert.equal(r.headers['audit-id'], undefined);
  });

  test('an unparseable special-verb path gets kube\'s plain 500', async () => {
    const r = await h.request('GET', '/api/v1/watch');
    assert.equal(r.status, 500);
    assert.equal(r.text, 'Internal Server Error: "/api/v1/watch": failed to create RequestInfo: unable to determine kind and namespace from url, /api/v1/watch\n');
  });
});

describe('verbs map to storage RPCs', () => {
  test('the client\'s trace context continues on the bus', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    await h.request('GET', '/api/v1/namespaces/ns1/configmaps', { headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` } });
    const headers = h.storage.lastCall('list')!.headers;
    assert.match(headers.traceparent ?? '', new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    assert.notEqual(headers.traceparent, `00-${traceId}-00f067aa0ba902b7-01`, 'a child span, not the client\'s');
  });

  test('get: ref and resourceVersion', async () => {
    h.storage.put({ group: '', resource: 'configmaps', namespace: 'ns1' }, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'one', namespace: 'ns1' } });
    const r = await h.request('GET', '/api/v1/namespaces/ns1/configmaps/one?resourceVersion=0');
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-type'], 'application/json');
    assert.ok(r.text.endsWith('}\n'));
    assert.equal(r.json<{ metadata: { name: string } }>().metadata.name, 'one');
    assert.deepEqual(decodeRequest(h.storage.lastCall('get')), {
      ref: { group: '', version: 'v1', resource: 'configmaps', namespace: 'ns1', name: 'one', subresource: '' },
      resourceVersion: '0',
    });
  });

  test('list: options, across namespaces and cluster-scoped', async () => {
    await h.request('GET', '/apis/apps/v1/namespaces/ns1/deployments?limit=5&labelSelector=app%3Dweb&fieldSelector=metadata.name%3Dx&resourceVersion=10&resourceVersionMatch=NotOlderThan');
    assert.deepEqual(decodeRequest(h.storage.lastCall('list')), {
      ref: { group: 'apps', version: 'v1', resource: 'deployments', namespace: 'ns1', name: '', subresource: '' },
      options: { labelSelector: 'app=web', fieldSelector: 'metadata.name=x', limit: 5, continue: '', resourceVersion: '10', resourceVersionMatch: 'NotOlderThan' },
    });
    await h.request('GET', '/apis/apps/v1/deployments');
    assert.equal((decodeRequest(h.storage.lastCall('list')).ref as { namespace: string }).namespace, '');
    await h.request('GET', '/api/v1/nodes');
    assert.deepEqual(decodeRequest(h.storage.lastCall('list')).ref, { group: '', version: 'v1', resource: 'nodes', namespace: '', name: '', subresource: '' });
  });

  test('create: the body, options and a 201', async () => {
    const r = await h.request('POST', '/api/v1/namespaces/ns1/configmaps?dryRun=All&fieldValidation=Strict', {
      headers: { ...JSON_CT, 'User-Agent': 'kubectl/v1.33.0 (linux/amd64)' },
      body: '{"metadata":{"name":"two"},"data":{"k":"v"}}',
    });
    assert.equal(r.status, 201);
    const req = decodeRequest(h.storage.lastCall('create'));
    assert.deepEqual(req.options, { dryRun: true, fieldManager: 'kubectl', fieldValidation: 'Strict', force: false });
    assert.equal(Buffer.from(req.object as Uint8Array).toString(), '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"two"},"data":{"k":"v"}}');
  });

  test('create from YAML', async () => {
    const r = await h.request('POST', '/api/v1/namespaces/ns1/configmaps', {
      headers: { 'Content-Type': 'application/yaml' },
      body: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-yaml\n',
    });
    assert.equal(r.status, 201);
    assert.deepEqual(JSON.parse(Buffer.from(decodeRequest(h.storage.lastCall('create')).object as Uint8Array).toString()), {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'from-yaml' },
    });
  });

  // EnsureObjectNamespaceMatchesRequestNamespace and checkName are storage's (every storage
  // caller needs them; the registry tests cover their texts): the gateway hands the object on as
  // sent and relays storage's answer.
  test('update: the object goes to storage as sent, which checks its name and namespace', async () => {
    h.storage.put({ group: '', resource: 'configmaps', namespace: 'ns1' }, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'three', namespace: 'ns1' } });
    const ok = await h.request('PUT', '/api/v1/namespaces/ns1/configmaps/three?fieldManager=me', { headers: JSON_CT, body: '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"three"}}' });
    assert.equal(ok.status, 200);
    assert.equal((decodeRequest(h.storage.lastCall('update')).options as { fieldManager: string }).fieldManager, 'me');
    const received: string[] = [];
    h.storage.overrides.update = async (request) => {
      received.push(Buffer.from(request.object as Uint8Array).toString());
      throw newBadRequest('the name of the object (four) does not match the name on the URL (three)');
    };
    try {
      for (const body of ['{"metadata":{"name":"four"}}', '{"data":{}}', '{"metadata":{"name":"three","namespace":"ns2"}}']) {
        const r = await h.request('PUT', '/api/v1/namespaces/ns1/configmaps/three', { headers: JSON_CT, body });
        assert.equal(r.status, 400);
        assert.equal(r.json<Status>().message, 'the name of the object (four) does not match the name on the URL (three)');
      }
      const create = await h.request('POST', '/api/v1/namespaces/ns1/configmaps', { headers: JSON_CT, body: '{"metadata":{"name":"x","namespace":"ns2"}}' });
      assert.equal(create.status, 201);
      assert.equal(Buffer.from(decodeRequest(h.storage.lastCall('create')).object as Uint8Array).toString(), '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x","namespace":"ns2"}}');
    } finally {
      delete h.storage.overrides.update;
    }
    assert.deepEqual(received, [
      '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"four"}}',
      '{"apiVersion":"v1","kind":"ConfigMap","data":{}}',
      '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"three","namespace":"ns2"}}',
    ]);
  });

  test('update of a subresource sends the subresource', async () => {
    h.storage.put({ group: 'apps', resource: 'deployments', namespace: 'ns1' }, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'ns1' } });
    const r = await h.request('PUT', '/apis/apps/v1/namespaces/ns1/deployments/web/status', { headers: JSON_CT, body: '{"metadata":{"name":"web"},"status":{}}' });
    assert.equal(r.status, 200);
    assert.equal((decodeRequest(h.storage.lastCall('update')).ref as { subresource: string }).subresource, 'status');
    // scale takes an autoscaling/v1 Scale
    const scale = await h.request('PUT', '/apis/apps/v1/namespaces/ns1/deployments/web/scale', { headers: JSON_CT, body: '{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"}}' });
    assert.equal(scale.status, 400);
    assert.equal(scale.json<Status>().message, 'Deployment in version "v1" cannot be handled as a Scale: converting (v1.Deployment) to (autoscaling.Scale): unknown conversion');
  });

  test('patch: the Content-Type is the patch type (parameters dropped)', async () => {
    h.storage.put({ group: '', resource: 'configmaps', namespace: 'ns1' }, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'five', namespace: 'ns1' } });
    const r = await h.request('PATCH', '/api/v1/namespaces/ns1/configmaps/five', {
      headers: { 'Content-Type': 'application/merge-patch+json; charset=utf-8' },
      body: '{"data":{"x":"y"}}',
    });
    assert.equal(r.status, 200);
    const req = decodeRequest(h.storage.lastCall('patch'));
    assert.equal(req.patchType, 'application/merge-patch+json');
    assert.equal(Buffer.from(req.patch as Uint8Array).toString(), '{"data":{"x":"y"}}');
    const apply = await h.request('PATCH', '/api/v1/namespaces/ns1/configmaps/five?fieldManager=kubectl&force=true', {
      headers: { 'Content-Type': 'application/apply-patch+yaml' },
      body: 'data:\n  x: z\n',
    });
    assert.equal(apply.status, 200);
    assert.deepEqual(decodeRequest(h.storage.lastCall('patch')).options, { dryRun: false, fieldManager: 'kubectl', fieldValidation: '', force: true });
  });

  // The route admits kube's four patch types; whether one is applied is storage's call (one
  // place), so a strategic merge patch reaches storage and its 415 is what the client sees.
  test('patch: every type the route admits goes to storage, which decides', async () => {
    h.storage.put({ group: '', resource: 'configmaps', namespace: 'ns1' }, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'smp', namespace: 'ns1' } });
    const accepted = 'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json';
    h.storage.overrides.patch = async () => {
      throw newUnsupportedMediaType(['application/json-patch+json', 'application/merge-patch+json']);
    };
    try {
      const before = h.storage.calls.length;
      const r = await h.request('PATCH', '/api/v1/namespaces/ns1/configmaps/smp', {
        headers: { 'Content-Type': 'application/strategic-merge-patch+json' },
        body: '{"data":{"x":"y"}}',
      });
      assert.equal(r.status, 415);
      assert.equal(r.json<Status>().message, accepted);
      const calls = h.storage.calls.slice(before).filter((c) => c.method === 'patch');
      assert.equal(calls.length, 1);
      assert.equal(decodeRequest(calls[0]).patchType, 'application/strategic-merge-patch+json');
    } finally {
      delete h.storage.overrides.patch;
    }
  });

  test('delete: options from the body, or else from the query', async () => {
    const put = (name: string) =>
      h.storage.put({ group: '', resource: 'configmaps', namespace: 'ns1' }, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'ns1' } });
    put('six');
    const r = await h.request('DELETE', '/api/v1/namespaces/ns1/configmaps/six?gracePeriodSeconds=99', {
      headers: JSON_CT,
      body: '{"kind":"DeleteOptions","apiVersion":"v1","propagationPolicy":"Foreground","gracePeriodSeconds":5,"preconditions":{"uid":"u1"}}',
    });
    assert.equal(r.status, 200);
    const withBody = decodeRequest(h.storage.lastCall('delete'));
    assert.deepEqual(withBody.ref, { group: '', version: 'v1', resource: 'configmaps', namespace: 'ns1', name: 'six', subresource: '' });
    assert.deepEqual(withBody.options, {
      preconditions: { uid: 'u1', resourceVersion: '' },
      propagationPolicy: 'Foreground',
      hasGracePeriodSeconds: true,
      gracePeriodSeconds: 5,
      dryRun: false,
    });
    put('seven');
    await h.request('DELETE', '/api/v1/namespaces/ns1/configmaps/seven?gracePeriodSeconds=0&orphanDependents=true');
    const fromQuery = decodeRequest(h.storage.lastCall('delete')).options as Record<string, unknown>;
    assert.equal(fromQuery.propagationPolicy, 'Orphan');
    assert.equal(fromQuery.hasGracePeriodSeconds, true);
    assert.equal(fromQuery.gracePeriodSeconds, 0);
    const bad = await h.request('DELETE', '/api/v1/namespaces/ns1/configmaps/x', { headers: JSON_CT, body: '{"gracePeriodSeconds":' });
    assert.equal(bad.status, 400);
    assert.equal(bad.json<Status>().message, "couldn't get version/kind; json parse error: unexpected end of JSON input");
  });

  test('delete collection: list and delete options', async () => {
    const r = await h.request('DELETE', '/api/v1/namespaces/ns9/configmaps?labelSelector=a%3Db&propagationPolicy=Background&dryRun=All');
    assert.equal(r.status, 200);
    assert.deepEqual(decodeRequest(h.storage.lastCall('deleteCollection')), {
      ref: { group: '', version: 'v1', resource: 'configmaps', namespace: 'ns9', name: '', subresource: '' },
      // the bus codec fills unset messages with defaults
      options: { preconditions: { uid: '', resourceVersion: '' }, propagationPolicy: 'Background', hasGracePeriodSeconds: false, gracePeriodSeconds: 0, dryRun: true },
      listOptions: { labelSelector: 'a=b', fieldSelector: '', limit: 0, continue: '', resourceVersion: '', resourceVersionMatch: '' },
      user: { username: 'admin', uid: '', groups: ['system:masters', 'system:authenticated'], extra: {} },
    });
  });
});

// Anonymous probes must not fan out to the backends: the storage and admission checks run once
// for concurrent probes and their outcome is reused for a while.
describe('health checks reach the backends at most once per ttl', () => {
  let cached: Harness;
  before(async () => {
    cached = await startHarness({ healthCheckCacheTtlMs: 60_000 });
  });
  after(async () => {
    await cached.close();
  });

  test('concurrent and repeated probes share one storage and one admission health call', async () => {
    const paths = ['/healthz', '/livez', '/readyz', '/readyz?verbose', '/readyz/storage', '/livez/admission'];
    const first = await Promise.all(Array.from({ length: 30 }, (_, i) => cached.request('GET', paths[i % paths.length]!, { client: 'none' })));
    for (const r of first) assert.equal(r.status, 200, r.text);
    assert.deepEqual(cached.storage.healthCalls, { storage: 1, admission: 1 });
    cached.storage.storageHealthy = false;
    const again = await cached.request('GET', '/readyz', { client: 'none' });
    assert.equal(again.status, 200, 'the remembered outcome answers');
    assert.deepEqual(cached.storage.healthCalls, { storage: 1, admission: 1 });
  });
});
