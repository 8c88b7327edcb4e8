// The authentication union, impersonation and authorization wired into a real gateway (TLS,
// filter chain, fake storage on the bus): front-proxy request headers, x509 with two CAs,
// static tokens, anonymous on and off, AlwaysDeny's Forbidden.

import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { InProcessBus } from '@kapi/bus';
import { builtinCatalogue } from '@kapi/schema';
import { silentLogger } from '../logger.js';
import { startGateway, type Gateway, type GatewayOptions } from '../server.js';
import { FakeStorage } from '../testing/fake-storage.js';
import { createTestCA, issueServingCert, type KeyPairPEM, type TestCA } from '../testing/pki.js';

interface Reply {
  status: number;
  body: string;
}

describe('gateway authentication', () => {
  let dir: string;
  let ca: TestCA;
  let frontCA: TestCA;
  let proxy: KeyPairPEM;
  let strangerProxy: KeyPairPEM;
  let alice: KeyPairPEM;
  let admin: KeyPairPEM;
  const gateways: Gateway[] = [];
  let bus: InProcessBus;

  const start = async (extra: Partial<GatewayOptions>): Promise<Gateway> => {
    const serving = await issueServingCert(ca);
    const g = await startGateway({
      bus,
      bindAddress: '127.0.0.1',
      port: 0,
      logger: silentLogger,
      tls: { cert: serving.cert, key: serving.key, clientCA: ca.cert, requestHeaderCA: frontCA.cert },
      ...extra,
    });
    gateways.push(g);
    return g;
  };
  const call = (g: Gateway, method: string, path: string, opts: { client?: KeyPairPEM; headers?: Record<string, string>; body?: string } = {}): Promise<Reply> =>
    new Promise((resolve, reject) => {
      const req = httpsRequest(
        { host: '127.0.0.1', port: g.port, method, path, ca: ca.cert, cert: opts.client?.cert, key: opts.client?.key, headers: opts.headers, servername: 'localhost', agent: false },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
        },
      );
      req.on('error', reject);
      req.end(opts.body);
    });
  const whoami = async (g: Gateway, opts: { client?: KeyPairPEM; headers?: Record<string, string> }) => {
    const r = await call(g, 'POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', {
      ...opts,
      headers: { 'Content-Type': 'application/json', ...opts.headers },
      body: '{"apiVersion":"authentication.k8s.io/v1","kind":"SelfSubjectReview"}',
    });
    return { status: r.status, user: r.status === 201 ? (JSON.parse(r.body) as { status: { userInfo: unknown } }).status.userInfo : JSON.parse(r.body) };
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kapi-gw-authn-'));
    ca = await createTestCA('client-ca');
    frontCA = await createTestCA('front-proxy-ca');
    proxy = await frontCA.issue({ subject: 'CN=front-proxy-client' });
    strangerProxy = await frontCA.issue({ subject: 'CN=someone-else' });
    alice = await ca.issue({ subject: 'CN=alice, O=dev' });
    admin = await ca.issue({ subject: 'CN=admin, O=system:masters' });
    bus = new InProcessBus();
    await new FakeStorage(builtinCatalogue()).serve(bus.peer());
    await writeFile(join(dir, 'tokens.csv'), 'tok-bob,bob,bob-uid,viewers\n');
  });

  after(async () => {
    for (const g of gateways) await g.close();
    await bus.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('front proxy: X-Remote-* from an allowed proxy certificate; not from a client certificate', async () => {
    const g = await start({
      authentication: {
        tokenAuthFile: join(dir, 'tokens.csv'),
        requestHeader: {
          clientCA: frontCA.cert,
          allowedNames: ['front-proxy-client'],
          usernameHeaders: ['X-Remote-User'],
          groupHeaders: ['X-Remote-Group'],
          extraHeaderPrefixes: ['X-Remote-Extra-'],
        },
      },
    });
    const headers = { 'X-Remote-User': 'carol', 'X-Remote-Group': 'ops', 'X-Remote-Extra-Scopes%2fA': 'read' };
    assert.deepEqual(await whoami(g, { client: proxy, headers }), {
      status: 201,
      user: { username: 'carol', groups: ['ops', 'system:authenticated'], extra: { 'scopes/a': ['read'] } },
    });
    // a proxy CN not in --requestheader-allowed-names, and a client-CA certificate sending the headers
    assert.equal((await whoami(g, { client: strangerProxy, headers })).status, 401);
    assert.deepEqual(await whoami(g, { client: alice, headers }), { status: 201, user: { username: 'alice', groups: ['dev', 'system:authenticated'] } });
    // a front-proxy certificate without the user header is no x509 user (wrong CA for x509)
    assert.equal((await whoami(g, { client: proxy })).status, 401);
    // static tokens still work, and an unknown token is kube's 401
    assert.deepEqual(await whoami(g, { headers: { Authorization: 'Bearer tok-bob' } }), {
      status: 201,
      user: { username: 'bob', uid: 'bob-uid', groups: ['viewers', 'system:authenticated'] },
    });
    const bad = await call(g, 'GET', '/api/v1/pods', { headers: { Authorization: 'Bearer nope' } });
    assert.equal(bad.status, 401);
    assert.deepEqual(JSON.parse(bad.body), { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
  });

  it('--anonymous-auth=false: no credentials is 401 even for /healthz', async () => {
    const g = await start({ authentication: { anonymous: false } });
    assert.equal((await call(g, 'GET', '/healthz')).status, 401);
    const on = await start({});
    assert.equal((await call(on, 'GET', '/version')).status, 200);
  });

  it('AlwaysDeny: kube’s Forbidden, except for system:masters; impersonation is denied too', async () => {
    const g = await start({ authorizationModes: ['AlwaysDeny'] });
    const denied = await call(g, 'GET', '/api/v1/namespaces/default/configmaps/x', { client: alice });
    assert.equal(denied.status, 403);
    assert.deepEqual(JSON.parse(denied.body), {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'configmaps "x" is forbidden: User "alice" cannot get resource "configmaps" in API group "" in the namespace "default": Everything is forbidden.',
      reason: 'Forbidden',
      details: { name: 'x', kind: 'configmaps' },
      code: 403,
    });
    const path = await call(g, 'GET', '/metrics', { client: alice });
    assert.equal(JSON.parse(path.body).message, 'forbidden: User "alice" cannot get path "/metrics": Everything is forbidden.');
    const imp = await call(g, 'GET', '/api/v1/pods', { client: alice, headers: { 'Impersonate-User': 'jane' } });
    assert.equal(imp.status, 403);
    assert.equal(JSON.parse(imp.body).message, 'users "jane" is forbidden: User "alice" cannot impersonate resource "users" in API group "" at the cluster scope: Everything is forbidden.');
    // system:masters passes and may impersonate; the impersonated jane is then authorized herself
    const asJane = await whoami(g, { client: admin, headers: { 'Impersonate-User': 'jane', 'Impersonate-Group': 'dev' } });
    assert.equal(asJane.status, 403);
    assert.match((asJane.user as { message: string }).message, /User "jane" cannot create resource "selfsubjectreviews"/);
    assert.deepEqual(await whoami(g, { client: admin, headers: { 'Impersonate-User': 'jane', 'Impersonate-Group': 'system:masters' } }), {
      status: 201,
      user: { username: 'jane', groups: ['system:masters', 'system:authenticated'] },
    });
  });

  it('without --client-ca-file no client certificate is asked for: tokens still authenticate', async () => {
    const serving = await issueServingCert(ca);
    const g = await startGateway({
      bus,
      bindAddress: '127.0.0.1',
      port: 0,
      logger: silentLogger,
      tls: { cert: serving.cert, key: serving.key, clientCA: '' },
      authentication: { tokenAuthFile: join(dir, 'tokens.csv') },
    });
    gateways.push(g);
    assert.equal((await whoami(g, { client: admin })).status, 401, 'a client certificate is not asked for, so it is anonymous');
    assert.equal((await whoami(g, { headers: { Authorization: 'Bearer tok-bob' } })).status, 201);
  });

  it('TokenReview: authenticated user, unknown token, missing token', async () => {
    const g = await start({ authentication: { tokenAuthFile: join(dir, 'tokens.csv') } });
    const review = (spec: unknown) =>
      call(g, 'POST', '/apis/authentication.k8s.io/v1/tokenreviews', {
        client: admin,
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec }),
      });
    const ok = await review({ token: 'tok-bob' });
    assert.equal(ok.status, 201);
    assert.deepEqual(JSON.parse(ok.body), {
      kind: 'TokenReview',
      apiVersion: 'authentication.k8s.io/v1',
      metadata: { creationTimestamp: null },
      spec: { token: 'tok-bob' },
      status: { authenticated: true, user: { username: 'bob', uid: 'bob-uid', groups: ['viewers', 'system:authenticated'] } },
    });
    const unknown = await review({ token: 'nope' });
    assert.deepEqual(JSON.parse(unknown.body).status, { user: {}, error: 'invalid bearer token' });
    const missing = await review({});
    assert.equal(missing.status, 400);
    assert.equal(JSON.parse(missing.body).message, 'token is required for TokenReview in authentication');
  });
});
