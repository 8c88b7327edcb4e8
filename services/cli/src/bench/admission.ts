// Admission rows of the bench: Pod creates through `kapi up` (every default admission plugin on)
// with no webhooks, with one mutating and one validating webhook served by a local HTTPS server,
// with five ValidatingAdmissionPolicies, and with two admission replicas instead of one. Each
// configuration is removed before the next row.

import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { KubeClient } from './kube-client.js';
import { type LoadResult, runLoad } from './load.js';

export interface AdmissionRows {
  plain: LoadResult;
  webhooks: LoadResult;
  policies: LoadResult;
}

const pod = (name: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { bench: 'admission' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } });

/** Creates pods (after a short warm-up) and deletes nothing: names carry the row's prefix. */
export async function podCreates(client: KubeClient, prefix: string, load: { concurrency: number; durationMs: number; maxOps: number }): Promise<LoadResult> {
  const base = '/api/v1/namespaces/default/pods';
  await runLoad({ concurrency: load.concurrency, durationMs: Math.min(1_000, load.durationMs), maxOps: 500 }, async (i) => {
    await client.expectOk('POST', base, pod(`${prefix}-warmup-${i}`));
  });
  return runLoad(load, async (i) => {
    await client.expectOk('POST', base, pod(`${prefix}-${i}`));
  });
}

/** A webhook server that admits everything, adding a label (mutating path). */
async function startWebhookServer(tls: { cert: string; key: string }): Promise<{ server: Server; url: string }> {
  const patch = Buffer.from(JSON.stringify([{ op: 'add', path: '/metadata/labels/bench-mutated', value: 'true' }])).toString('base64');
  const server = createServer(tls, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const review = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { request: { uid: string } };
      const mutate = (req.url ?? '').startsWith('/mutate');
      const response = mutate ? { uid: review.request.uid, allowed: true, patchType: 'JSONPatch', patch } : { uid: review.request.uid, allowed: true };
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `https://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const ADMISSIONREG = '/apis/admissionregistration.k8s.io/v1';

function webhookConfiguration(kind: 'Mutating' | 'Validating', url: string, caBundle: string) {
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: `${kind}WebhookConfiguration`,
    metadata: { name: `bench-${kind.toLowerCase()}` },
    webhooks: [
      {
        name: `bench-${kind.toLowerCase()}.kapi.dev`,
        clientConfig: { url: `${url}/${kind === 'Mutating' ? 'mutate' : 'validate'}`, caBundle },
        rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] }],
        objectSelector: { matchLabels: { bench: 'admission' } },
        sideEffects: 'None',
        admissionReviewVersions: ['v1'],
      },
    ],
  };
}

function policy(i: number) {
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicy',
    metadata: { name: `bench-policy-${i}` },
    spec: {
      failurePolicy: 'Fail',
      matchConstraints: { resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'] }] },
      validations: [
        { expression: `object.spec.containers.all(c, c.image.size() < ${100 + i})`, message: 'image name too long' },
        { expression: "!has(object.metadata.labels) || !('forbidden' in object.metadata.labels)", message: 'forbidden label' },
      ],
    },
  };
}

function binding(i: number) {
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicyBinding',
    metadata: { name: `bench-binding-${i}` },
    spec: { policyName: `bench-policy-${i}`, validationActions: ['Deny'] },
  };
}

/** Waits until the admission services use a new configuration (their caches turn over in about a second). */
const settle = () => new Promise((resolve) => setTimeout(resolve, 2_500));

/** The three single-replica rows against one running `kapi up`. */
export async function admissionRows(client: KubeClient, tls: { cert: string; key: string; ca: string }, load: { concurrency: number; durationMs: number; maxOps: number }): Promise<AdmissionRows> {
  const plain = await podCreates(client, 'plain', load);

  const hooks = await startWebhookServer(tls);
  let webhooks: LoadResult;
  try {
    const caBundle = Buffer.from(tls.ca).toString('base64');
    await client.expectOk('POST', `${ADMISSIONREG}/mutatingwebhookconfigurations`, webhookConfiguration('Mutating', hooks.url, caBundle));
    await client.expectOk('POST', `${ADMISSIONREG}/validatingwebhookconfigurations`, webhookConfiguration('Validating', hooks.url, caBundle));
    await settle();
    webhooks = await podCreates(client, 'webhooks', load);
    await client.expectOk('DELETE', `${ADMISSIONREG}/mutatingwebhookconfigurations/bench-mutating`);
    await client.expectOk('DELETE', `${ADMISSIONREG}/validatingwebhookconfigurations/bench-validating`);
  } finally {
    await new Promise<void>((resolve) => hooks.server.close(() => resolve()));
  }

  for (let i = 0; i < 5; i++) {
    await client.expectOk('POST', `${ADMISSIONREG}/validatingadmissionpolicies`, policy(i));
    await client.expectOk('POST', `${ADMISSIONREG}/validatingadmissionpolicybindings`, binding(i));
  }
  await settle();
  const policies = await podCreates(client, 'policies', load);
  for (let i = 0; i < 5; i++) {
    await client.expectOk('DELETE', `${ADMISSIONREG}/validatingadmissionpolicybindings/bench-binding-${i}`);
    await client.expectOk('DELETE', `${ADMISSIONREG}/validatingadmissionpolicies/bench-policy-${i}`);
  }
  return { plain, webhooks, policies };
}
