// application/vnd.kubernetes.protobuf end to end: kubectl 1.32's `create <kind>` commands send
// protobuf bodies (and never fall back to JSON after a 415); client-go asks for protobuf replies.
// Objects created from protobuf must read back as the JSON-created ones do.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { after, before, describe, it } from 'node:test';
import { type RunningServer, startUp } from '@kapi/cli';
import { decodeObject, encodeEnvelope, encodeObject } from '@kapi/schema';
import { Kubectl, findKubectl } from '../support/kubectl.js';
import { tempDir } from '../support/tmp.js';

const PROTOBUF = 'application/vnd.kubernetes.protobuf';
const binary = findKubectl();
if (!binary) console.log('# skipping protobuf kubectl e2e: no kubectl on PATH');

interface Credentials {
  ca: Buffer;
  cert: Buffer;
  key: Buffer;
}

function credentialsOf(kubeconfigPath: string): Credentials {
  const text = readFileSync(kubeconfigPath, 'utf8');
  const field = (name: string): Buffer => {
    const m = new RegExp(`${name}:\\s*"?([A-Za-z0-9+/=]+)`).exec(text);
    if (!m) throw new Error(`kubeconfig has no ${name}`);
    return Buffer.from(m[1]!, 'base64');
  };
  return { ca: field('certificate-authority-data'), cert: field('client-certificate-data'), key: field('client-key-data') };
}

interface RawReply {
  status: number;
  contentType: string;
  body: Buffer;
}

function raw(port: number, creds: Credentials, method: string, path: string, headers: Record<string, string>, body?: Uint8Array): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const allHeaders = body ? { ...headers, 'Content-Length': String(body.length) } : headers;
    const req = request({ host: '127.0.0.1', port, method, path, headers: allHeaders, ca: creds.ca, cert: creds.cert, key: creds.key, timeout: 30_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end(body);
  });
}

