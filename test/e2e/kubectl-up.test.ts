// `kapi up` driven by kubectl: the all-in-one server on SQLite, with a restart in the middle.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type RunningServer, startUp } from '@kapi/cli';
import { Kubectl, findKubectl } from '../support/kubectl.js';
import { checkDemoObjects, createDemoObjects, deleteDemoObjects, replaceAndConflict } from '../support/scenario.js';
import { tempDir } from '../support/tmp.js';

const binary = findKubectl();
if (!binary) console.log('# skipping kubectl e2e against kapi up: no kubectl on PATH');

describe('kubectl against kapi up', { skip: binary ? false : 'no kubectl on PATH' }, () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let server: RunningServer | undefined;
  let kubectl: Kubectl;

  const start = async (): Promise<void> => {
    server = await startUp({ dataDir: dir.path, securePort: 0, bindAddress: '127.0.0.1', admissionWorkers: 1, quiet: true });
    kubectl = new Kubectl(binary!, server.kubeconfigPath);
  };

  before(async () => {
    dir = await tempDir('e2e-up');
    await start();
  });

  after(async () => {
    await server?.stop();
    await dir.remove();
  });

  it('reports a 1.36 server and the system namespaces', async () => {
    const version = JSON.parse(await kubectl.ok(['version', '-o', 'json'])) as { serverVersion: { major: string; minor: string; gitVersion: string } };
    assert.equal(version.serverVersion.major, '1');
    assert.equal(version.serverVersion.minor, '36');
    const namespaces = await kubectl.ok(['get', 'namespaces', '-o', 'name']);
    for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) assert.ok(namespaces.includes(`namespace/${ns}`), namespaces);
  });

  it('creates, gets, replaces (with a stale conflict) and keeps objects across a restart', async () => {
    await createDemoObjects(kubectl, 'demo');
    await checkDemoObjects(kubectl, 'demo');
    await replaceAndConflict(kubectl, 'demo', dir.path);

    await server!.stop();
    server = undefined;
    await start();
    await checkDemoObjects(kubectl, 'demo');
    assert.equal(await kubectl.ok(['get', 'configmap', 'settings', '-n', 'demo', '-o', 'jsonpath={.data.mode}']), 'green');
  });

  it('deletes objects', async () => {
    await deleteDemoObjects(kubectl, 'demo');
  });

  it('answers kube-apiserver errors for bad requests', async () => {
    const missing = await kubectl.run(['get', 'configmap', 'nope', '-n', 'default']);
    assert.match(missing.stderr, /Error from server \(NotFound\): configmaps "nope" not found/);
    const noNamespace = await kubectl.run(['create', '-f', '-', '--validate=false'], {
      input: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  namespace: no-such-namespace\n',
    });
    assert.match(noNamespace.stderr, /namespaces "no-such-namespace" not found/);
    const invalid = await kubectl.run(['create', '-f', '-', '--validate=false'], {
      input: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Bad_Name\n',
    });
    assert.match(invalid.stderr, /ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain/);
  });
});
