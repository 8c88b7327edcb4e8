// `kapi cluster --replicas 2 --etcd-members 3` driven by kubectl through both gateways, then one
// storage replica and one etcd member are killed with SIGKILL and requests keep succeeding.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type RunningCluster, startCluster } from '@kapi/cli';
import { etcdAvailable, freePort, natsAvailable } from '@kapi/testing';
import { Kubectl, findKubectl } from '../support/kubectl.js';
import { checkDemoObjects, createDemoObjects, deleteDemoObjects, replaceAndConflict } from '../support/scenario.js';
import { tempDir } from '../support/tmp.js';

const binary = findKubectl();
const skip = !binary ? 'no kubectl on PATH' : !etcdAvailable() ? 'no etcd on PATH' : !natsAvailable() ? 'no nats-server on PATH' : false;
if (skip) console.log(`# skipping kubectl e2e against kapi cluster: ${skip}`);

/** The index of the etcd member that leads (etcd's maintenance status over its JSON gateway). */
async function etcdLeaderIndex(endpoints: string[]): Promise<number> {
  const statuses = await Promise.all(
    endpoints.map(async (endpoint) => {
      const res = await fetch(`${endpoint}/v3/maintenance/status`, { method: 'POST', body: '{}' });
      return (await res.json()) as { header: { member_id: string }; leader: string };
    }),
  );
  const index = statuses.findIndex((s) => s.header.member_id === s.leader);
  assert.ok(index >= 0, 'an etcd member leads');
  return index;
}

function configMap(name: string, namespace: string): string {
  return `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: ${namespace}\ndata:\n  value: "${name}"\n`;
}

describe('kubectl against kapi cluster (2 replicas, 3 etcd members)', { skip }, () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let cluster: RunningCluster;
  let viaFirst: Kubectl;
  let viaSecond: Kubectl;

  before(async () => {
    dir = await tempDir('e2e-cluster');
    cluster = await startCluster({ dataDir: dir.path, securePort: await freePort(), replicas: 2, etcdMembers: 3, admissionWorkers: 1 });
    viaFirst = new Kubectl(binary!, cluster.description.kubeconfig);
    viaSecond = new Kubectl(binary!, cluster.description.kubeconfig);
    const second = cluster.description.gateways[1]!;
    viaSecond.run = ((run) => (args: string[], opts?: { input?: string; timeoutMs?: number }) => run(['--server', second, ...args], opts))(
      viaSecond.run.bind(viaSecond),
    );
  });

  after(async () => {
    await cluster?.stop();
    await dir?.remove();
  });

  it('describes every process in cluster.json', () => {
    const roles = cluster.description.processes.map((p) => `${p.role}-${p.replica}`).sort();
    assert.deepEqual(roles, [
      'admission-0',
      'admission-1',
      'controllers-0',
      'controllers-1',
      'gateway-0',
      'gateway-1',
      'storage-0',
      'storage-1',
      'watchcache-0',
      'watchcache-1',
    ]);
    assert.equal(cluster.description.etcd.length, 3);
    assert.equal(cluster.description.gateways.length, 2);
  });

  it('serves the kubectl round trip through either gateway', async () => {
    await createDemoObjects(viaFirst, 'demo');
    await checkDemoObjects(viaSecond, 'demo');
    await replaceAndConflict(viaSecond, 'demo', dir.path);
    await deleteDemoObjects(viaFirst, 'demo');
  });

  it('keeps serving after a storage replica and the etcd leader are killed', async () => {
    const storage = cluster.child('storage', 0)!;
    const exited = new Promise((resolve) => storage.once('exit', resolve));
    storage.kill('SIGKILL');
    await exited;
    await cluster.killEtcdMember(await etcdLeaderIndex(cluster.description.etcd.map((m) => m.clientUrl)), 'SIGKILL');

    for (let i = 0; i < 10; i++) {
      const kubectl = i % 2 === 0 ? viaFirst : viaSecond;
      assert.match(await kubectl.ok(['create', '-f', '-', '--validate=false'], { input: configMap(`after-kill-${i}`, 'default') }), /created/);
      assert.equal(await kubectl.ok(['get', 'configmap', `after-kill-${i}`, '-n', 'default', '-o', 'jsonpath={.data.value}']), `after-kill-${i}`);
    }
    const listed = await viaFirst.ok(['get', 'configmaps', '-n', 'default', '-o', 'name']);
    for (let i = 0; i < 10; i++) assert.ok(listed.includes(`configmap/after-kill-${i}`), listed);
    assert.match(await viaSecond.ok(['delete', 'configmap', 'after-kill-0', '-n', 'default']), /deleted/);
  });
});
