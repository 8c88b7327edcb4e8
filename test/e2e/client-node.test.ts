// @kubernetes/client-node against `kapi up`: the typed client's CRUD calls and its error
// handling see what they see from kube-apiserver.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { type RunningServer, startUp } from '@kapi/cli';
import { tempDir } from '../support/tmp.js';

describe('@kubernetes/client-node against kapi up', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let server: RunningServer;
  let core: k8s.CoreV1Api;
  let apps: k8s.AppsV1Api;

  before(async () => {
    dir = await tempDir('e2e-client-node');
    server = await startUp({ dataDir: dir.path, securePort: 0, bindAddress: '127.0.0.1', admissionWorkers: 1, quiet: true });
    const config = new k8s.KubeConfig();
    config.loadFromFile(server.kubeconfigPath);
    core = config.makeApiClient(k8s.CoreV1Api);
    apps = config.makeApiClient(k8s.AppsV1Api);
  });

  after(async () => {
    await server?.stop();
    await dir?.remove();
  });

  it('creates, reads, lists, replaces and deletes ConfigMaps', async () => {
    const created = await core.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'client-node', labels: { app: 'kapi' } }, data: { greeting: 'hello' } },
    });
    assert.equal(created.metadata?.name, 'client-node');
    assert.ok(created.metadata?.uid);
    assert.ok(created.metadata?.creationTimestamp instanceof Date);

    const read = await core.readNamespacedConfigMap({ name: 'client-node', namespace: 'default' });
    assert.equal(read.data?.greeting, 'hello');

    const list = await core.listNamespacedConfigMap({ namespace: 'default', labelSelector: 'app=kapi' });
    assert.deepEqual(
      list.items.map((cm) => cm.metadata?.name),
      ['client-node'],
    );
    assert.match(list.metadata?.resourceVersion ?? '', /^\d+$/);

    read.data = { greeting: 'bonjour' };
    const replaced = await core.replaceNamespacedConfigMap({ name: 'client-node', namespace: 'default', body: read });
    assert.equal(replaced.data?.greeting, 'bonjour');
    assert.notEqual(replaced.metadata?.resourceVersion, read.metadata?.resourceVersion);

    // The object read before the replace is stale now.
    await assert.rejects(core.replaceNamespacedConfigMap({ name: 'client-node', namespace: 'default', body: read }), (err: unknown) => {
      assert.equal((err as k8s.ApiException<unknown>).code, 409);
      const body = JSON.parse(String((err as k8s.ApiException<string>).body)) as { reason: string };
      assert.equal(body.reason, 'Conflict');
      return true;
    });

    const status = await core.deleteNamespacedConfigMap({ name: 'client-node', namespace: 'default' });
    assert.equal(status.status, 'Success');
    await assert.rejects(core.readNamespacedConfigMap({ name: 'client-node', namespace: 'default' }), (err: unknown) => {
      assert.equal((err as k8s.ApiException<unknown>).code, 404);
      return true;
    });
  });

  it('creates Deployments with generation 1 and pages lists with limit/continue', async () => {
    for (const name of ['a', 'b', 'c']) {
      const deployment = await apps.createNamespacedDeployment({
        namespace: 'default',
        body: {
          metadata: { name },
          spec: {
            replicas: 1,
            selector: { matchLabels: { app: name } },
            template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } },
          },
        },
      });
      assert.equal(deployment.metadata?.generation, 1);
    }
    const first = await apps.listNamespacedDeployment({ namespace: 'default', limit: 2 });
    assert.equal(first.items.length, 2);
    assert.ok(first.metadata?._continue);
    assert.equal(first.metadata?.remainingItemCount, 1);
    const second = await apps.listNamespacedDeployment({ namespace: 'default', limit: 2, _continue: first.metadata!._continue! });
    assert.deepEqual(
      [...first.items, ...second.items].map((d) => d.metadata?.name),
      ['a', 'b', 'c'],
    );
    assert.equal(second.metadata?._continue, undefined);
  });

  it('server-side applies a Deployment: create, conflict (409 with FieldManagerConflict causes), force', async () => {
    const body = (replicas: number): k8s.V1Deployment => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'applied', namespace: 'default' },
      spec: { replicas, selector: { matchLabels: { app: 'applied' } }, template: { metadata: { labels: { app: 'applied' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
    });
    const ssa = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.ServerSideApply);
    const created = await apps.patchNamespacedDeployment({ name: 'applied', namespace: 'default', body: body(1), fieldManager: 'client-a' }, ssa);
    assert.deepEqual(created.metadata?.managedFields?.map((e) => [e.manager, e.operation]), [['client-a', 'Apply']]);
    await assert.rejects(apps.patchNamespacedDeployment({ name: 'applied', namespace: 'default', body: body(2), fieldManager: 'client-b' }, ssa), (err: unknown) => {
      assert.equal((err as k8s.ApiException<unknown>).code, 409);
      const status = JSON.parse(String((err as k8s.ApiException<string>).body)) as { message: string; details: { causes: { reason: string; field: string }[] } };
      assert.equal(status.message, 'Apply failed with 1 conflict: conflict with "client-a": .spec.replicas');
      assert.deepEqual(status.details.causes.map((c) => [c.reason, c.field]), [['FieldManagerConflict', '.spec.replicas']]);
      return true;
    });
    const forced = await apps.patchNamespacedDeployment({ name: 'applied', namespace: 'default', body: body(2), fieldManager: 'client-b', force: true }, ssa);
    assert.equal(forced.spec?.replicas, 2);
  });
});
