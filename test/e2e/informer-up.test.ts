// @kubernetes/client-node's informer (ListWatch) against `kapi up`: add/update/delete callbacks
// from the watch stream, and a server restart in the middle (its watch breaks, it rewatches or
// relists after a 410) without a duplicate or a lost callback.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { type RunningServer, startUp } from '@kapi/cli';
import { freePort } from '@kapi/testing';
import { tempDir } from '../support/tmp.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

describe('@kubernetes/client-node informer against kapi up', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let server: RunningServer | undefined;
  let port: number;

  const start = async () => {
    server = await startUp({ dataDir: dir.path, securePort: port, bindAddress: '127.0.0.1', admissionWorkers: 1, quiet: true });
  };

  before(async () => {
    dir = await tempDir('e2e-informer');
    port = await freePort();
    await start();
  });

  after(async () => {
    await server?.stop();
    await dir?.remove();
  });

  it('gets add, update and delete callbacks and survives a restart without duplicates or losses', { timeout: 120_000 }, async () => {
    const config = new k8s.KubeConfig();
    config.loadFromFile(server!.kubeconfigPath);
    const core = config.makeApiClient(k8s.CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: 'inf' } } });
    const informer = k8s.makeInformer(config, '/api/v1/namespaces/inf/configmaps', () => core.listNamespacedConfigMap({ namespace: 'inf' }));
    const seen: string[] = [];
    informer.on('add', (cm: k8s.V1ConfigMap) => void seen.push(`add ${cm.metadata?.name}`));
    informer.on('update', (cm: k8s.V1ConfigMap) => void seen.push(`update ${cm.metadata?.name} ${cm.data?.v}`));
    informer.on('delete', (cm: k8s.V1ConfigMap) => void seen.push(`delete ${cm.metadata?.name}`));
    let stopped = false;
    // The usual pattern: an informer whose watch failed is started again.
    informer.on('error', () => {
      if (!stopped) setTimeout(() => void informer.start().catch(() => undefined), 500);
    });
    await informer.start();

    await core.createNamespacedConfigMap({ namespace: 'inf', body: { metadata: { name: 'a' }, data: { v: '1' } } });
    await until(() => seen.length >= 1, 'add a');
    const a = await core.readNamespacedConfigMap({ name: 'a', namespace: 'inf' });
    a.data = { v: '2' };
    await core.replaceNamespacedConfigMap({ name: 'a', namespace: 'inf', body: a });
    await core.deleteNamespacedConfigMap({ name: 'a', namespace: 'inf' });
    await core.createNamespacedConfigMap({ namespace: 'inf', body: { metadata: { name: 'b' }, data: { v: '1' } } });
    await until(() => seen.length >= 4, 'four callbacks');
    assert.deepEqual(seen, ['add a', 'update a 2', 'delete a', 'add b']);

    // Restart the server (same port, same data): the watch breaks; the informer comes back.
    await server!.stop();
    server = undefined;
    await start();
    await core.createNamespacedConfigMap({ namespace: 'inf', body: { metadata: { name: 'c' }, data: { v: '1' } } });
    await until(() => seen.includes('add c'), 'add c after the restart', 60_000);
    await sleep(1000);
    stopped = true;
    await informer.stop();
    assert.deepEqual(seen, ['add a', 'update a 2', 'delete a', 'add b', 'add c']);
    assert.deepEqual(
      informer
        .list()
        .map((cm) => cm.metadata?.name)
        .sort(),
      ['b', 'c'],
    );
  });
});
