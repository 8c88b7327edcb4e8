// kubectl's patching commands against `kapi up`: `kubectl patch` with strategic (the default),
// merge and json patches, label/annotate, edit with a scripted editor, client-side apply (create,
// three-way "configured", "unchanged", a field dropped from the manifest), set image, rollout
// restart and scale; and kube-apiserver's errors for bad strategic merge patches as kubectl
// prints them.

import assert from 'node:assert/strict';
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type RunningServer, startUp } from '@kapi/cli';
import { Kubectl, findKubectl } from '../support/kubectl.js';
import { tempDir } from '../support/tmp.js';

const binary = findKubectl();
if (!binary) console.log('# skipping kubectl patch e2e: no kubectl on PATH');

const NS = 'patching';

const deployment = (opts: { image?: string; env?: Record<string, string>; labels?: Record<string, string> } = {}): string => {
  const env = Object.entries(opts.env ?? { A: '1', B: '2' })
    .map(([name, value]) => `            - name: ${name}\n              value: "${value}"\n`)
    .join('');
  const labels = Object.entries(opts.labels ?? { app: 'web' })
    .map(([k, v]) => `    ${k}: ${v}\n`)
    .join('');
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: ${NS}
  labels:
${labels}spec:
  replicas: 1
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: app
          image: ${opts.image ?? 'nginx:1'}
          env:
${env}        - name: sidecar
          image: busybox:1
`;
};

interface Container {
  name: string;
  image: string;
  env?: { name: string; value?: string }[];
}

describe('kubectl patching commands against kapi up', { skip: binary ? false : 'no kubectl on PATH' }, () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let server: RunningServer | undefined;
  let kubectl: Kubectl;

  const getJSON = async <T = Record<string, unknown>>(...args: string[]): Promise<T> => JSON.parse(await kubectl.ok(['get', ...args, '-n', NS, '-o', 'json'])) as T;
  const containers = async (): Promise<Container[]> =>
    (await getJSON<{ spec: { template: { spec: { containers: Container[] } } } }>('deployment', 'web')).spec.template.spec.containers;
  const configMap = async (name: string) => getJSON<{ data?: Record<string, string>; metadata: { labels?: Record<string, string>; annotations?: Record<string, string> } }>('configmap', name);

  before(async () => {
    dir = await tempDir('e2e-patch');
    server = await startUp({ dataDir: dir.path, securePort: 0, bindAddress: '127.0.0.1', admissionWorkers: 1, quiet: true });
    kubectl = new Kubectl(binary!, server.kubeconfigPath);
    // (`kubectl create namespace|configmap` send protobuf, which is another branch's work.)
    await kubectl.ok(['create', '-f', '-', '--validate=false'], { input: `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${NS}\n` });
    await kubectl.ok(['create', '-f', '-', '--validate=false'], { input: deployment() });
    await kubectl.ok(['create', '-f', '-', '--validate=false'], {
      input: `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: ${NS}\ndata:\n  mode: green\n  size: small\n`,
    });
  });

  after(async () => {
    await server?.stop();
    await dir?.remove();
  });

  it('kubectl patch (strategic, the default) merges containers and env by name', async () => {
    const out = await kubectl.ok([
      'patch', 'deployment', 'web', '-n', NS,
      '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"app","image":"nginx:2","env":[{"name":"C","value":"3"},{"name":"A","value":"one"}]}]}}}}',
    ]);
    assert.equal(out.trim(), 'deployment.apps/web patched');
    const [app, sidecar] = await containers();
    assert.equal(app!.image, 'nginx:2');
    // Patch items first in patch order, then the server-only B (kube's mergeSortedSlice).
    assert.deepEqual(app!.env, [
      { name: 'C', value: '3' },
      { name: 'A', value: 'one' },
      { name: 'B', value: '2' },
    ]);
    assert.deepEqual(sidecar, { ...sidecar, name: 'sidecar', image: 'busybox:1' });

    // $patch: delete removes one env entry; a null removes a field.
    await kubectl.ok([
      'patch', 'deployment', 'web', '-n', NS, '--type', 'strategic',
      '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"app","env":[{"name":"C","$patch":"delete"}]}]}}}}',
    ]);
    assert.deepEqual((await containers())[0]!.env, [
      { name: 'A', value: 'one' },
      { name: 'B', value: '2' },
    ]);
    // A patch that changes nothing is reported as such.
    const same = await kubectl.ok(['patch', 'deployment', 'web', '-n', NS, '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"app","image":"nginx:2"}]}}}}']);
    assert.equal(same.trim(), 'deployment.apps/web patched (no change)');
  });

  it('kubectl patch --type merge replaces the containers list; --type json edits by index', async () => {
    await kubectl.ok(['patch', 'configmap', 'settings', '-n', NS, '--type', 'merge', '-p', '{"data":{"mode":"blue","size":null}}']);
    assert.deepEqual((await configMap('settings')).data, { mode: 'blue' });
    await kubectl.ok(['patch', 'configmap', 'settings', '-n', NS, '--type', 'json', '-p', '[{"op":"add","path":"/data/extra","value":"x"},{"op":"replace","path":"/data/mode","value":"red"}]']);
    assert.deepEqual((await configMap('settings')).data, { mode: 'red', extra: 'x' });
    await kubectl.ok(['patch', 'configmap', 'settings', '-n', NS, '-p', '{"data":{"extra":null,"strategic":"yes"}}']);
    assert.deepEqual((await configMap('settings')).data, { mode: 'red', strategic: 'yes' });

    await kubectl.ok(['patch', 'deployment', 'web', '-n', NS, '--type', 'json', '-p', '[{"op":"replace","path":"/spec/template/spec/containers/1/image","value":"busybox:2"}]']);
    assert.equal((await containers())[1]!.image, 'busybox:2');
    // A merge patch has no merge keys: the list is replaced wholesale.
    await kubectl.ok(['patch', 'deployment', 'web', '-n', NS, '--type', 'merge', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"only","image":"nginx:9"}]}}}}']);
    assert.deepEqual(
      (await containers()).map((c) => [c.name, c.image]),
      [['only', 'nginx:9']],
    );
  });

  it('kube-apiserver\'s errors for bad strategic merge patches', async () => {
    const noKey = await kubectl.run(['patch', 'deployment', 'web', '-n', NS, '-p', '{"spec":{"template":{"spec":{"containers":[{"image":"x"}]}}}}']);
    assert.notEqual(noKey.code, 0);
    assert.match(noKey.stderr, /Error from server \(BadRequest\): map: map\[image:x\] does not contain declared merge key: name/);
    const retain = await kubectl.run(['patch', 'deployment', 'web', '-n', NS, '-p', '{"spec":{"template":{"spec":{"volumes":[{"name":"v","$retainKeys":"name"}]}}}}']);
    // The original has no volumes: the list is taken as is, $retainKeys included, and dropped
    // as an unknown field — so a retainKeys error needs a live map to apply to.
    assert.equal(retain.code, 0, retain.stderr);
    const badRetain = await kubectl.run(['patch', 'deployment', 'web', '-n', NS, '-p', '{"spec":{"selector":{"$retainKeys":"matchLabels"}}}']);
    assert.match(badRetain.stderr, /Error from server \(BadRequest\): invalid patch format of retainKeys/);
    const badDirective = await kubectl.run(['patch', 'configmap', 'settings', '-n', NS, '-p', '{"data":{"$patch":"merge"}}']);
    assert.match(badDirective.stderr, /Error from server \(BadRequest\): unknown patch type: merge in map: map\[\$patch:merge\]/);
    const order = await kubectl.run(['patch', 'deployment', 'web', '-n', NS, '-p', '{"spec":{"template":{"spec":{"$setElementOrder/containers":"x"}}}}']);
    assert.match(order.stderr, /Error from server \(BadRequest\): expected a \[\]interface \{\}, but received a string/);
    // Nothing was written by the failures.
    assert.deepEqual(
      (await containers()).map((c) => [c.name, c.image]),
      [['only', 'nginx:9']],
    );
  });

  it('kubectl label and annotate: add, refuse to overwrite, --overwrite, remove with key-', async () => {
    assert.equal((await kubectl.ok(['label', 'configmap', 'settings', '-n', NS, 'tier=backend'])).trim(), 'configmap/settings labeled');
    const refused = await kubectl.run(['label', 'configmap', 'settings', '-n', NS, 'tier=frontend']);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /'tier' already has a value \(backend\), and --overwrite is false/);
    await kubectl.ok(['label', 'configmap', 'settings', '-n', NS, 'tier=frontend', '--overwrite']);
    assert.equal((await configMap('settings')).metadata.labels?.tier, 'frontend');
    assert.equal((await kubectl.ok(['label', 'configmap', 'settings', '-n', NS, 'tier-'])).trim(), 'configmap/settings unlabeled');
    assert.equal((await configMap('settings')).metadata.labels?.tier, undefined);

    assert.equal((await kubectl.ok(['annotate', 'configmap', 'settings', '-n', NS, 'owner=team-a'])).trim(), 'configmap/settings annotated');
    const refusedNote = await kubectl.run(['annotate', 'configmap', 'settings', '-n', NS, 'owner=team-b']);
    assert.match(refusedNote.stderr, /--overwrite is false but found the following declared annotation\(s\): 'owner' already has a value \(team-a\)/);
    await kubectl.ok(['annotate', 'configmap', 'settings', '-n', NS, 'owner=team-b', '--overwrite']);
    assert.equal((await configMap('settings')).metadata.annotations?.owner, 'team-b');
    await kubectl.ok(['annotate', 'configmap', 'settings', '-n', NS, 'owner-']);
    assert.equal((await configMap('settings')).metadata.annotations?.owner, undefined);
  });

  it('kubectl edit with a scripted editor sends a strategic merge patch', async () => {
    const editor = join(dir.path, 'editor.sh');
    await writeFile(editor, '#!/bin/sh\nsed -i -e "s/mode: red/mode: edited/" "$1"\n');
    await chmod(editor, 0o755);
    const saved = process.env.KUBE_EDITOR;
    process.env.KUBE_EDITOR = editor;
    try {
      // --validate=false: client-side validation needs /openapi/v2, another branch's work.
      const out = await kubectl.ok(['edit', 'configmap', 'settings', '-n', NS, '--validate=false']);
      assert.equal(out.trim(), 'configmap/settings edited');
      assert.equal((await configMap('settings')).data?.mode, 'edited');
      // An editor that changes nothing cancels the edit.
      await writeFile(editor, '#!/bin/sh\nexit 0\n');
      const none = await kubectl.run(['edit', 'configmap', 'settings', '-n', NS, '--validate=false']);
      assert.equal(none.code, 0, none.stderr);
      assert.match(none.stderr + none.stdout, /Edit cancelled, no changes made/);
    } finally {
      if (saved === undefined) delete process.env.KUBE_EDITOR;
      else process.env.KUBE_EDITOR = saved;
    }
  });

  it('kubectl apply: created, configured (three-way), unchanged, and a dropped field is removed', async () => {
    const manifest = (opts: Parameters<typeof deployment>[0]) => deployment(opts).replace('name: web\n', 'name: applied\n').replaceAll('app: web', 'app: applied');
    const created = await kubectl.ok(['apply', '-f', '-', '--validate=false'], { input: manifest({ env: { A: '1', B: '2' }, labels: { app: 'applied', keep: 'me' } }) });
    assert.equal(created.trim(), 'deployment.apps/applied created');
    const live = await getJSON<{ metadata: { annotations: Record<string, string> } }>('deployment', 'applied');
    assert.ok(live.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration'], 'last-applied annotation');

    // A change made outside the manifest survives apply (three-way: it is in neither the
    // last-applied configuration nor the manifest).
    await kubectl.ok(['label', 'deployment', 'applied', '-n', NS, 'outside=yes']);

    const input = manifest({ image: 'nginx:2', env: { A: '1', C: '3' }, labels: { app: 'applied' } });
    const configured = await kubectl.ok(['apply', '-f', '-', '--validate=false'], { input });
    assert.equal(configured.trim(), 'deployment.apps/applied configured');
    const after = await getJSON<{ metadata: { labels: Record<string, string> }; spec: { template: { spec: { containers: Container[] } } } }>('deployment', 'applied');
    assert.deepEqual(after.metadata.labels, { app: 'applied', outside: 'yes' });
    const [app] = after.spec.template.spec.containers;
    assert.equal(app!.image, 'nginx:2');
    assert.deepEqual(app!.env, [
      { name: 'A', value: '1' },
      { name: 'C', value: '3' },
    ]);

    const unchanged = await kubectl.ok(['apply', '-f', '-', '--validate=false'], { input });
    assert.equal(unchanged.trim(), 'deployment.apps/applied unchanged');

    // Volumes are "merge,retainKeys": switching a volume's source sends $retainKeys, and a
    // container dropped from the manifest is deleted by merge key.
    const withVolume = (source: string) =>
      input.replace('        - name: sidecar\n          image: busybox:1\n', '') + `      volumes:\n        - name: data\n          ${source}\n`;
    await kubectl.ok(['apply', '-f', '-', '--validate=false'], { input: withVolume('emptyDir: {}') });
    const switched = await kubectl.ok(['apply', '-f', '-', '--validate=false'], { input: withVolume('configMap:\n            name: cfg') });
    assert.equal(switched.trim(), 'deployment.apps/applied configured');
    const final = await getJSON<{ spec: { template: { spec: { containers: Container[]; volumes: unknown[] } } } }>('deployment', 'applied');
    assert.deepEqual(final.spec.template.spec.volumes, [{ name: 'data', configMap: { name: 'cfg', defaultMode: 420 } }]);
    assert.deepEqual(
      final.spec.template.spec.containers.map((c) => c.name),
      ['app'],
    );
  });

  it('kubectl set image and rollout restart patch the pod template', async () => {
    await kubectl.ok(['apply', '-f', '-', '--validate=false'], { input: deployment() });
    assert.equal((await kubectl.ok(['set', 'image', 'deployment/web', '-n', NS, 'app=nginx:7'])).trim(), 'deployment.apps/web image updated');
    assert.equal((await containers()).find((c) => c.name === 'app')?.image, 'nginx:7');
    assert.equal((await kubectl.ok(['rollout', 'restart', 'deployment/web', '-n', NS])).trim(), 'deployment.apps/web restarted');
    const restarted = await getJSON<{ spec: { template: { metadata: { annotations?: Record<string, string> } } } }>('deployment', 'web');
    assert.match(restarted.spec.template.metadata.annotations?.['kubectl.kubernetes.io/restartedAt'] ?? '', /^\d{4}-\d\d-\d\dT/);
  });
});
