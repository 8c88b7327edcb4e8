// @kubernetes/client-node's patch calls with Content-Type application/strategic-merge-patch+json
// against `kapi up`: the typed APIs (setHeaderOptions) and KubernetesObjectApi.patch.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { type RunningServer, startUp } from '@kapi/cli';
import { tempDir } from '../support/tmp.js';

const SMP = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch);

describe('@kubernetes/client-node strategic merge patches against kapi up', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let server: RunningServer;
  let core: k8s.CoreV1Api;
  let apps: k8s.AppsV1Api;
  let objects: k8s.KubernetesObjectApi;

  before(async () => {
    dir = await tempDir('e2e-client-node-patch');
    server = await startUp({ dataDir: dir.path, securePort: 0, bindAddress: '127.0.0.1', admissionWorkers: 1, quiet: true });
    const config = new k8s.KubeConfig();
    config.loadFromFile(server.kubeconfigPath);
    core = config.makeApiClient(k8s.CoreV1Api);
    apps = config.makeApiClient(k8s.AppsV1Api);
    objects = k8s.KubernetesObjectApi.makeApiClient(config);
  });

  after(async () => {
    await server?.stop();
    await dir?.remove();
  });

  it('patches a ConfigMap and a Deployment\'s containers by merge key', async () => {
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'smp' }, data: { a: '1', b: '2' } } });
    const cm = await core.patchNamespacedConfigMap({ name: 'smp', namespace: 'default', body: { data: { b: null, c: '3' } } }, SMP);
    assert.deepEqual(cm.data, { a: '1', c: '3' });

    await apps.createNamespacedDeployment({
      namespace: 'default',
      body: {
        metadata: { name: 'smp' },
        spec: {
          selector: { matchLabels: { app: 'smp' } },
          template: {
            metadata: { labels: { app: 'smp' } },
            spec: {
              containers: [
                { name: 'app', image: 'nginx:1', ports: [{ containerPort: 80, protocol: 'TCP' }] },
                { name: 'sidecar', image: 'busybox:1' },
              ],
            },
          },
        },
      },
    });
    const patched = await apps.patchNamespacedDeployment(
      {
        name: 'smp',
        namespace: 'default',
        body: { spec: { template: { spec: { containers: [{ name: 'app', image: 'nginx:2', ports: [{ containerPort: 8080, protocol: 'TCP' }] }] } } } },
      },
      SMP,
    );
    const containers = patched.spec?.template.spec?.containers ?? [];
    assert.deepEqual(
      containers.map((c) => [c.name, c.image]),
      [
        ['app', 'nginx:2'],
        ['sidecar', 'busybox:1'],
      ],
    );
    // ports merge by containerPort: the new one first (patch order), then the live one.
    assert.deepEqual(
      containers[0]!.ports?.map((p) => p.containerPort),
      [8080, 80],
    );
  });

  it('KubernetesObjectApi.patch with the strategic merge patch strategy', async () => {
    const result = await objects.patch(
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'smp', namespace: 'default', labels: { via: 'objects' } } },
      undefined,
      undefined,
      undefined,
      undefined,
      k8s.PatchStrategy.StrategicMergePatch,
    );
    assert.equal(result.metadata?.labels?.via, 'objects');
  });

  it('a bad strategic merge patch is a 400 with kube-apiserver\'s text', async () => {
    await assert.rejects(
      apps.patchNamespacedDeployment({ name: 'smp', namespace: 'default', body: { spec: { template: { spec: { containers: [{ image: 'x' }] } } } } }, SMP),
      (err: unknown) => {
        const e = err as k8s.ApiException<string>;
        assert.equal(e.code, 400);
        const body = JSON.parse(String(e.body)) as { kind: string; message: string; reason?: string };
        assert.equal(body.kind, 'Status');
        assert.equal(body.message, 'map: map[image:x] does not contain declared merge key: name');
        return true;
      },
    );
  });
});
