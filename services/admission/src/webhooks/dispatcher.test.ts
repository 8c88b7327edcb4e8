import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { isStatusError, type KubeObject } from '@kapi/apimachinery';
import type { AdmissionAttributes } from '../chain.js';
import { WebhookDispatcher } from './dispatcher.js';
import { selfSignedLoopback } from './test-tls.js';

type Handler = (review: { request: { uid: string; object: KubeObject; dryRun: boolean } }) => Record<string, unknown>;

const podAttrs = (name: string, labels: Record<string, string> = {}, over: Partial<AdmissionAttributes> = {}): AdmissionAttributes => ({
  operation: 'CREATE',
  group: '',
  version: 'v1',
  kind: 'Pod',
  resource: 'pods',
  subresource: '',
  namespace: 'default',
  name,
  object: { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', labels } } as KubeObject,
  oldObject: undefined,
  dryRun: false,
  fieldValidation: 'Strict',
  user: { username: 'jane' },
  ...over,
});

describe('admission webhooks', () => {
  let server: Server;
  let url: string;
  let caBundle: string;
  const handlers = new Map<string, Handler>();
  const calls: string[] = [];

  before(async () => {
    const tls = await selfSignedLoopback();
    caBundle = Buffer.from(tls.cert).toString('base64');
    server = createServer(tls, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const path = (req.url ?? '').split('?')[0]!;
        calls.push(path);
        const review = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        const respond = () => {
          const response = { uid: review.request.uid, allowed: true, ...(handlers.get(path)?.(review) ?? {}) };
          res.setHeader('Content-Type', 'application/json');
          res.end(JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response }));
        };
        if (path === '/slow') setTimeout(respond, 2_000);
        else respond();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  const config = (kind: string, name: string, hooks: Record<string, unknown>[]): KubeObject => ({ apiVersion: 'admissionregistration.k8s.io/v1', kind, metadata: { name }, webhooks: hooks } as KubeObject);
  const hook = (name: string, path: string, extra: Record<string, unknown> = {}) => ({
    name,
    clientConfig: { url: `${url}${path}`, caBundle },
    rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] }],
    sideEffects: 'None',
    admissionReviewVersions: ['v1'],
    ...extra,
  });
  const dispatcher = (mutating: KubeObject[], validating: KubeObject[] = []) =>
    new WebhookDispatcher({ mutating: () => mutating, validating: () => validating, namespaceLabels: async () => ({ team: 'a' }) });
  const context = () => {
    const warnings: string[] = [];
    const annotations: Record<string, string> = {};
    return { warnings, annotations, warn: (m: string) => void warnings.push(m), addAuditAnnotation: (k: string, v: string) => void (annotations[k] = v) };
  };

  it('applies JSONPatches in order and returns warnings', async () => {
    handlers.set('/label', () => ({ patchType: 'JSONPatch', patch: Buffer.from(JSON.stringify([{ op: 'add', path: '/metadata/labels/added', value: 'yes' }])).toString('base64'), warnings: ['labelled'], auditAnnotations: { why: 'policy' } }));
    const a = podAttrs('p');
    const ctx = context();
    await dispatcher([config('MutatingWebhookConfiguration', 'm', [hook('label.example.com', '/label')])]).mutate(a, ctx);
    assert.equal(a.object?.metadata?.labels?.added, 'yes');
    assert.deepEqual(ctx.warnings, ['labelled']);
    assert.deepEqual(ctx.annotations, { 'label.example.com/why': 'policy' });
  });

  it('denies with kube’s message and the webhook’s code', async () => {
    handlers.set('/deny', () => ({ allowed: false, status: { code: 403, reason: 'Forbidden', message: 'no pods today' } }));
    handlers.set('/deny-bare', () => ({ allowed: false }));
    const d = dispatcher([], [config('ValidatingWebhookConfiguration', 'v', [hook('deny.example.com', '/deny')])]);
    await assert.rejects(d.validate(podAttrs('p'), context()), (err) => isStatusError(err) && err.code === 403 && err.message === 'admission webhook "deny.example.com" denied the request: no pods today');
    const bare = dispatcher([], [config('ValidatingWebhookConfiguration', 'v', [hook('bare.example.com', '/deny-bare')])]);
    await assert.rejects(bare.validate(podAttrs('p'), context()), (err) => isStatusError(err) && err.code === 400 && err.message === 'admission webhook "bare.example.com" denied the request without explanation');
  });

  it('follows failurePolicy when the webhook is unreachable or too slow', async () => {
    const down = (failurePolicy: string) => ({ ...hook('down.example.com', '/x', { failurePolicy }), clientConfig: { url: 'https://127.0.0.1:1/x', caBundle } });
    await dispatcher([], [config('ValidatingWebhookConfiguration', 'v', [down('Ignore')])]).validate(podAttrs('p'), context());
    await assert.rejects(
      dispatcher([], [config('ValidatingWebhookConfiguration', 'v', [down('Fail')])]).validate(podAttrs('p'), context()),
      (err) => isStatusError(err) && err.code === 500 && /failed calling webhook "down.example.com": failed to call webhook: Post "https:\/\/127.0.0.1:1\/x\?timeout=10s": dial tcp 127.0.0.1:1: connect: connection refused/.test(err.message),
    );
    const slow = hook('slow.example.com', '/slow', { timeoutSeconds: 1 });
    await assert.rejects(dispatcher([], [config('ValidatingWebhookConfiguration', 'v', [slow])]).validate(podAttrs('p'), context()), /context deadline exceeded/);
  });

  it('selects by objectSelector, namespaceSelector and CEL matchConditions', async () => {
    calls.length = 0;
    handlers.set('/seen', () => ({}));
    const d = dispatcher([], [
      config('ValidatingWebhookConfiguration', 'v', [
        hook('objects.example.com', '/seen', { objectSelector: { matchLabels: { app: 'web' } } }),
        hook('namespaces.example.com', '/seen', { namespaceSelector: { matchLabels: { team: 'b' } } }),
        hook('cel.example.com', '/seen', { matchConditions: [{ name: 'not-jane', expression: "request.userInfo.username != 'jane'" }] }),
      ]),
    ]);
    await d.validate(podAttrs('p'), context());
    assert.equal(calls.length, 0);
    await d.validate(podAttrs('p', { app: 'web' }), context());
    assert.equal(calls.length, 1);
  });

  it('refuses webhooks with side effects on dry runs, and reinvokes IfNeeded ones', async () => {
    const unsafe = hook('unsafe.example.com', '/seen', { sideEffects: 'Some' });
    await assert.rejects(dispatcher([], [config('ValidatingWebhookConfiguration', 'v', [unsafe])]).validate(podAttrs('p', {}, { dryRun: true }), context()), /admission webhook "unsafe.example.com" does not support dry run/);
    calls.length = 0;
    handlers.set('/first', () => ({}));
    handlers.set('/second', () => ({ patchType: 'JSONPatch', patch: Buffer.from(JSON.stringify([{ op: 'add', path: '/metadata/labels/second', value: 'x' }])).toString('base64') }));
    await dispatcher([config('MutatingWebhookConfiguration', 'a', [hook('first.example.com', '/first', { reinvocationPolicy: 'IfNeeded' })]), config('MutatingWebhookConfiguration', 'b', [hook('second.example.com', '/second')])]).mutate(podAttrs('p'), context());
    assert.deepEqual(calls, ['/first', '/second', '/first']);
  });
});
