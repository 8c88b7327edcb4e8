// Server-side apply and managedFields as kubectl 1.32 sees them, against the all-in-one server:
// `kubectl apply --server-side` creates, configures, conflicts with another manager (kubectl's
// own conflict text around kube's message) and forces; `--show-managed-fields` shows the entries
// kube writes for create, replace, patch and apply; client-side apply's create still works.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { after, before, describe, it } from 'node:test';
import { type RunningServer, startUp } from '@kapi/cli';
import { parse } from 'yaml';
import { Kubectl, findKubectl } from '../support/kubectl.js';
import { tempDir } from '../support/tmp.js';

const binary = findKubectl();
if (!binary) console.log('# skipping server-side apply e2e: no kubectl on PATH');

const deployment = (replicas: number, image = 'nginx:1.27') => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: ssa
spec:
  replicas: ${replicas}
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: ${image}
`;

interface Entry {
  manager: string;
  operation: string;
  apiVersion: string;
  time: string;
  fieldsType: string;
  fieldsV1: Record<string, unknown>;
  subresource?: string;
}

describe('server-side apply with kubectl', { skip: binary ? false : 'no kubectl on PATH' }, () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let server: RunningServer | undefined;
  let kubectl: Kubectl;

  const managedFields = async (resource: string, name: string): Promise<Entry[]> => {
    const yaml = await kubectl.ok(['get', resource, name, '-n', 'ssa', '-o', 'yaml', '--show-managed-fields']);
    return (parse(yaml) as { metadata: { managedFields: Entry[] } }).metadata.managedFields;
  };

  before(async () => {
    dir = await tempDir('e2e-ssa');
    server = await startUp({ dataDir: dir.path, securePort: 0, bindAddress: '127.0.0.1', admissionWorkers: 1, quiet: true });
    kubectl = new Kubectl(binary!, server.kubeconfigPath);
    await kubectl.ok(['create', '--validate=false', '-f', '-'], { input: 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ssa\n' });
  });

  after(async () => {
    await server?.stop();
    await dir.remove();
  });

  it('creates, configures, conflicts with another manager and forces', async () => {
    assert.equal((await kubectl.ok(['apply', '--server-side', '--validate=false', '-f', '-'], { input: deployment(1) })).trim(), 'deployment.apps/web serverside-applied');
    let entries = await managedFields('deployment', 'web');
    assert.deepEqual(
      entries.map((e) => [e.manager, e.operation, e.apiVersion, e.fieldsType]),
      [['kubectl', 'Apply', 'apps/v1', 'FieldsV1']],
    );
    assert.match(entries[0]!.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.deepEqual(entries[0]!.fieldsV1, {
      'f:spec': {
        'f:replicas': {},
        'f:selector': {},
        'f:template': {
          'f:metadata': { 'f:labels': { 'f:app': {} } },
          'f:spec': { 'f:containers': { 'k:{"name":"web"}': { '.': {}, 'f:image': {}, 'f:name': {} } } },
        },
      },
    });
    const rv = await kubectl.ok(['get', 'deployment', 'web', '-n', 'ssa', '-o', 'jsonpath={.metadata.resourceVersion}']);
    // Unchanged: nothing is written.
    await kubectl.ok(['apply', '--server-side', '--validate=false', '-f', '-'], { input: deployment(1) });
    assert.equal(await kubectl.ok(['get', 'deployment', 'web', '-n', 'ssa', '-o', 'jsonpath={.metadata.resourceVersion}']), rv);

    assert.equal((await kubectl.ok(['apply', '--server-side', '--validate=false', '-f', '-'], { input: deployment(1, 'nginx:1.28') })).trim(), 'deployment.apps/web serverside-applied');
    assert.equal(await kubectl.ok(['get', 'deployment', 'web', '-n', 'ssa', '-o', 'jsonpath={.spec.template.spec.containers[0].image}']), 'nginx:1.28');

    const conflict = await kubectl.run(['apply', '--server-side', '--validate=false', '--field-manager=deployer', '-f', '-'], { input: deployment(3, 'nginx:1.28') });
    assert.notEqual(conflict.code, 0);
    assert.match(conflict.stderr, /^error: Apply failed with 1 conflict: conflict with "kubectl": \.spec\.replicas\n/);
    assert.match(conflict.stderr, /re-run the apply\s+command with the `--force-conflicts` flag/);

    const forced = await kubectl.ok(['apply', '--server-side', '--validate=false', '--field-manager=deployer', '--force-conflicts', '-f', '-'], { input: deployment(3, 'nginx:1.28') });
    assert.equal(forced.trim(), 'deployment.apps/web serverside-applied');
    assert.equal(await kubectl.ok(['get', 'deployment', 'web', '-n', 'ssa', '-o', 'jsonpath={.spec.replicas}']), '3');
    entries = await managedFields('deployment', 'web');
    const kubectlSet = entries.find((e) => e.manager === 'kubectl')!.fieldsV1 as { 'f:spec': Record<string, unknown> };
    assert.equal(kubectlSet['f:spec']['f:replicas'], undefined, 'the forced field changed owner');
    assert.deepEqual(entries.find((e) => e.manager === 'deployer')!.operation, 'Apply');
  });

  it('conflicts with a client-side apply name kube\'s Update manager and version', async () => {
    const cm = (value: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: ssa\ndata:\n  mode: ${value}\n`;
    assert.equal((await kubectl.ok(['apply', '--validate=false', '-f', '-'], { input: cm('blue') })).trim(), 'configmap/settings created');
    const entries = await managedFields('configmap', 'settings');
    assert.deepEqual(
      entries.map((e) => [e.manager, e.operation, e.apiVersion]),
      [['kubectl-client-side-apply', 'Update', 'v1']],
    );
    assert.deepEqual(entries[0]!.fieldsV1, {
      'f:data': { '.': {}, 'f:mode': {} },
      'f:metadata': { 'f:annotations': { '.': {}, 'f:kubectl.kubernetes.io/last-applied-configuration': {} } },
    });
    const conflict = await kubectl.run(['apply', '--server-side', '--validate=false', '--field-manager=ssa-user', '-f', '-'], { input: cm('green') });
    assert.match(conflict.stderr, /^error: Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using v1: \.data\.mode\n/);
 
    // kubectl itself may move the object to server-side apply: the fields still as it applied
    // them client-side are taken over, and its annotation follows.
    assert.equal((await kubectl.ok(['apply', '--server-side', '--validate=false', '-f', '-'], { input: cm('green') })).trim(), 'configmap/settings serverside-applied');
    const lastApplied = await kubectl.ok(['get', 'configmap', 'settings', '-n', 'ssa', '-o', 'jsonpath={.metadata.annotations.kubectl\\.kubernetes\\.io/last-applied-configuration}']);
    assert.equal(JSON.parse(lastApplied).data.mode, 'green');
    const after = await managedFields('configmap', 'settings');
    assert.deepEqual(after.find((e) => e.manager === 'kubectl')?.fieldsV1, { 'f:data': { 'f:mode': {} } });
  });

  it('shows kube-shaped entries after create, replace and patch', async () => {
    await kubectl.ok(['create', '--validate=false', '-f', '-'], { input: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: plain\n  namespace: ssa\ndata:\n  a: "1"\n' });
    let entries = await managedFields('configmap', 'plain');
    assert.deepEqual(entries.map((e) => [e.manager, e.operation]), [['kubectl-create', 'Update']]);
    assert.deepEqual(entries[0]!.fieldsV1, { 'f:data': { '.': {}, 'f:a': {} } });

    const current = await kubectl.ok(['get', 'configmap', 'plain', '-n', 'ssa', '-o', 'json']);
    const replaced = JSON.parse(current) as { data: Record<string, string> };
    replaced.data.b = '2';
    await kubectl.ok(['replace', '--validate=false', '-f', '-'], { input: JSON.stringify(replaced) });
    entries = await managedFields('configmap', 'plain');
    assert.deepEqual(entries.map((e) => e.manager), ['kubectl-create', 'kubectl-replace']);
    assert.deepEqual(entries[1]!.fieldsV1, { 'f:data': { 'f:b': {} } });

    await kubectl.ok(['patch', 'configmap', 'plain', '-n', 'ssa', '--type=merge', '-p', '{"data":{"c":"3"}}']);
    await kubectl.ok(['label', 'configmap', 'plain', '-n', 'ssa', 'tier=web']);
    entries = await managedFields('configmap', 'plain');
    assert.deepEqual(entries.find((e) => e.manager === 'kubectl-label')?.fieldsV1, { 'f:metadata': { 'f:labels': { '.': {}, 'f:tier': {} } } });
    const patchEntry = entries.find((e) => e.manager === 'kubectl-patch')!;
    assert.equal(patchEntry.operation, 'Update');
    assert.deepEqual(patchEntry.fieldsV1, { 'f:data': { 'f:c': {} } });
    // Fields the server defaults belong to the manager that created the object, as kube defaults
    // while decoding the request.
    await kubectl.ok(['create', '--validate=false', '-f', '-'], { input: deployment(1).replace('name: web\n  namespace', 'name: made\n  namespace') });
    const created = await managedFields('deployment', 'made');
    assert.deepEqual(created.map((e) => [e.manager, e.operation]), [['kubectl-create', 'Update']]);
    const spec = (created[0]!.fieldsV1 as { 'f:spec': Record<string, unknown> })['f:spec'];
    assert.ok('f:replicas' in spec && 'f:template' in spec, JSON.stringify(spec));
    // Without --show-managed-fields kubectl hides them.
    assert.doesNotMatch(await kubectl.ok(['get', 'configmap', 'plain', '-n', 'ssa', '-o', 'yaml']), /managedFields/);
  });
});

