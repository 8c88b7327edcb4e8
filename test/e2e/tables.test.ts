// kubectl's human-readable output against `kapi up`: server-side Tables with kube-apiserver's
// per-type columns and cells (pkg/printers), plus the client-side features that lean on them
// (--show-labels, -L, --sort-by, --no-headers) and the JSON paths (custom-columns, jsonpath,
// describe).

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type RunningServer, startUp } from '@kapi/cli';
import { Kubectl, findKubectl } from '../support/kubectl.js';
import { tempDir } from '../support/tmp.js';

const binary = findKubectl();
if (!binary) console.log('# skipping kubectl tables e2e: no kubectl on PATH');

const NS = 'tbl';
const ago = (seconds: number): string => new Date(Date.now() - seconds * 1000).toISOString().replace(/\.\d+Z$/, 'Z');

function manifests(): string {
  return `apiVersion: v1
kind: Namespace
metadata: {name: ${NS}}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: ${NS}, labels: {app: web, tier: fe}}
spec:
  containers:
  - {name: nginx, image: nginx:1.27}
  - {name: sidecar, image: busybox:1.36}
---
apiVersion: v1
kind: Pod
metadata: {name: done, namespace: ${NS}, labels: {app: batch}}
spec:
  restartPolicy: Never
  containers:
  - {name: main, image: busybox:1.36}
---
apiVersion: v1
kind: Pod
metadata: {name: crash, namespace: ${NS}, labels: {app: crash}}
spec:
  containers:
  - {name: main, image: busybox:1.36}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: ${NS}, labels: {app: web}}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - {name: nginx, image: nginx:1.27}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: ${NS}}
spec:
  clusterIP: None
  selector: {app: web}
  ports:
  - {port: 80, protocol: TCP}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: ${NS}}
data: {mode: blue, size: large}
---
apiVersion: v1
kind: Secret
metadata: {name: credentials, namespace: ${NS}}
type: Opaque
data: {password: aHVudGVyMg==}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: robot, namespace: ${NS}}
---
apiVersion: batch/v1
kind: Job
metadata: {name: pi, namespace: ${NS}}
spec:
  completions: 1
  template:
    spec:
      restartPolicy: Never
      containers:
      - {name: pi, image: perl:5.34}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly, namespace: ${NS}}
spec:
  schedule: "0 3 * * *"
  suspend: true
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
          - {name: job, image: busybox:1.36}
---
apiVersion: v1
kind: Event
metadata: {name: web.pulled, namespace: ${NS}}
involvedObject: {kind: Pod, name: web, namespace: ${NS}, apiVersion: v1, fieldPath: "spec.containers{nginx}"}
reason: Pulled
message: Successfully pulled image "nginx:1.27"
source: {component: kubelet, host: node-1}
firstTimestamp: "${ago(300)}"
lastTimestamp: "${ago(20)}"
count: 3
type: Normal
`;
}

/** The table's lines split into cells on kubectl's column gaps (two or more spaces). */
function rows(output: string): string[][] {
  return output
    .trimEnd()
    .split('\n')
    .map((line) => line.trim().split(/\s{2,}/));
}

function rowOf(table: string[][], name: string): string[] {
  const row = table.find((r) => r[0] === name);
  assert.ok(row, `a row for ${name} in ${JSON.stringify(table)}`);
  return row;
}

