// Admission end to end against `kapi up` with two admission replicas: a mutating and a
// validating webhook (HTTPS, caBundle) — labels added, a denial as kubectl prints it,
// failurePolicy Ignore vs Fail with the webhook down; a ValidatingAdmissionPolicy with Deny and
// Warn bindings; LimitRanger defaults and limits; ResourceQuota under 20 concurrent creates;
// PodSecurity restricted.

import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ensurePki } from '@kapi/cli';
import type { HttpsOptions } from '../support/https.js';
import { Kubectl, findKubectl } from '../support/kubectl.js';
import { startTestUp, type TestUp } from '../support/up.js';

const binary = findKubectl();
if (!binary) console.log('# skipping kubectl parts of the admission e2e: no kubectl on PATH');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Review = { request: { uid: string; name?: string; object: { metadata: { name?: string; labels?: Record<string, string> } } } };

describe('admission against kapi up', () => {
  let up: TestUp;
  let hook: Server;
  let hookURL: string;
  const hookCalls: string[] = [];

  const call = (path: string, opts: Omit<HttpsOptions, 'ca'> = {}) => up.asAdmin(path, opts);
  const post = (path: string, body: unknown) => up.post(path, body);
  const pod = (name: string, extra: Record<string, unknown> = {}) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'nginx' }] }, ...extra });
  const namespace = async (name: string, labels: Record<string, string> = {}) => {
    const res = await post('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });
    assert.equal(res.status, 201, res.body);
    // the service account controller gives it its `default` account
    for (let i = 0; (await call(`/api/v1/namespaces/${name}/serviceaccounts/default`)).status !== 200; i++) {
      assert.ok(i < 100, `default service account in ${name}`);
      await sleep(100);
    }
  };

  before(async () => {
    up = await startTestUp('e2e-admission', async (dir) => {
      const pki = await ensurePki(join(dir, 'data'), '127.0.0.1');
      // The webhook server: serves with kapi's serving certificate (valid for 127.0.0.1), trusted
      // through the caBundle.
      hook = createServer({ cert: pki.servingCert, key: pki.servingKey }, (req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const review = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Review;
          const path = (req.url ?? '').split('?')[0]!;
          hookCalls.push(path);
          const name = review.request.object?.metadata?.name ?? review.request.name ?? '';
          let response: Record<string, unknown> = { uid: review.request.uid, allowed: true };
          if (path === '/mutate') {
            const ops = review.request.object.metadata.labels
              ? [{ op: 'add', path: '/metadata/labels/mutated', value: 'true' }]
              : [{ op: 'add', path: '/metadata/labels', value: { mutated: 'true' } }];
            response = { ...response, patchType: 'JSONPatch', patch: Buffer.from(JSON.stringify(ops)).toString('base64'), warnings: ['mutated by the test webhook'] };
          } else if (path === '/validate' && name.startsWith('forbidden')) {
            response = { uid: review.request.uid, allowed: false, status: { code: 403, reason: 'Forbidden', message: 'pods named forbidden are not allowed' } };
          }
          res.setHeader('Content-Type', 'application/json');
          res.end(JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response }));
        });
      });
      await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
      hookURL = `https://127.0.0.1:${(hook.address() as AddressInfo).port}`;
      return { admissionReplicas: 2 };
    });
  });

  after(async () => {
    await up?.stop();
    await new Promise<void>((r) => (hook ? hook.close(() => r()) : r()));
  });

  const webhookConfig = (kind: 'Mutating' | 'Validating', name: string, url: string, failurePolicy: 'Fail' | 'Ignore', selector: Record<string, string>) => ({
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: `${kind}WebhookConfiguration`,
    metadata: { name },
    webhooks: [
      {
        name: `${name}.example.com`,
        clientConfig: { url, caBundle: Buffer.from(up.ca).toString('base64') },
        rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'], scope: 'Namespaced' }],
        namespaceSelector: { matchLabels: selector },
        failurePolicy,
        sideEffects: 'None',
        admissionReviewVersions: ['v1'],
        timeoutSeconds: 5,
      },
    ],
  });

  it('runs mutating and validating webhooks; kubectl prints the denial', async () => {
    await namespace('hooks', { webhooks: 'on' });
    assert.equal((await post('/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations', webhookConfig('Mutating', 'label', `${hookURL}/mutate`, 'Fail', { webhooks: 'on' }))).status, 201);
    assert.equal((await post('/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations', webhookConfig('Validating', 'deny', `${hookURL}/validate`, 'Fail', { webhooks: 'on' }))).status, 201);
    // configuration changes are picked up without a restart (within the admission cache's second)
    let created!: Awaited<ReturnType<typeof post>>;
    for (let i = 0; ; i++) {
      created = await post('/api/v1/namespaces/hooks/pods', pod(`web-${i}`));
      assert.equal(created.status, 201, created.body);
      if (JSON.parse(created.body).metadata.labels?.mutated === 'true') break;
      assert.ok(i < 30, 'the mutating webhook took effect');
      await sleep(200);
    }
    assert.match(String(created.headers.warning ?? ''), /mutated by the test webhook/);
    // both admission replicas follow the configurations within moments
    let denied!: Awaited<ReturnType<typeof post>>;
    for (let i = 0; ; i++) {
      denied = await post('/api/v1/namespaces/hooks/pods', pod(`forbidden-${i}`));
      if (denied.status !== 201) break;
      assert.ok(i < 30, 'the validating webhook took effect');
      await sleep(200);
    }
    assert.equal(denied.status, 403, denied.body);
    assert.equal(JSON.parse(denied.body).message, 'admission webhook "deny.example.com" denied the request: pods named forbidden are not allowed');
    // once every worker's configuration snapshot has turned over (a second), every replica denies
    await sleep(1_200);
    for (let i = 0; i < 4; i++) assert.equal((await post('/api/v1/namespaces/hooks/pods', pod(`forbidden-again-${i}`))).status, 403);
    // other namespaces are not selected
    await namespace('nohooks');
    assert.equal((await post('/api/v1/namespaces/nohooks/pods', pod('forbidden'))).status, 201);
    if (binary) {
      const kubectl = new Kubectl(binary, up.server.kubeconfigPath);
      const out = await kubectl.run(['run', 'forbidden', '-n', 'hooks', '--image=nginx']);
      assert.notEqual(out.code, 0);
      assert.match(out.stderr, /Error from server \(Forbidden\): admission webhook "deny.example.com" denied the request: pods named forbidden are not allowed/);
    }
  });

  it('follows failurePolicy when the webhook is down', async () => {
    await namespace('down-ignore', { down: 'ignore' });
    await namespace('down-fail', { down: 'fail' });
    const closed = 'https://127.0.0.1:1/validate';
    assert.equal((await post('/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations', webhookConfig('Validating', 'down-ignore', closed, 'Ignore', { down: 'ignore' }))).status, 201);
    assert.equal((await post('/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations', webhookConfig('Validating', 'down-fail', closed, 'Fail', { down: 'fail' }))).status, 201);
    await sleep(1_200);
    assert.equal((await post('/api/v1/namespaces/down-ignore/pods', pod('a'))).status, 201);
    const failed = await post('/api/v1/namespaces/down-fail/pods', pod('a'));
    assert.equal(failed.status, 500, failed.body);
    assert.match(JSON.parse(failed.body).message, /^Internal error occurred: failed calling webhook "down-fail.example.com": failed to call webhook: Post "https:\/\/127.0.0.1:1\/validate\?timeout=5s": dial tcp 127.0.0.1:1: connect: connection refused$/);
  });

  it('applies a ValidatingAdmissionPolicy with Deny and Warn bindings', async () => {
    await namespace('vap-deny', { vap: 'deny' });
    await namespace('vap-warn', { vap: 'warn' });
    const policy = await post('/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicies', {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicy',
      metadata: { name: 'max-replicas' },
      spec: {
        failurePolicy: 'Fail',
        matchConstraints: { resourceRules: [{ apiGroups: ['apps'], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['deployments'] }] },
        validations: [{ expression: 'object.spec.replicas <= 5', messageExpression: '"replicas must be no greater than 5, got " + string(object.spec.replicas)' }],
      },
    });
    assert.equal(policy.status, 201, policy.body);
    for (const action of ['deny', 'warn']) {
      const binding = await post('/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicybindings', {
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind: 'ValidatingAdmissionPolicyBinding',
        metadata: { name: `max-replicas-${action}` },
        spec: { policyName: 'max-replicas', validationActions: [action === 'deny' ? 'Deny' : 'Warn'], matchResources: { namespaceSelector: { matchLabels: { vap: action } } } },
      });
      assert.equal(binding.status, 201, binding.body);
    }
    const deployment = (name: string, replicas: number) => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name },
      spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
    });
    let denied!: Awaited<ReturnType<typeof post>>;
    for (let i = 0; ; i++) {
      denied = await post('/apis/apps/v1/namespaces/vap-deny/deployments', deployment(`big-${i}`, 6));
      if (denied.status !== 201) break;
      assert.ok(i < 30, 'the policy took effect');
      await sleep(200);
    }
    assert.equal(denied.status, 422, denied.body);
    const status = JSON.parse(denied.body);
    assert.equal(status.reason, 'Invalid');
    assert.match(status.message, /^deployments.apps "big-\d+" is forbidden: ValidatingAdmissionPolicy 'max-replicas' with binding 'max-replicas-deny' denied request: replicas must be no greater than 5, got 6$/);
    assert.equal((await post('/apis/apps/v1/namespaces/vap-deny/deployments', deployment('small', 5))).status, 201);
    // the policy's status: observed, and type-checked without warnings
    for (let i = 0; ; i++) {
      const status = JSON.parse((await call('/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicies/max-replicas')).body).status;
      if (status?.observedGeneration === 1) {
        assert.deepEqual(status.typeChecking, {});
        break;
      }
      assert.ok(i < 50, 'the policy status is written');
      await sleep(200);
    }
    // every admission replica follows the configuration within moments
    for (let i = 0; ; i++) {
      const warned = await post('/apis/apps/v1/namespaces/vap-warn/deployments', deployment(`big-${i}`, 6));
      assert.equal(warned.status, 201, warned.body);
      if (/Validation failed for ValidatingAdmissionPolicy 'max-replicas' with binding 'max-replicas-warn': replicas must be no greater than 5, got 6/.test(String(warned.headers.warning ?? ''))) break;
      assert.ok(i < 30, `the Warn binding took effect: ${String(warned.headers.warning ?? '')}`);
      await sleep(200);
    }
  });

  it('fills container resources from a LimitRange and enforces its bounds', async () => {
    await namespace('limits');
    const lr = await post('/api/v1/namespaces/limits/limitranges', {
      apiVersion: 'v1',
      kind: 'LimitRange',
      metadata: { name: 'defaults' },
      spec: { limits: [{ type: 'Container', default: { cpu: '200m', memory: '256Mi' }, defaultRequest: { cpu: '100m', memory: '128Mi' }, max: { cpu: '1' } }] },
    });
    assert.equal(lr.status, 201, lr.body);
    await sleep(1_200);
    const created = await post('/api/v1/namespaces/limits/pods', pod('defaulted'));
    assert.equal(created.status, 201, created.body);
    const got = JSON.parse(created.body);
    assert.deepEqual(got.spec.containers[0].resources, { limits: { cpu: '200m', memory: '256Mi' }, requests: { cpu: '100m', memory: '128Mi' } });
    assert.equal(got.metadata.annotations['kubernetes.io/limit-ranger'], 'LimitRanger plugin set: cpu, memory request for container c; cpu, memory limit for container c');
    const big = await post('/api/v1/namespaces/limits/pods', pod('big', { spec: { containers: [{ name: 'c', image: 'nginx', resources: { limits: { cpu: '2' } } }] } }));
    assert.equal(big.status, 403, big.body);
    assert.equal(JSON.parse(big.body).message, 'pods "big" is forbidden: maximum cpu usage per Container is 1, but limit is 2');
  });

  it('never lets 20 concurrent creates through two admission replicas exceed a quota', async () => {
    await namespace('quota');
    const quota = await post('/api/v1/namespaces/quota/resourcequotas', { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'pods' }, spec: { hard: { pods: '5' } } });
    assert.equal(quota.status, 201, quota.body);
    // the controllers service counts it first
    for (let i = 0; !JSON.parse((await call('/api/v1/namespaces/quota/resourcequotas/pods')).body).status?.hard; i++) {
      assert.ok(i < 100, 'the quota has a status');
      await sleep(100);
    }
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => post('/api/v1/namespaces/quota/pods', pod(`p${i}`))));
    const created = results.filter((r) => r.status === 201).length;
    assert.equal(created, 5, results.map((r) => `${r.status} ${r.body.slice(0, 200)}`).join('\n'));
    const refused = results.filter((r) => r.status === 403).map((r) => JSON.parse(r.body).message as string);
    assert.equal(refused.length, 15);
    assert.ok(refused.some((m) => /^pods "p\d+" is forbidden: exceeded quota: pods, requested: pods=1, used: pods=5, limited: pods=5$/.test(m)), refused[0]);
    const list = JSON.parse((await call('/api/v1/namespaces/quota/pods')).body);
    assert.equal(list.items.length, 5);
  });

  it('enforces PodSecurity restricted from the namespace label', async () => {
    await namespace('secure', { 'pod-security.kubernetes.io/enforce': 'restricted' });
    const privileged = await post('/api/v1/namespaces/secure/pods', pod('priv', { spec: { containers: [{ name: 'c', image: 'nginx', securityContext: { privileged: true } }] } }));
    assert.equal(privileged.status, 403, privileged.body);
    assert.equal(
      JSON.parse(privileged.body).message,
      'pods "priv" is forbidden: violates PodSecurity "restricted:latest": privileged (container "c" must not set securityContext.privileged=true), allowPrivilegeEscalation != false (container "c" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container "c" must set securityContext.capabilities.drop=["ALL"]), runAsNonRoot != true (pod or container "c" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container "c" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")',
    );
    const compliant = await post('/api/v1/namespaces/secure/pods', pod('ok', {
      spec: {
        securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
        containers: [{ name: 'c', image: 'nginx', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } }],
      },
    }));
    assert.equal(compliant.status, 201, compliant.body);
  });

  it('writes the tests’ webhook calls to both paths', () => {
    assert.ok(hookCalls.includes('/mutate') && hookCalls.includes('/validate'));
  });
});

