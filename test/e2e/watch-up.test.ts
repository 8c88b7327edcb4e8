// Watch against `kapi up` (watchcache over SQLite, gateway streaming): raw streams checked event
// by event, and kubectl's watch users (get -w, --watch-only, delete --wait).

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { connect } from 'node:http2';
import { request } from 'node:https';
import { type RunningServer, startUp } from '@kapi/cli';
import { decodeObject, decodeWatchFrame } from '@kapi/schema';
import { Kubectl, findKubectl } from '../support/kubectl.js';
import { tempDir } from '../support/tmp.js';
import { openWatch, type RawClient, rawClient, rawRequest } from '../support/watch-client.js';

const cm = (name: string, labels: Record<string, string> = {}) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels }, data: { v: '1' } });

describe('watch against kapi up', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let server: RunningServer;
  let client: RawClient;
  const base = '/api/v1/namespaces/default/configmaps';

  before(async () => {
    dir = await tempDir('e2e-watch');
    server = await startUp({ dataDir: dir.path, securePort: 0, bindAddress: '127.0.0.1', admissionWorkers: 1, quiet: true });
    client = rawClient(server.kubeconfigPath);
  });

  after(async () => {
    await server?.stop();
    await dir.remove();
  });

  it('from a list resourceVersion: ADDED, MODIFIED, DELETED, DELETED (deletecollection), then ends at timeoutSeconds', async () => {
    const list = await rawRequest(client, 'GET', `${base}?labelSelector=case%3Done`);
    assert.equal(list.status, 200);
    const rv = list.body.metadata.resourceVersion as string;
    const started = Date.now();
    const w = await openWatch(client, `${base}?watch=true&resourceVersion=${rv}&labelSelector=case%3Done&timeoutSeconds=3`);
    assert.equal(w.status, 200);
    assert.equal(w.headers['content-type'], 'application/json');
    assert.equal(w.headers['transfer-encoding'], 'chunked');
    assert.equal((await rawRequest(client, 'POST', base, cm('w1', { case: 'one' }))).status, 201);
    assert.equal((await rawRequest(client, 'PATCH', `${base}/w1`, { data: { v: '2' } }, 'application/merge-patch+json')).status, 200);
    assert.equal((await rawRequest(client, 'POST', base, cm('w2', { case: 'one' }))).status, 201);
    assert.equal((await rawRequest(client, 'DELETE', `${base}?labelSelector=case%3Done`)).status, 200);
    await w.ended;
    const elapsed = Date.now() - started;
    assert.deepEqual(
      w.events.map((e) => [e.type, e.object.metadata?.name]),
      [['ADDED', 'w1'], ['MODIFIED', 'w1'], ['ADDED', 'w2'], ['DELETED', 'w1'], ['DELETED', 'w2']],
    );
    assert.equal((w.events[1]!.object as { data: { v: string } }).data.v, '2');
    const rvs = w.events.map((e) => Number(e.object.metadata?.resourceVersion));
    assert.deepEqual([...rvs].sort((a, b) => a - b), rvs, 'in resourceVersion order');
    assert.ok(elapsed >= 2900 && elapsed < 8000, `ended after ${elapsed} ms`);
  });

  it('resourceVersion unset sends the current state; a label change moves objects in and out of a selection', async () => {
    await rawRequest(client, 'POST', base, cm('s1', { tier: 'a' }));
    const w = await openWatch(client, `${base}?watch=true&labelSelector=tier%3Da&timeoutSeconds=5`);
    await w.waitFor(1);
    assert.deepEqual(w.events.map((e) => [e.type, e.object.metadata?.name]), [['ADDED', 's1']]);
    await rawRequest(client, 'PATCH', `${base}/s1`, { metadata: { labels: { tier: 'b' } } }, 'application/merge-patch+json');
    await rawRequest(client, 'PATCH', `${base}/s1`, { metadata: { labels: { tier: 'a' } } }, 'application/merge-patch+json');
    await w.waitFor(3);
    w.close();
    assert.deepEqual(w.events.map((e) => e.type), ['ADDED', 'DELETED', 'ADDED']);
    assert.equal(w.events[1]!.object.metadata?.name, 's1');
    await rawRequest(client, 'DELETE', `${base}/s1`);
  });

  it('sendInitialEvents ends the initial events with an annotated BOOKMARK; a Table watch sends columns once', async () => {
    await rawRequest(client, 'POST', base, cm('t1'));
    await rawRequest(client, 'POST', base, cm('t2'));
    const w = await openWatch(
      client,
      `${base}?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&fieldSelector=metadata.name%3Dt1&timeoutSeconds=2`,
    );
    await w.ended;
    assert.deepEqual(w.events.slice(0, 2).map((e) => e.type), ['ADDED', 'BOOKMARK']);
    assert.equal(w.events[1]!.object.metadata?.annotations?.['k8s.io/initial-events-end'], 'true');
    // What may follow before the timeout is a plain BOOKMARK at a newer resourceVersion.
    for (const e of w.events.slice(2)) {
      assert.equal(e.type, 'BOOKMARK');
      assert.equal(e.object.metadata?.annotations, undefined);
    }
    assert.equal(w.events[1]!.object.kind, 'ConfigMap');

    const t = await openWatch(client, `${base}?watch=true&timeoutSeconds=2&fieldSelector=metadata.name%21%3Ds1`, {
      Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json',
    });
    await t.ended;
    assert.ok(t.events.length >= 2);
    const tables = t.events.map((e) => e.object as { kind: string; columnDefinitions: unknown[] | null; rows: { cells: unknown[] }[] });
    assert.equal(tables[0]!.kind, 'Table');
    assert.ok(Array.isArray(tables[0]!.columnDefinitions) && tables[0]!.columnDefinitions.length > 0);
    assert.equal(tables[1]!.columnDefinitions, null);
    assert.equal(tables[1]!.rows.length, 1);
  });

  it('streams protobuf frames to a client that asks for them (client-go informers do)', async () => {
    const list = await rawRequest(client, 'GET', base);
    const rv = list.body.metadata.resourceVersion as string;
    const chunks: Buffer[] = [];
    const headers = await new Promise<Record<string, unknown>>((resolve, reject) => {
      const req = request(
        {
          host: client.server.hostname,
          port: client.server.port,
          path: `${base}?watch=true&resourceVersion=${rv}&timeoutSeconds=2`,
          ca: client.ca,
          cert: client.cert,
          key: client.key,
          headers: { Accept: 'application/vnd.kubernetes.protobuf;stream=watch, application/json;stream=watch' },
        },
        (res) => {
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve(res.headers));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end();
      setTimeout(() => void rawRequest(client, 'POST', base, cm('pb1')), 300);
    });
    assert.equal(headers['content-type'], 'application/vnd.kubernetes.protobuf;stream=watch');
    const stream = Buffer.concat(chunks);
    const events: { type: string; name: unknown; kind: unknown }[] = [];
    for (let offset = 0; offset < stream.length; ) {
      const frame = decodeWatchFrame(stream.subarray(offset));
      const object = decodeObject(frame.object);
      events.push({ type: frame.type, name: (object.metadata as { name?: string }).name, kind: object.kind });
      offset += frame.size;
    }
    assert.deepEqual(events, [{ type: 'ADDED', name: 'pb1', kind: 'ConfigMap' }]);
  });

  it('streams over HTTP/2 (no connection-specific headers there)', async () => {
    const list = await rawRequest(client, 'GET', base);
    const rv = list.body.metadata.resourceVersion as string;
    const session = connect(client.server.origin, { ca: client.ca, cert: client.cert, key: client.key });
    try {
      const stream = session.request({ ':path': `${base}?watch=true&resourceVersion=${rv}&timeoutSeconds=2` });
      let status = 0;
      let body = '';
      stream.on('response', (headers) => (status = Number(headers[':status'])));
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => (body += chunk));
      setTimeout(() => void rawRequest(client, 'POST', base, cm('h2')), 300);
      await new Promise<void>((resolve, reject) => {
        stream.on('end', resolve);
        stream.on('error', reject);
      });
      assert.equal(status, 200);
      const events = body.trim().split('\n').map((line) => JSON.parse(line) as { type: string; object: { metadata: { name: string } } });
      assert.deepEqual(events.map((e) => [e.type, e.object.metadata.name]), [['ADDED', 'h2']]);
    } finally {
      session.close();
    }
  });

  it('refuses bad watch options as kube does', async () => {
    const exact = await rawRequest(client, 'GET', `${base}?watch=true&resourceVersion=1&resourceVersionMatch=Exact`);
    assert.equal(exact.status, 422);
    assert.match(exact.body.message, /resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided/);
    const badSelector = await rawRequest(client, 'GET', `${base}?watch=true&fieldSelector=spec.x%3D1`);
    assert.equal(badSelector.status, 400);
  });

  const binary = findKubectl();
  it('kubectl get -w, --watch-only -o name, get <name> -w and delete --wait', { skip: binary ? false : 'no kubectl on PATH' }, async () => {
    const kubectl = new Kubectl(binary!, server.kubeconfigPath);
    await kubectl.ok(['create', '-f', '-', '--validate=false'], { input: 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: kw\n' });
    const create = (name: string) =>
      kubectl.ok(['create', '-f', '-', '--validate=false', '-n', 'kw'], { input: `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  x: "1"\n` });
    await create('k1');
    const table = kubectl.run(['get', 'configmaps', '-n', 'kw', '-w'], { timeoutMs: 6000 });
    const names = kubectl.run(['get', 'configmaps', '-n', 'kw', '--watch-only', '-o', 'name'], { timeoutMs: 6000 });
    const one = kubectl.run(['get', 'configmap', 'k1', '-n', 'kw', '-w'], { timeoutMs: 6000 });
    await new Promise((r) => setTimeout(r, 1500));
    await create('k2');
    await kubectl.ok(['patch', 'configmap', 'k1', '-n', 'kw', '--type', 'merge', '-p', '{"data":{"x":"2"}}']);
    await kubectl.ok(['delete', 'configmap', 'k2', '-n', 'kw', '--wait']);
    const [t, n, o] = await Promise.all([table, names, one]);
    const rows = t.stdout.trim().split('\n').map((l) => l.split(/\s+/)[0]);
    assert.deepEqual(rows, ['NAME', 'k1', 'k2', 'k1', 'k2'], t.stdout + t.stderr);
    assert.deepEqual(n.stdout.trim().split('\n'), ['configmap/k2', 'configmap/k1', 'configmap/k2'], n.stdout + n.stderr);
    assert.deepEqual(o.stdout.trim().split('\n').map((l) => l.split(/\s+/)[0]), ['NAME', 'k1', 'k1'], o.stdout + o.stderr);
    // delete namespace waits (through a watch) until the namespace is gone.
    const deleted = await kubectl.run(['delete', 'namespace', 'kw', '--wait', '--timeout=60s'], { timeoutMs: 70_000 });
    assert.equal(deleted.code, 0, deleted.stderr);
    const gone = await kubectl.run(['get', 'namespace', 'kw']);
    assert.match(gone.stderr, /NotFound/);
  });
});
