// Server-side apply and managedFields as kubectl 1.32 sees them, against the all-in-one server:
// `kubectl apply --server-side` creates, configures, conflicts with another manager (kubectl's
// own conflict text around kube's message) and forces; `--show-managed-fields` shows the entries
// kube writes for create, replace, patch and apply; client-side apply's create still works.

import assert from 'node:assert/strict';
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
    // Without --show-managed-fields kubectl hides them.
    assert.doesNotMatch(await kubectl.ok(['get', 'configmap', 'plain', '-n', 'ssa', '-o', 'yaml']), /managedFields/);
  });
});
