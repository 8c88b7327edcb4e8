import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createTestCA, issueServingCert } from '../testing/pki.js';
import { CachedTokenAuthenticator } from './token-cache.js';
import { readWebhookKubeconfig, WebhookTokenAuthenticator } from './webhook.js';

let server: Server;
let dir: string;
let kubeconfig: string;
const reviews: { apiVersion: string; spec: { token: string; audiences?: string[] } }[] = [];

before(async () => {
  const ca = await createTestCA();
  const serving = await issueServingCert(ca);
  server = createServer({ cert: serving.cert, key: serving.key }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const review = JSON.parse(Buffer.concat(chunks).toString()) as (typeof reviews)[number];
      reviews.push(review);
      assert.equal(req.headers.authorization, 'Bearer hook-secret');
      const status =
        review.spec.token === 'good'
          ? { authenticated: true, user: { username: 'webhook-user', uid: 'w1', groups: ['wg'] } }
          : review.spec.token === 'boom'
            ? { authenticated: false, error: 'backend exploded' }
            : { authenticated: false };
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ apiVersion: review.apiVersion, kind: 'TokenReview', status }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  dir = await mkdtemp(join(tmpdir(), 'kapi-webhook-'));
  kubeconfig = join(dir, 'webhook.kubeconfig');
  await writeFile(
    kubeconfig,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      '- name: hook',
      '  cluster:',
      `    server: https://127.0.0.1:${(server.address() as AddressInfo).port}/authenticate`,
      `    certificate-authority-data: ${Buffer.from(ca.cert).toString('base64')}`,
      'users:',
      '- name: apiserver',
      '  user:',
      '    token: hook-secret',
      'contexts:',
      '- name: hook',
      '  context: {cluster: hook, user: apiserver}',
      'current-context: hook',
    ].join('\n'),
  );
});

after(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  await rm(dir, { recursive: true, force: true });
});

test('webhook: TokenReview over HTTPS; user, no opinion, error; cached for the TTL', async () => {
  const target = await readWebhookKubeconfig(kubeconfig, 'v1');
  const hook = new WebhookTokenAuthenticator(target);
  assert.deepEqual(await hook.authenticateToken('good', ['api']), {
    kind: 'user',
    user: { username: 'webhook-user', uid: 'w1', groups: ['wg'] },
    audiences: ['api'],
  });
  assert.deepEqual(reviews.at(-1), { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', metadata: { creationTimestamp: null }, spec: { token: 'good', audiences: ['api'] }, status: { user: {} } });
  assert.deepEqual(await hook.authenticateToken('nobody', []), { kind: 'none' });
  assert.deepEqual(await hook.authenticateToken('boom', []), { kind: 'error', reason: 'backend exploded' });

  let now = 0;
  const cached = new CachedTokenAuthenticator(hook, { successTtlMs: 120_000, failureTtlMs: 120_000, now: () => now });
  const before = reviews.length;
  await cached.authenticateToken('good', []);
  await cached.authenticateToken('good', []);
  await cached.authenticateToken('nobody', []);
  await cached.authenticateToken('nobody', []);
  assert.equal(reviews.length - before, 2);
  now += 120_001;
  await cached.authenticateToken('good', []);
  assert.equal(reviews.length - before, 3);
});

test('webhook: an unreachable service is an error, not a user', async () => {
  const hook = new WebhookTokenAuthenticator({ server: 'https://127.0.0.1:1/authenticate', version: 'v1beta1', timeoutMs: 2000 });
  const r = await hook.authenticateToken('good', []);
  assert.equal(r.kind, 'error');
});