describe('kubectl tables against kapi up', { skip: binary ? false : 'no kubectl on PATH' }, () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let server: RunningServer | undefined;
  let kubectl: Kubectl;

  const setStatus = async (resource: string, name: string, status: unknown): Promise<void> => {
    await kubectl.ok(['patch', resource, name, '-n', NS, '--subresource=status', '--type=merge', '-p', JSON.stringify({ status })]);
  };

  before(async () => {
    dir = await tempDir('e2e-tables');
    server = await startUp({ dataDir: dir.path, securePort: 0, bindAddress: '127.0.0.1', admissionWorkers: 1, quiet: true });
    kubectl = new Kubectl(binary!, server.kubeconfigPath);
    await kubectl.ok(['create', '-f', '-', '--validate=false'], { input: manifests() });
    await setStatus('pod', 'done', {
      phase: 'Succeeded',
      containerStatuses: [{ name: 'main', image: 'busybox:1.36', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } }],
    });
    await setStatus('pod', 'crash', {
      phase: 'Running',
      podIP: '10.244.0.7',
      podIPs: [{ ip: '10.244.0.7' }],
      containerStatuses: [
        {
          name: 'main',
          image: 'busybox:1.36',
          imageID: '',
          ready: false,
          restartCount: 5,
          state: { waiting: { reason: 'CrashLoopBackOff' } },
          lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: ago(600) } },
        },
      ],
    });
    await setStatus('deployment', 'web', { replicas: 2, readyReplicas: 1, updatedReplicas: 2, availableReplicas: 1 });
    await setStatus('job', 'pi', {
      succeeded: 1,
      startTime: ago(120),
      completionTime: ago(60),
      conditions: [
        { type: 'SuccessCriteriaMet', status: 'True', lastProbeTime: ago(60), lastTransitionTime: ago(60) },
        { type: 'Complete', status: 'True', lastProbeTime: ago(60), lastTransitionTime: ago(60) },
      ],
    });
  });

  after(async () => {
    await server?.stop();
    await dir.remove();
  });

  it('kubectl get pods: NAME READY STATUS RESTARTS AGE with kube status reasons', async () => {
    const table = rows(await kubectl.ok(['get', 'pods', '-n', NS]));
    assert.deepEqual(table[0], ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']);
    assert.deepEqual(rowOf(table, 'web').slice(0, 4), ['web', '0/2', 'Pending', '0']);
    assert.deepEqual(rowOf(table, 'done').slice(0, 4), ['done', '0/1', 'Completed', '0']);
    assert.deepEqual(rowOf(table, 'crash').slice(0, 4), ['crash', '0/1', 'CrashLoopBackOff', '5 (10m ago)']);
    assert.match(rowOf(table, 'web')[4]!, /^\d+s$/);
  });

  it('kubectl get pods -o wide adds IP, NODE, NOMINATED NODE, READINESS GATES', async () => {
    const table = rows(await kubectl.ok(['get', 'pods', '-n', NS, '-o', 'wide']));
    assert.deepEqual(table[0], ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES']);
    assert.deepEqual(rowOf(table, 'crash').slice(5), ['10.244.0.7', '<none>', '<none>', '<none>']);
    assert.deepEqual(rowOf(table, 'web').slice(5), ['<none>', '<none>', '<none>', '<none>']);
  });

  it('paged Tables carry continue tokens: --chunk-size=1 still prints every pod', async () => {
    const table = rows(await kubectl.ok(['get', 'pods', '-n', NS, '--chunk-size=1']));
    assert.deepEqual(table[0], ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']);
    assert.deepEqual(table.slice(1).map((r) => r[0]).sort(), ['crash', 'done', 'web']);
    const page = JSON.parse(
      await kubectl.ok(['get', '--raw', `/api/v1/namespaces/${NS}/pods?limit=1`]),
    ) as { metadata: { continue?: string; remainingItemCount?: number; resourceVersion?: string } };
    assert.ok(page.metadata.continue, JSON.stringify(page.metadata));
    assert.match(page.metadata.resourceVersion ?? '', /^\d+$/);
  });

  it('kubectl get for one object prints one row', async () => {
    const table = rows(await kubectl.ok(['get', 'pod', 'crash', '-n', NS]));
    assert.equal(table.length, 2);
    assert.equal(table[1]![0], 'crash');
  });

  it('kubectl get deployments,services,configmaps,secrets,namespaces,serviceaccounts', async () => {
    const out = await kubectl.ok(['get', 'deployments,services,configmaps,secrets,namespaces,serviceaccounts', '-n', NS]);
    const sections = out.trimEnd().split('\n\n').map(rows);
    const section = (header0: string, name: string): string[][] => {
      const found = sections.find((s) => s.some((r) => r[0] === name));
      assert.ok(found, `${name} in:\n${out}`);
      assert.equal(found[0]![0], header0);
      return found;
    };
    const deployments = section('NAME', 'deployment.apps/web');
    assert.deepEqual(deployments[0], ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE']);
    assert.deepEqual(rowOf(deployments, 'deployment.apps/web').slice(0, 4), ['deployment.apps/web', '1/2', '2', '1']);
    const services = section('NAME', 'service/web');
    assert.deepEqual(services[0], ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE']);
    assert.deepEqual(rowOf(services, 'service/web').slice(0, 5), ['service/web', 'ClusterIP', 'None', '<none>', '80/TCP']);
    const configmaps = section('NAME', 'configmap/settings');
    assert.deepEqual(configmaps[0], ['NAME', 'DATA', 'AGE']);
    assert.deepEqual(rowOf(configmaps, 'configmap/settings').slice(0, 2), ['configmap/settings', '2']);
    const secrets = section('NAME', 'secret/credentials');
    assert.deepEqual(secrets[0], ['NAME', 'TYPE', 'DATA', 'AGE']);
    assert.deepEqual(rowOf(secrets, 'secret/credentials').slice(0, 3), ['secret/credentials', 'Opaque', '1']);
    const namespaces = section('NAME', `namespace/${NS}`);
    assert.deepEqual(namespaces[0], ['NAME', 'STATUS', 'AGE']);
    assert.deepEqual(rowOf(namespaces, 'namespace/default').slice(0, 2), ['namespace/default', 'Active']);
    const serviceAccounts = section('NAME', 'serviceaccount/robot');
    assert.deepEqual(serviceAccounts[0], ['NAME', 'SECRETS', 'AGE']);
    assert.deepEqual(rowOf(serviceAccounts, 'serviceaccount/robot').slice(0, 2), ['serviceaccount/robot', '0']);
  });

  it('kubectl get events: LAST SEEN TYPE REASON OBJECT MESSAGE', async () => {
    const table = rows(await kubectl.ok(['get', 'events', '-n', NS]));
    assert.deepEqual(table[0], ['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE']);
    const row = table.find((r) => r[3] === 'pod/web');
    assert.ok(row, JSON.stringify(table));
    assert.match(row[0]!, /^\d+s$/);
    assert.deepEqual(row.slice(1), ['Normal', 'Pulled', 'pod/web', 'Successfully pulled image "nginx:1.27"']);
    const wide = rows(await kubectl.ok(['get', 'events', '-n', NS, '-o', 'wide']));
    assert.deepEqual(wide[0], ['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'SUBOBJECT', 'SOURCE', 'MESSAGE', 'FIRST SEEN', 'COUNT', 'NAME']);
    const wideRow = wide.find((r) => r[3] === 'pod/web')!;
    assert.deepEqual(wideRow.slice(4, 7), ['spec.containers{nginx}', 'kubelet, node-1', 'Successfully pulled image "nginx:1.27"']);
    assert.match(wideRow[7]!, /^5m\d*s?$/);
    assert.deepEqual(wideRow.slice(8), ['3', 'web.pulled']);
  });

  it('kubectl get all -n x lists pods, services, deployments, jobs and cronjobs with their columns', async () => {
    const out = await kubectl.ok(['get', 'all', '-n', NS]);
    const sections = out.trimEnd().split('\n\n').map(rows);
    const find = (name: string): string[] => {
      for (const s of sections) {
        const row = s.find((r) => r[0] === name);
        if (row) return row;
      }
      assert.fail(`${name} in:\n${out}`);
    };
    assert.deepEqual(find('pod/crash').slice(0, 4), ['pod/crash', '0/1', 'CrashLoopBackOff', '5 (10m ago)']);
    assert.deepEqual(find('service/web').slice(0, 5), ['service/web', 'ClusterIP', 'None', '<none>', '80/TCP']);
    assert.deepEqual(find('deployment.apps/web').slice(0, 4), ['deployment.apps/web', '1/2', '2', '1']);
    assert.deepEqual(find('job.batch/pi').slice(0, 4), ['job.batch/pi', 'Complete', '1/1', '60s']);
    assert.deepEqual(find('cronjob.batch/nightly').slice(0, 6), ['cronjob.batch/nightly', '0 3 * * *', '<none>', 'True', '0', '<none>']);
    const jobs = sections.find((s) => s.some((r) => r[0] === 'job.batch/pi'))!;
    assert.deepEqual(jobs[0], ['NAME', 'STATUS', 'COMPLETIONS', 'DURATION', 'AGE']);
    const cronjobs = sections.find((s) => s.some((r) => r[0] === 'cronjob.batch/nightly'))!;
    assert.deepEqual(cronjobs[0], ['NAME', 'SCHEDULE', 'TIMEZONE', 'SUSPEND', 'ACTIVE', 'LAST SCHEDULE', 'AGE']);
  });

  it('--show-labels, -L, --sort-by and --no-headers', async () => {
    const labels = rows(await kubectl.ok(['get', 'pods', '-n', NS, '--show-labels']));
    assert.equal(labels[0]!.at(-1), 'LABELS');
    assert.equal(rowOf(labels, 'web').at(-1), 'app=web,tier=fe');
    const column = rows(await kubectl.ok(['get', 'pods', '-n', NS, '-L', 'app,tier']));
    assert.deepEqual(column[0]!.slice(-2), ['APP', 'TIER']);
    assert.deepEqual(rowOf(column, 'web').slice(-2), ['web', 'fe']);
    const sorted = rows(await kubectl.ok(['get', 'pods', '-n', NS, '--sort-by=.metadata.name', '--no-headers']));
    assert.deepEqual(sorted.map((r) => r[0]), ['crash', 'done', 'web']);
    const byRestarts = rows(await kubectl.ok(['get', 'pods', '-n', NS, '--sort-by=.status.containerStatuses[0].restartCount', '--no-headers']));
    assert.equal(byRestarts.at(-1)![0], 'crash');
  });

  it('-o custom-columns and -o jsonpath read the objects', async () => {
    const custom = rows(await kubectl.ok(['get', 'pods', '-n', NS, '-o', 'custom-columns=NAME:.metadata.name,PHASE:.status.phase', '--sort-by=.metadata.name']));
    assert.deepEqual(custom, [
      ['NAME', 'PHASE'],
      ['crash', 'Running'],
      ['done', 'Succeeded'],
      ['web', 'Pending'],
    ]);
    const names = await kubectl.ok(['get', 'configmaps,secrets', '-n', NS, '-o', 'jsonpath={range .items[*]}{.kind}/{.metadata.name}{"\\n"}{end}']);
    assert.ok(names.split('\n').includes('ConfigMap/settings'), names);
    assert.ok(names.split('\n').includes('Secret/credentials'), names);
  });

  it('kubectl get nodes (-o wide) and kinds kube prints with NAME and CREATED AT', async () => {
    const node = `apiVersion: v1
kind: Node
metadata: {name: node-1, labels: {node-role.kubernetes.io/control-plane: "", kubernetes.io/role: infra}}
spec: {unschedulable: true}
`;
    await kubectl.ok(['create', '-f', '-', '--validate=false'], { input: node });
    await kubectl.ok([
      'patch',
      'node',
      'node-1',
      '--subresource=status',
      '--type=merge',
      '-p',
      JSON.stringify({
        status: {
          conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'ok', lastHeartbeatTime: ago(5), lastTransitionTime: ago(60) }],
          addresses: [{ type: 'InternalIP', address: '192.168.1.10' }],
          nodeInfo: { kubeletVersion: 'v1.36.0', osImage: 'Debian GNU/Linux 12', kernelVersion: '6.1.0', containerRuntimeVersion: 'containerd://2.0.0', machineID: '', systemUUID: '', bootID: '', kubeProxyVersion: '', operatingSystem: 'linux', architecture: 'amd64' },
        },
      }),
    ]);
    const nodes = rows(await kubectl.ok(['get', 'nodes', '-o', 'wide']));
    assert.deepEqual(nodes[0], ['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION', 'INTERNAL-IP', 'EXTERNAL-IP', 'OS-IMAGE', 'KERNEL-VERSION', 'CONTAINER-RUNTIME']);
    const row = rowOf(nodes, 'node-1');
    assert.deepEqual([...row.slice(0, 3), ...row.slice(4)], ['node-1', 'Ready,SchedulingDisabled', 'control-plane,infra', 'v1.36.0', '192.168.1.10', '<none>', 'Debian GNU/Linux 12', '6.1.0', 'containerd://2.0.0']);
    const role = 'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: tables-reader}\nrules: [{apiGroups: [""], resources: [pods], verbs: [get]}]\n';
    await kubectl.ok(['create', '-f', '-', '--validate=false'], { input: role });
    const clusterRoles = rows(await kubectl.ok(['get', 'clusterrole', 'tables-reader']));
    assert.deepEqual(clusterRoles[0], ['NAME', 'CREATED AT']);
    assert.equal(clusterRoles[1]![0], 'tables-reader');
    assert.match(clusterRoles[1]![1]!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('kubectl describe prints pods, deployments, configmaps and namespaces', async () => {
    for (const [resource, name, expect] of [
      ['pod', 'crash', /CrashLoopBackOff/],
      ['deployment', 'web', /Replicas:\s+2 desired \| 2 updated \| 2 total \| 1 available/],
      ['configmap', 'settings', /mode:\n----\nblue/],
      ['namespace', NS, /Status:\s+Active/],
    ] as const) {
      const result = await kubectl.run(['describe', resource, name, ...(resource === 'namespace' ? [] : ['-n', NS])]);
      assert.equal(result.code, 0, `describe ${resource} ${name}: ${result.stderr}`);
      assert.equal(result.stderr, '', `describe ${resource} ${name}`);
      assert.match(result.stdout, new RegExp(`^Name:\\s+${name}\\n`), result.stdout);
      assert.match(result.stdout, expect, result.stdout);
    }
  });
});
