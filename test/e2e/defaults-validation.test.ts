// kube's Go-code defaults and per-type validation as kubectl sees them, against `kapi up`:
// minimal objects come back defaulted, invalid ones get kube's exact 422 text, immutable fields
// are refused. (`--validate=false` while kapi serves no OpenAPI for kubectl's client-side check.)

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type RunningServer, startUp } from '@kapi/cli';
import { Kubectl, findKubectl } from '../support/kubectl.js';
import { tempDir } from '../support/tmp.js';

const binary = findKubectl();
if (!binary) console.log('# skipping defaults/validation e2e: no kubectl on PATH');

const NS = 'defaults-e2e';

describe('kube defaults and validation through kubectl', { skip: binary ? false : 'no kubectl on PATH' }, () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let server: RunningServer | undefined;
  let kubectl: Kubectl;

  const create = (yaml: string) => kubectl.ok(['create', '-f', '-', '--validate=false'], { input: yaml });
  const getJSON = async (what: string[]) => JSON.parse(await kubectl.ok(['get', ...what, '-n', NS, '-o', 'json'])) as Record<string, any>;

  before(async () => {
    dir = await tempDir('e2e-defaults');
    server = await startUp({ dataDir: dir.path, securePort: 0, bindAddress: '127.0.0.1', admissionWorkers: 1, quiet: true });
    kubectl = new Kubectl(binary!, server.kubeconfigPath);
    // Imperative `kubectl create <kind>` sends protobuf, which kapi does not decode yet.
    await create(`apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${NS}\n`);
  });

  after(async () => {
    await server?.stop();
    await dir.remove();
  });

  it('defaults a minimal pod as kube does', async () => {
    await create(`apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  namespace: ${NS}\nspec:\n  containers:\n  - name: web\n    image: nginx\n    ports:\n    - containerPort: 80\n`);
    const pod = await getJSON(['pod', 'web']);
    assert.equal(pod.spec.restartPolicy, 'Always');
    assert.equal(pod.spec.dnsPolicy, 'ClusterFirst');
    assert.equal(pod.spec.terminationGracePeriodSeconds, 30);
    assert.equal(pod.spec.schedulerName, 'default-scheduler');
    assert.deepEqual(pod.spec.securityContext, {});
    assert.equal(pod.spec.enableServiceLinks, true);
    assert.equal(pod.spec.priority, 0);
    const c = pod.spec.containers[0];
    assert.equal(c.imagePullPolicy, 'Always');
    assert.equal(c.terminationMessagePath, '/dev/termination-log');
    assert.equal(c.terminationMessagePolicy, 'File');
    assert.equal(c.ports[0].protocol, 'TCP');
    assert.deepEqual(pod.status, { phase: 'Pending', qosClass: 'BestEffort' });
  });

  it('refuses pod updates beyond the image with kube\'s message', async () => {
    const r = await kubectl.run(['patch', 'pod', 'web', '-n', NS, '--type=merge', '-p', '{"spec":{"restartPolicy":"Never"}}']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /The Pod "web" is invalid: spec: Forbidden: pod updates may not change fields other than `spec\.containers\[\*\]\.image`/);
    await kubectl.ok(['patch', 'pod', 'web', '-n', NS, '--type=json', '-p', '[{"op":"replace","path":"/spec/containers/0/image","value":"nginx:1.27"}]']);
  });

  it('defaults a deployment and refuses a selector change', async () => {
    const deployment = `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: ${NS}\nspec:\n  selector:\n    matchLabels:\n      app: web\n  template:\n    metadata:\n      labels:\n        app: web\n    spec:\n      containers:\n      - name: web\n        image: nginx:1.27\n`;
    await create(deployment);
    const d = await getJSON(['deployment', 'web']);
    assert.equal(d.spec.replicas, 1);
    assert.deepEqual(d.spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } });
    assert.equal(d.spec.revisionHistoryLimit, 10);
    assert.equal(d.spec.progressDeadlineSeconds, 600);
    assert.equal(d.spec.template.spec.containers[0].imagePullPolicy, 'IfNotPresent');
    // Replacing it with the same minimal manifest changes nothing once defaulted: no new generation.
    await kubectl.ok(['replace', '-f', '-', '--validate=false'], { input: deployment });
    assert.equal((await getJSON(['deployment', 'web'])).metadata.generation, 1);
    const r = await kubectl.run(['patch', 'deployment', 'web', '-n', NS, '--type=merge', '-p', '{"spec":{"selector":{"matchLabels":{"app":"other"}},"template":{"metadata":{"labels":{"app":"other"}}}}}']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /The Deployment "web" is invalid: spec\.selector: Invalid value: v1\.LabelSelector\{MatchLabels:map\[string\]string\{"app":"other"\}, MatchExpressions:\[\]v1\.LabelSelectorRequirement\(nil\)\}: field is immutable/);
  });

  it('prints kube\'s error for a deployment whose selector does not match', async () => {
    const r = await kubectl.run(['create', '-f', '-', '--validate=false'], {
      input: `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: bad\n  namespace: ${NS}\nspec:\n  selector:\n    matchLabels:\n      app: front\n  template:\n    metadata:\n      labels:\n        app: back\n    spec:\n      containers:\n      - name: c\n        image: nginx\n`,
    });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /The Deployment "bad" is invalid: spec\.template\.metadata\.labels: Invalid value: map\[string\]string\{"app":"back"\}: `selector` does not match template `labels`/);
  });

  it('defaults a job with its generated selector and a cronjob', async () => {
    await create(
      `apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: pi\n  namespace: ${NS}\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers:\n      - name: pi\n        image: perl:5.34\n`,
    );
    const job = await getJSON(['job', 'pi']);
    assert.equal(job.spec.completions, 1);
    assert.equal(job.spec.parallelism, 1);
    assert.equal(job.spec.backoffLimit, 6);
    assert.equal(job.spec.completionMode, 'NonIndexed');
    assert.equal(job.spec.suspend, false);
    const uid = job.metadata.uid as string;
    assert.deepEqual(job.spec.selector, { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } });
    assert.equal(job.spec.template.metadata.labels['job-name'], 'pi');
    assert.equal(job.spec.template.metadata.labels['batch.kubernetes.io/controller-uid'], uid);
    const r = await kubectl.run(['patch', 'job', 'pi', '-n', NS, '--type=json', '-p', '[{"op":"replace","path":"/spec/template/spec/containers/0/image","value":"perl:5.36"}]']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /The Job "pi" is invalid: spec\.template: Invalid value: .*: field is immutable/);

    await create(
      `apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: tick\n  namespace: ${NS}\nspec:\n  schedule: "*/5 * * * *"\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          restartPolicy: OnFailure\n          containers:\n          - name: c\n            image: busybox:1.36\n`,
    );
    const cj = await getJSON(['cronjob', 'tick']);
    assert.equal(cj.spec.concurrencyPolicy, 'Allow');
    assert.equal(cj.spec.suspend, false);
    assert.equal(cj.spec.successfulJobsHistoryLimit, 3);
    assert.equal(cj.spec.failedJobsHistoryLimit, 1);
    const bad = await kubectl.run(['create', '-f', '-', '--validate=false'], {
      input: `apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: bad\n  namespace: ${NS}\nspec:\n  schedule: "61 * * * *"\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          restartPolicy: Never\n          containers:\n          - name: c\n            image: busybox\n`,
    });
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /spec\.schedule: Invalid value: "61 \* \* \* \*": end of range \(61\) above maximum \(59\): 61/);
  });

  it('folds secret stringData, defaults the type, and keeps immutable secrets and config maps', async () => {
    await create(`apiVersion: v1\nkind: Secret\nmetadata:\n  name: creds\n  namespace: ${NS}\nimmutable: true\nstringData:\n  user: admin\n`);
    const secret = await getJSON(['secret', 'creds']);
    assert.equal(secret.type, 'Opaque');
    assert.deepEqual(secret.data, { user: Buffer.from('admin').toString('base64') });
    assert.equal(secret.stringData, undefined);
    const s = await kubectl.run(['patch', 'secret', 'creds', '-n', NS, '--type=merge', '-p', '{"stringData":{"user":"root"}}']);
    assert.notEqual(s.code, 0);
    assert.match(s.stderr, /The Secret "creds" is invalid: data: Forbidden: field is immutable when `immutable` is set/);

    await create(`apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: frozen\n  namespace: ${NS}\nimmutable: true\ndata:\n  a: "1"\n`);
    const c = await kubectl.run(['patch', 'configmap', 'frozen', '-n', NS, '--type=merge', '-p', '{"data":{"a":"2"}}']);
    assert.notEqual(c.code, 0);
    assert.match(c.stderr, /The ConfigMap "frozen" is invalid: data: Forbidden: field is immutable when `immutable` is set/);

    const tls = await kubectl.run(['create', '-f', '-', '--validate=false'], {
      input: `apiVersion: v1\nkind: Secret\nmetadata:\n  name: tls\n  namespace: ${NS}\ntype: kubernetes.io/tls\ndata: {}\n`,
    });
    // kubectl lists several causes one per line.
    assert.match(tls.stderr, /The Secret "tls" is invalid: \n\* data\[tls\.crt\]: Required value\n\* data\[tls\.key\]: Required value/);
  });
});
