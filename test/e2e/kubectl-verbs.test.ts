// kubectl's everyday selection and deletion verbs against `kapi up`, with default (strict)
// validation: -A, -l, --field-selector, delete by name / -l / --all, and kube-apiserver's error
// messages for already exists, invalid objects and unknown fields.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type RunningServer, startUp } from '@kapi/cli';
import { Kubectl, findKubectl } from '../support/kubectl.js';
import { tempDir } from '../support/tmp.js';

const binary = findKubectl();
if (!binary) console.log('# skipping the kubectl verbs e2e: no kubectl on PATH');

const configMap = (ns: string, name: string, tier: string): string =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: ${ns}\n  labels:\n    tier: ${tier}\ndata:\n  k: ${name}\n`;

describe('kubectl selection and deletion verbs against kapi up', { skip: binary ? false : 'no kubectl on PATH' }, () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let server: RunningServer;
  let kubectl: Kubectl;

  before(async () => {
    dir = await tempDir('e2e-verbs');
    server = await startUp({ dataDir: dir.path, securePort: 0, bindAddress: '127.0.0.1', admissionWorkers: 1, quiet: true });
    kubectl = new Kubectl(binary!, server.kubeconfigPath);
    await kubectl.ok(['create', 'namespace', 'verbs-a']);
    await kubectl.ok(['create', 'namespace', 'verbs-b']);
    const manifests = [configMap('verbs-a', 'one', 'web'), configMap('verbs-a', 'two', 'db'), configMap('verbs-b', 'three', 'web')].join('---\n');
    await kubectl.ok(['create', '-f', '-'], { input: manifests });
  });

  after(async () => {
    await server?.stop();
    await dir.remove();
  });

  it('lists across namespaces (-A) with label and field selectors', async () => {
    const all = await kubectl.ok(['get', 'configmaps', '-A', '-l', 'tier=web', '--no-headers', '-o', 'custom-columns=NS:.metadata.namespace,NAME:.metadata.name']);
    assert.deepEqual(all.trim().split('\n').map((l) => l.trim().split(/\s+/)), [
      ['verbs-a', 'one'],
      ['verbs-b', 'three'],
    ]);
    const table = await kubectl.ok(['get', 'configmaps', '-A', '-l', 'tier']);
    assert.match(table, /^NAMESPACE\s+NAME\s+DATA\s+AGE\n/);
    const byField = await kubectl.ok(['get', 'configmaps', '-A', '--field-selector', 'metadata.name=two', '-o', 'name']);
    assert.equal(byField.trim(), 'configmap/two');
    const badField = await kubectl.run(['get', 'configmaps', '-n', 'verbs-a', '--field-selector', 'spec.nope=1']);
    assert.notEqual(badField.code, 0);
    assert.match(badField.stderr, /Error from server \(BadRequest\): Unable to find "\/v1, Resource=configmaps" that match label selector "", field selector "spec\.nope=1": "spec\.nope" is not a known field selector: only "metadata\.name", "metadata\.namespace"/);
  });

  it("answers kube-apiserver's errors for already exists, invalid objects and unknown fields", async () => {
    const exists = await kubectl.run(['create', '-f', '-'], { input: configMap('verbs-a', 'one', 'web') });
    assert.match(exists.stderr, /Error from server \(AlreadyExists\): error when creating "STDIN": configmaps "one" already exists/);
    const invalid = await kubectl.run(['create', '-f', '-'], { input: configMap('verbs-a', 'Bad_Name', 'x') });
    assert.match(invalid.stderr, /The ConfigMap "Bad_Name" is invalid: metadata\.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of/);
    const unknown = await kubectl.run(['create', '-f', '-'], { input: `${configMap('verbs-a', 'four', 'x')}spec:\n  nope: 1\n` });
    assert.match(unknown.stderr, /Error from server \(BadRequest\): error when creating "STDIN": ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "spec"/);
  });

  it('kubectl scale goes through the scale subresource', async () => {
    await kubectl.ok(['create', 'deployment', 'web', '--image=nginx', '-n', 'verbs-a']);
    assert.match(await kubectl.ok(['scale', 'deployment', 'web', '--replicas=4', '-n', 'verbs-a']), /deployment\.apps\/web scaled/);
    assert.equal(await kubectl.ok(['get', 'deployment', 'web', '-n', 'verbs-a', '-o', 'jsonpath={.spec.replicas}']), '4');
    const scale = JSON.parse(await kubectl.ok(['get', '--raw', '/apis/apps/v1/namespaces/verbs-a/deployments/web/scale'])) as { kind: string; spec: { replicas: number }; status: { selector: string } };
    assert.deepEqual([scale.kind, scale.spec.replicas, scale.status.selector], ['Scale', 4, 'app=web']);
  });

  it('deletes by name, by label selector and --all', async () => {
    assert.match(await kubectl.ok(['delete', 'configmap', 'two', '-n', 'verbs-a']), /configmap "two" deleted/);
    assert.match(await kubectl.ok(['delete', 'configmaps', '-l', 'tier=web', '-A']), /configmap "three" deleted/);
    assert.equal((await kubectl.ok(['get', 'configmaps', '-A', '-l', 'tier', '-o', 'name'])).trim(), '');
    await kubectl.ok(['create', 'configmap', 'five', '-n', 'verbs-b']);
    assert.match(await kubectl.ok(['delete', 'configmaps', '--all', '-n', 'verbs-b']), /configmap "five" deleted/);
    assert.equal((await kubectl.ok(['get', 'configmaps', '-n', 'verbs-b', '-o', 'name'])).trim(), '');
    const missing = await kubectl.run(['delete', 'configmap', 'gone', '-n', 'verbs-a']);
    assert.match(missing.stderr, /Error from server \(NotFound\): configmaps "gone" not found/);
  });
});