/** One HTTPS request with the admin credentials of a kubeconfig kapi wrote. */
function call(kubeconfigPath: string, method: string, path: string, headers: Record<string, string>, body?: string): Promise<{ code: number; body: string }> {
  const config = parse(readFileSync(kubeconfigPath, 'utf8')) as {
    clusters: { cluster: { server: string; 'certificate-authority-data': string } }[];
    users: { user: { 'client-certificate-data': string; 'client-key-data': string } }[];
  };
  const cluster = config.clusters[0]!.cluster;
  const user = config.users[0]!.user;
  const url = new URL(path, cluster.server);
  const b64 = (s: string) => Buffer.from(s, 'base64');
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, ca: b64(cluster['certificate-authority-data']), cert: b64(user['client-certificate-data']), key: b64(user['client-key-data']) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ code: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

// What @kubernetes/client-node sends for a server-side apply (patchNamespaced* with the
// Content-Type application/apply-patch+yaml, the object serialized as JSON, fieldManager and
// force in the query).
describe('server-side apply as @kubernetes/client-node sends it', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let server: RunningServer | undefined;
  const path = '/apis/apps/v1/namespaces/default/deployments/api';
  const headers = { 'content-type': 'application/apply-patch+yaml', accept: 'application/json', 'user-agent': 'node-fetch' };
  const body = (replicas: number) =>
    JSON.stringify({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'api', namespace: 'default' }, spec: { replicas, selector: { matchLabels: { app: 'api' } }, template: { metadata: { labels: { app: 'api' } }, spec: { containers: [{ name: 'api', image: 'nginx' }] } } } });

  before(async () => {
    dir = await tempDir('e2e-ssa-http');
    server = await startUp({ dataDir: dir.path, securePort: 0, bindAddress: '127.0.0.1', admissionWorkers: 1, quiet: true });
  });

  after(async () => {
    await server?.stop();
    await dir.remove();
  });

  it('creates, conflicts (409 Status with FieldManagerConflict causes), forces, and requires a field manager', async () => {
    const kc = server!.kubeconfigPath;
    const created = await call(kc, 'PATCH', `${path}?fieldManager=client-a`, headers, body(1));
    assert.equal(created.code, 201, created.body);
    const object = JSON.parse(created.body) as { metadata: { managedFields: Entry[] } };
    assert.deepEqual(object.metadata.managedFields.map((e) => [e.manager, e.operation]), [['client-a', 'Apply']]);

    const conflict = await call(kc, 'PATCH', `${path}?fieldManager=client-b`, headers, body(2));
    assert.equal(conflict.code, 409);
    assert.deepEqual(JSON.parse(conflict.body), {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'Apply failed with 1 conflict: conflict with "client-a": .spec.replicas',
      reason: 'Conflict',
      details: { causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "client-a"', field: '.spec.replicas' }] },
      code: 409,
    });

    const forced = await call(kc, 'PATCH', `${path}?fieldManager=client-b&force=true`, headers, body(2));
    assert.equal(forced.code, 200, forced.body);
    assert.equal((JSON.parse(forced.body) as { spec: { replicas: number } }).spec.replicas, 2);

    const missing = await call(kc, 'PATCH', path, headers, body(2));
    assert.equal(missing.code, 422);
    assert.equal((JSON.parse(missing.body) as { message: string }).message, 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch');
  });
});