describe('protobuf against kapi up', { skip: binary ? false : 'no kubectl on PATH' }, () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let server: RunningServer;
  let kubectl: Kubectl;
  let creds: Credentials;

  before(async () => {
    dir = await tempDir('e2e-protobuf');
    server = await startUp({ dataDir: dir.path, securePort: 0, bindAddress: '127.0.0.1', admissionWorkers: 1, quiet: true });
    kubectl = new Kubectl(binary!, server.kubeconfigPath);
    creds = credentialsOf(server.kubeconfigPath);
  });

  after(async () => {
    await server?.stop();
    await dir?.remove();
  });

  const getJSON = async (args: string[]): Promise<Record<string, any>> => JSON.parse(await kubectl.ok(['get', ...args, '-o', 'json'])) as Record<string, any>;

  it('kubectl create <kind> (protobuf bodies) succeeds for every generator', async () => {
    const ns = await kubectl.run(['create', 'namespace', 'x', '-v=8']);
    assert.equal(ns.code, 0, ns.stderr);
    assert.match(ns.stderr, /Content-Type: application\/vnd\.kubernetes\.protobuf/, 'kubectl sent a protobuf body');
    await kubectl.ok(['create', 'configmap', 'c', '--from-literal=a=b', '-n', 'x']);
    await kubectl.ok(['create', 'secret', 'generic', 's', '--from-literal=p=q', '-n', 'x']);
    await kubectl.ok(['create', 'serviceaccount', 'sa', '-n', 'x']);
    await kubectl.ok(['create', 'deployment', 'd', '--image=nginx', '-n', 'x']);
    await kubectl.ok(['create', 'clusterrole', 'r', '--verb=get', '--resource=pods']);

    assert.equal(await kubectl.ok(['get', 'configmap', 'c', '-n', 'x', '-o', 'jsonpath={.data.a}']), 'b');
    assert.equal(await kubectl.ok(['get', 'secret', 's', '-n', 'x', '-o', 'jsonpath={.data.p}']), Buffer.from('q').toString('base64'));
    assert.match(await kubectl.ok(['get', 'serviceaccount', 'sa', '-n', 'x', '-o', 'name']), /serviceaccount\/sa/);
    assert.deepEqual((await getJSON(['clusterrole', 'r'])).rules, [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }]);
    assert.equal((await getJSON(['namespace', 'x'])).status.phase, 'Active');
  });

  it('protobuf-created objects read back as the JSON-created ones', async () => {
    await kubectl.ok(['create', 'namespace', 'y', '--dry-run=client', '-o', 'json']).then((json) => kubectl.ok(['create', '-f', '-', '--validate=false'], { input: json }));
    const viaJSON = await kubectl.ok(['create', 'deployment', 'd', '--image=nginx', '-n', 'y', '--dry-run=client', '-o', 'json']);
    await kubectl.ok(['create', '-f', '-', '--validate=false'], { input: viaJSON });
    const fromProto = await getJSON(['deployment', 'd', '-n', 'x']);
    const fromJSON = await getJSON(['deployment', 'd', '-n', 'y']);
    assert.deepEqual(fromProto.spec, fromJSON.spec);
    assert.deepEqual(fromProto.metadata.labels, fromJSON.metadata.labels);
    const nsProto = await getJSON(['namespace', 'x']);
    const nsJSON = await getJSON(['namespace', 'y']);
    assert.deepEqual(nsProto.spec, nsJSON.spec);
    assert.deepEqual(nsProto.status, nsJSON.status);

    await kubectl.ok(['create', '-f', '-', '--validate=false'], { input: await kubectl.ok(['create', 'configmap', 'c', '--from-literal=a=b', '-n', 'y', '--dry-run=client', '-o', 'json']) });
    assert.deepEqual((await getJSON(['configmap', 'c', '-n', 'x'])).data, (await getJSON(['configmap', 'c', '-n', 'y'])).data);
    await kubectl.ok(['create', '-f', '-', '--validate=false'], { input: await kubectl.ok(['create', 'secret', 'generic', 's', '--from-literal=p=q', '-n', 'y', '--dry-run=client', '-o', 'json']) });
    const secretProto = await getJSON(['secret', 's', '-n', 'x']);
    const secretJSON = await getJSON(['secret', 's', '-n', 'y']);
    assert.deepEqual(secretProto.data, secretJSON.data);
    assert.equal(secretProto.type, secretJSON.type);
    // kubectl get (Table over JSON) lists both.
    assert.match(await kubectl.ok(['get', 'deployments', '-A']), /x\s+d\s/);
  });

  it('answers protobuf to clients that accept it: objects, lists, Status errors', async () => {
    const accept = { Accept: `${PROTOBUF}, application/json` };
    const one = await raw(server.port, creds, 'GET', '/api/v1/namespaces/x/configmaps/c', accept);
    assert.equal(one.status, 200);
    assert.equal(one.contentType, PROTOBUF);
    const cm = decodeObject(one.body);
    assert.equal(cm.kind, 'ConfigMap');
    assert.equal(cm.apiVersion, 'v1');
    assert.deepEqual(cm.data, { a: 'b' });
    assert.equal((cm.metadata as Record<string, unknown>).name, 'c');

    const list = await raw(server.port, creds, 'GET', '/apis/apps/v1/namespaces/x/deployments', accept);
    assert.equal(list.status, 200);
    const deployments = decodeObject(list.body);
    assert.equal(deployments.kind, 'DeploymentList');
    const items = deployments.items as Record<string, any>[];
    assert.equal(items.length, 1);
    assert.equal(items[0]!.spec.template.spec.containers[0].image, 'nginx');

    const secret = decodeObject((await raw(server.port, creds, 'GET', '/api/v1/namespaces/x/secrets/s', accept)).body);
    assert.deepEqual(secret.data, { p: Buffer.from('q').toString('base64') });

    const missing = await raw(server.port, creds, 'GET', '/api/v1/namespaces/x/configmaps/nope', accept);
    assert.equal(missing.status, 404);
    assert.equal(missing.contentType, PROTOBUF);
    const status = decodeObject(missing.body);
    assert.equal(status.kind, 'Status');
    assert.equal(status.reason, 'NotFound');
    assert.equal(status.message, 'configmaps "nope" not found');
    assert.equal(status.code, 404);

    // JSON clients are unaffected.
    const json = await raw(server.port, creds, 'GET', '/api/v1/namespaces/x/configmaps/c', { Accept: 'application/json' });
    assert.equal(json.contentType, 'application/json');
    assert.equal((JSON.parse(json.body.toString('utf8')) as Record<string, any>).data.a, 'b');
  });

  it('creates, updates and deletes with protobuf bodies; malformed bodies get kube 400s', async () => {
    const headers = { 'Content-Type': PROTOBUF, Accept: PROTOBUF };
    const body = encodeObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'raw', namespace: 'x' }, binaryData: { bin: Buffer.from([0, 1, 2, 255]).toString('base64') } });
    const created = await raw(server.port, creds, 'POST', '/api/v1/namespaces/x/configmaps', headers, body);
    assert.equal(created.status, 201, created.body.toString());
    const cm = decodeObject(created.body);
    assert.deepEqual(cm.binaryData, { bin: 'AAEC/w==' });
    (cm as Record<string, any>).data = { k: 'v' };
    const updated = await raw(server.port, creds, 'PUT', '/api/v1/namespaces/x/configmaps/raw', headers, encodeObject(cm));
    assert.equal(updated.status, 200, updated.body.toString());
    assert.deepEqual(decodeObject(updated.body).data, { k: 'v' });

    const deleteOptions = encodeObject({ apiVersion: 'meta.k8s.io/v1', kind: 'DeleteOptions', propagationPolicy: 'Background' });
    const deleted = await raw(server.port, creds, 'DELETE', '/api/v1/namespaces/x/configmaps/raw', headers, deleteOptions);
    assert.equal(deleted.status, 200, deleted.body.toString());

    const jsonAccept = { 'Content-Type': PROTOBUF, Accept: 'application/json' };
    const noPrefix = await raw(server.port, creds, 'POST', '/api/v1/namespaces/x/configmaps', jsonAccept, Buffer.from('{"kind":"ConfigMap"}'));
    assert.equal(noPrefix.status, 400);
    assert.equal(
      (JSON.parse(noPrefix.body.toString()) as { message: string }).message,
      'the object provided is unrecognized (must be of type ConfigMap): provided data does not appear to be a protobuf message, expected prefix [107 56 115 0] ({"kind":"ConfigMap"})',
    );
    const truncated = await raw(server.port, creds, 'POST', '/api/v1/namespaces/x/configmaps', jsonAccept, encodeEnvelope('v1', 'ConfigMap', Uint8Array.of(0x0a, 0x10, 0x0a)));
    assert.equal(truncated.status, 400);
    assert.equal((JSON.parse(truncated.body.toString()) as { message: string }).message, 'ConfigMap in version "v1" cannot be handled as a ConfigMap: unexpected EOF');
    const wrongKind = await raw(server.port, creds, 'POST', '/api/v1/namespaces/x/configmaps', jsonAccept, encodeObject({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'z' } }));
    assert.equal(wrongKind.status, 400);
    assert.equal(
      (JSON.parse(wrongKind.body.toString()) as { message: string }).message,
      'Secret in version "v1" cannot be handled as a ConfigMap: converting (v1.Secret) to (core.ConfigMap): unknown conversion',
    );
  });
});
