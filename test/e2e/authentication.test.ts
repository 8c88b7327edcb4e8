// Authentication end to end against `kapi up`: static tokens (--token-auth-file), bound
// service-account tokens from the TokenRequest subresource (valid until the ServiceAccount is
// deleted), TokenReview and SelfSubjectReview, impersonation with kubectl --as, the
// service-account issuer discovery documents, and kube's 401 for a bad token.

import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { connect as http2Connect } from 'node:http2';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { generateKeyPairSync } from 'node:crypto';
import { createServer as createHttpsServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createLocalJWKSet, decodeJwt, exportJWK, jwtVerify, SignJWT, type JSONWebKeySet } from 'jose';
import * as k8s from '@kubernetes/client-node';
import { ensurePki, type RunningServer, startUp } from '@kapi/cli';
import { httpsCall, type HttpsOptions } from '../support/https.js';
import { Kubectl, findKubectl } from '../support/kubectl.js';
import { tempDir } from '../support/tmp.js';

const binary = findKubectl();
if (!binary) console.log('# skipping kubectl parts of the authentication e2e: no kubectl on PATH');

const ISSUER = 'https://kubernetes.default.svc.cluster.local';

describe('authentication against kapi up', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let server: RunningServer;
  let base: string;
  let ca: string;
  let admin: { cert: string; key: string };
  // a local OIDC issuer: discovery + JWKS over HTTPS (served with kapi's own serving certificate)
  let oidc: Server;
  let oidcIssuer: string;
  const oidcKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const oidcToken = async (claims: Record<string, unknown> = {}) => {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ iss: oidcIssuer, aud: 'kapi', sub: 'jane-sub', email: 'jane@example.com', email_verified: true, groups: ['dev'], iat: now, exp: now + 600, ...claims })
      .setProtectedHeader({ alg: 'RS256', kid: 'oidc-1' })
      .sign(oidcKey.privateKey);
  };

  const call = (path: string, opts: Omit<HttpsOptions, 'ca'> = {}) => httpsCall(`${base}${path}`, { ca, ...opts });
  const asAdmin = (path: string, opts: Omit<HttpsOptions, 'ca'> = {}) => call(path, { ...admin, ...opts });
  const bearer = (token: string, extra: Record<string, string> = {}) => ({ Authorization: `Bearer ${token}`, ...extra });
  const tokenKubeconfig = async (name: string, token: string): Promise<string> => {
    const path = join(dir.path, `${name}.kubeconfig`);
    const config = {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'kapi', cluster: { server: base, 'certificate-authority-data': Buffer.from(ca).toString('base64') } }],
      users: [{ name, user: { token } }],
      contexts: [{ name, context: { cluster: 'kapi', user: name } }],
      'current-context': name,
    };
    await writeFile(path, JSON.stringify(config));
    return path;
  };
  const whoami = async (headers: Record<string, string>, cert?: { cert: string; key: string }) => {
    const res = await call('/apis/authentication.k8s.io/v1/selfsubjectreviews', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...headers },
      body: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' }),
      ...cert,
    });
    return res;
  };
  const requestToken = async (namespace: string, name: string, spec: Record<string, unknown> = {}) =>
    asAdmin(`/api/v1/namespaces/${namespace}/serviceaccounts/${name}/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec }),
    });

  before(async () => {
    dir = await tempDir('e2e-authn');
    const tokenFile = join(dir.path, 'tokens.csv');
    await writeFile(tokenFile, 'alice-token,alice,alice-uid,"dev,ops"\nbob-token,bob,bob-uid\n');
    const pki = await ensurePki(join(dir.path, 'data'), '127.0.0.1');
    const jwk = { ...(await exportJWK(oidcKey.publicKey)), kid: 'oidc-1', alg: 'RS256', use: 'sig' };
    oidc = createHttpsServer({ cert: pki.servingCert, key: pki.servingKey }, (req, res) => {
      res.setHeader('Content-Type', 'application/json');
      if (req.url === '/.well-known/openid-configuration') res.end(JSON.stringify({ issuer: oidcIssuer, jwks_uri: `${oidcIssuer}/jwks` }));
      else if (req.url === '/jwks') res.end(JSON.stringify({ keys: [jwk] }));
      else {
        res.statusCode = 404;
        res.end('{}');
      }
    });
    await new Promise<void>((r) => oidc.listen(0, '127.0.0.1', r));
    oidcIssuer = `https://127.0.0.1:${(oidc.address() as AddressInfo).port}`;
    const authConfig = join(dir.path, 'authentication-config.yaml');
    await writeFile(
      authConfig,
      JSON.stringify({
        apiVersion: 'apiserver.config.k8s.io/v1',
        kind: 'AuthenticationConfiguration',
        jwt: [
          {
            issuer: { url: oidcIssuer, audiences: ['kapi'], certificateAuthority: pki.caCert },
            claimMappings: { username: { claim: 'email', prefix: 'oidc:' }, groups: { claim: 'groups', prefix: 'oidc:' }, uid: { claim: 'sub' } },
          },
        ],
      }),
    );
    server = await startUp({
      dataDir: join(dir.path, 'data'),
      securePort: 0,
      bindAddress: '127.0.0.1',
      admissionWorkers: 1,
      quiet: true,
      // authentication only: every authenticated user may do everything (authorization.test.ts
      // covers RBAC)
      auth: { tokenAuthFile: tokenFile, authenticationConfig: authConfig, authorizationMode: ['AlwaysAllow'] },
    });
    base = `https://127.0.0.1:${server.port}`;
    ca = await readFile(join(server.dataDir, 'pki', 'ca.crt'), 'utf8');
    admin = { cert: await readFile(join(server.dataDir, 'pki', 'admin.crt'), 'utf8'), key: await readFile(join(server.dataDir, 'pki', 'admin.key'), 'utf8') };
  });

  after(async () => {
    await server?.stop();
    await new Promise<void>((r) => (oidc ? oidc.close(() => r()) : r()));
    await dir?.remove();
  });

  it('authenticates a static token from --token-auth-file (SelfSubjectReview)', async () => {
    const res = await whoami(bearer('alice-token'));
    assert.equal(res.status, 201, res.body);
    const review = JSON.parse(res.body) as { kind: string; status: { userInfo: unknown } };
    assert.equal(review.kind, 'SelfSubjectReview');
    assert.deepEqual(review.status.userInfo, { username: 'alice', uid: 'alice-uid', groups: ['dev', 'ops', 'system:authenticated'] });
  });

  it('answers an unknown token with kube’s 401 Status', async () => {
    const res = await call('/api/v1/namespaces/default/configmaps', { headers: bearer('no-such-token') });
    assert.equal(res.status, 401);
    assert.equal(res.headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(res.body), { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
    // no credentials at all: anonymous, which may read only health and version here
    assert.equal((await call('/readyz')).status, 200);
    assert.equal((await call('/api/v1/namespaces')).status, 401);
  });

  it('kubectl works with a token from --token-auth-file', { skip: binary ? false : 'no kubectl' }, async () => {
    const kubectl = new Kubectl(binary!, await tokenKubeconfig('alice', 'alice-token'));
    await kubectl.ok(['create', '-f', '-', '--validate=false'], {
      input: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'from-alice', namespace: 'default' }, data: { a: 'b' } }),
    });
    assert.equal(await kubectl.ok(['get', 'configmap', 'from-alice', '-n', 'default', '-o', 'jsonpath={.data.a}']), 'b');
    const denied = await new Kubectl(binary!, await tokenKubeconfig('mallory', 'wrong')).run(['get', 'configmaps']);
    assert.notEqual(denied.code, 0);
    assert.match(denied.stderr, /You must be logged in to the server \(Unauthorized\)/);
  });

  it('issues bound service-account tokens that stop working once the ServiceAccount is gone', async () => {
    const sa = await asAdmin('/api/v1/namespaces/default/serviceaccounts', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'robot' } }),
    });
    assert.equal(sa.status, 201, sa.body);
    const saUid = (JSON.parse(sa.body) as { metadata: { uid: string } }).metadata.uid;

    const tooShort = await requestToken('default', 'robot', { expirationSeconds: 60 });
    assert.equal(tooShort.status, 422);
    assert.equal(
      (JSON.parse(tooShort.body) as { message: string }).message,
      'TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes',
    );
    assert.equal((await requestToken('default', 'nobody')).status, 404);

    const res = await requestToken('default', 'robot');
    assert.equal(res.status, 201, res.body);
    const tr = JSON.parse(res.body) as { kind: string; spec: { audiences: string[]; expirationSeconds: number }; status: { token: string; expirationTimestamp: string } };
    assert.equal(tr.kind, 'TokenRequest');
    assert.deepEqual(tr.spec, { audiences: [ISSUER], expirationSeconds: 3600 });
    const claims = decodeJwt(tr.status.token);
    assert.equal(claims.iss, ISSUER);
    assert.equal(claims.sub, 'system:serviceaccount:default:robot');
    assert.deepEqual(claims.aud, [ISSUER]);
    assert.equal((claims.exp ?? 0) - (claims.iat ?? 0), 3600);
    assert.deepEqual(claims['kubernetes.io'], { namespace: 'default', serviceaccount: { name: 'robot', uid: saUid } });
    assert.equal(new Date(tr.status.expirationTimestamp).getTime() / 1000, claims.exp);

    const me = await whoami(bearer(tr.status.token));
    assert.equal(me.status, 201, me.body);
    const info = (JSON.parse(me.body) as { status: { userInfo: { username: string; uid: string; groups: string[]; extra: Record<string, string[]> } } }).status.userInfo;
    assert.equal(info.username, 'system:serviceaccount:default:robot');
    assert.equal(info.uid, saUid);
    assert.deepEqual(info.groups, ['system:serviceaccounts', 'system:serviceaccounts:default', 'system:authenticated']);
    assert.deepEqual(info.extra, { 'authentication.kubernetes.io/credential-id': [`JTI=${claims.jti}`] });

    // TokenReview, as a webhook consumer would ask
    const review = await asAdmin('/apis/authentication.k8s.io/v1/tokenreviews', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token: tr.status.token } }),
    });
    assert.equal(review.status, 201, review.body);
    const reviewStatus = (JSON.parse(review.body) as { status: { authenticated: boolean; user: { username: string }; audiences: string[] } }).status;
    assert.equal(reviewStatus.authenticated, true);
    assert.equal(reviewStatus.user.username, 'system:serviceaccount:default:robot');
    assert.deepEqual(reviewStatus.audiences, [ISSUER]);
    const wrongAudience = await asAdmin('/apis/authentication.k8s.io/v1/tokenreviews', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token: tr.status.token, audiences: ['vault'] } }),
    });
    assert.equal((JSON.parse(wrongAudience.body) as { status: { authenticated?: boolean } }).status.authenticated, undefined);

    if (binary) {
      const kubectl = new Kubectl(binary, await tokenKubeconfig('robot', tr.status.token));
      assert.match(await kubectl.ok(['get', 'configmaps', '-n', 'default', '-o', 'name']), /configmap\/kube-root-ca.crt|configmap\/from-alice|^$/);
    }

    const deleted = await asAdmin('/api/v1/namespaces/default/serviceaccounts/robot', { method: 'DELETE' });
    assert.equal(deleted.status, 200, deleted.body);
    // results are cached for 10 s, as kube caches token authentication
    const deadline = Date.now() + 20_000;
    let status = 0;
    while (Date.now() < deadline) {
      status = (await call('/api/v1/namespaces/default/configmaps', { headers: bearer(tr.status.token) })).status;
      if (status === 401) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    assert.equal(status, 401);
  });

  it('impersonates with kubectl --as / --as-group', { skip: binary ? false : 'no kubectl' }, async () => {
    const kubectl = new Kubectl(binary!, server.kubeconfigPath);
    await kubectl.ok(['get', 'configmaps', '-n', 'default', '--as=jane', '--as-group=dev']);
    const out = await kubectl.ok(['create', '-f', '-', '-o', 'json', '--validate=false', '--as=jane', '--as-group=dev'], {
      input: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' }),
    });
    assert.deepEqual((JSON.parse(out) as { status: { userInfo: unknown } }).status.userInfo, { username: 'jane', groups: ['dev', 'system:authenticated'] });
  });

  it('refuses impersonation headers without a user as kube does', async () => {
    const res = await asAdmin('/api/v1/namespaces/default/configmaps', { headers: { 'Impersonate-Group': 'dev' } });
    assert.equal(res.status, 500);
    assert.equal(res.body, 'Internal Server Error: "/api/v1/namespaces/default/configmaps": requested [{Group  dev    }] without impersonating a user\n');
  });

  it('serves the service-account issuer discovery documents, whose keys verify issued tokens', async () => {
    const sa = await asAdmin('/api/v1/namespaces/default/serviceaccounts', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'reader' } }),
    });
    assert.equal(sa.status, 201, sa.body);
    const token = (JSON.parse((await requestToken('default', 'reader')).body) as { status: { token: string } }).status.token;
    const config = await call('/.well-known/openid-configuration', { headers: bearer(token) });
    assert.equal(config.status, 200, config.body);
    assert.equal(config.headers['content-type'], 'application/json');
    assert.equal(config.headers['cache-control'], 'public, max-age=3600');
    assert.deepEqual(JSON.parse(config.body), {
      issuer: ISSUER,
      jwks_uri: `https://127.0.0.1:${server.port}/openid/v1/jwks`,
      response_types_supported: ['id_token'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
    });
    const jwks = await call('/openid/v1/jwks', { headers: bearer(token) });
    assert.equal(jwks.status, 200);
    assert.equal(jwks.headers['content-type'], 'application/jwk-set+json');
    const set = JSON.parse(jwks.body) as JSONWebKeySet;
    assert.equal(set.keys.length, 1);
    assert.deepEqual(Object.keys(set.keys[0]!), ['use', 'kty', 'kid', 'alg', 'n', 'e']);
    const { payload } = await jwtVerify(token, createLocalJWKSet(set), { issuer: ISSUER, audience: ISSUER });
    assert.equal(payload.sub, 'system:serviceaccount:default:reader');
  });

  it('serves HTTP/2 (ALPN h2) on the same port, with bearer tokens and client certificates', async () => {
    const session = http2Connect(base, { ca, ...admin });
    const anonymous = http2Connect(base, { ca });
    try {
      const get = (path: string, headers: Record<string, string> = {}, s = session) =>
        new Promise<{ status: number; body: string; alpn: string | false }>((resolve, reject) => {
          const req = s.request({ ':path': path, ...headers });
          let status = 0;
          const chunks: Buffer[] = [];
          req.on('response', (h) => (status = Number(h[':status'])));
          req.on('data', (c: Buffer) => chunks.push(c));
          req.on('end', () => resolve({ status, body: Buffer.concat(chunks).toString(), alpn: s.alpnProtocol ?? false }));
          req.on('error', reject);
          req.end();
        });
      const ns = await get('/api/v1/namespaces/default');
      assert.equal(ns.alpn, 'h2');
      assert.equal(ns.status, 200, ns.body);
      assert.equal((JSON.parse(ns.body) as { metadata: { name: string } }).metadata.name, 'default');
      // tokens on a connection without a client certificate (with one, x509 answers first)
      const bad = await get('/api/v1/namespaces', { authorization: 'Bearer wrong' }, anonymous);
      assert.equal(bad.status, 401);
      const token = await get('/api/v1/namespaces/default', { authorization: 'Bearer alice-token' }, anonymous);
      assert.equal(token.alpn, 'h2');
      assert.equal(token.status, 200);
    } finally {
      session.close();
      anonymous.close();
    }
  });

  it('authenticates OIDC tokens from an --authentication-config issuer (kubectl and SelfSubjectReview)', async () => {
    const token = await oidcToken();
    const me = await whoami(bearer(token));
    assert.equal(me.status, 201, me.body);
    assert.deepEqual((JSON.parse(me.body) as { status: { userInfo: unknown } }).status.userInfo, {
      username: 'oidc:jane@example.com',
      uid: 'jane-sub',
      groups: ['oidc:dev', 'system:authenticated'],
    });
    assert.equal((await whoami(bearer(await oidcToken({ aud: 'someone-else' })))).status, 401);
    assert.equal((await whoami(bearer(await oidcToken({ exp: Math.floor(Date.now() / 1000) - 3600 })))).status, 401);
    if (binary) {
      const kubectl = new Kubectl(binary, await tokenKubeconfig('jane', token));
      await kubectl.ok(['get', 'namespaces', 'default', '-o', 'name']);
    }
  });

  it('client-node: TokenRequest through the typed API, then the token as a client-node user', async () => {
    const adminConfig = new k8s.KubeConfig();
    adminConfig.loadFromFile(server.kubeconfigPath);
    const core = adminConfig.makeApiClient(k8s.CoreV1Api);
    await core.createNamespacedServiceAccount({ namespace: 'default', body: { metadata: { name: 'node-client' } } });
    const tr = await core.createNamespacedServiceAccountToken({
      namespace: 'default',
      name: 'node-client',
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { audiences: [], expirationSeconds: 600 } },
    });
    assert.equal(tr.spec.expirationSeconds, 600);
    const token = tr.status!.token;
    const asRobot = new k8s.KubeConfig();
    asRobot.loadFromFile(await tokenKubeconfig('node-client', token));
    const list = await asRobot.makeApiClient(k8s.CoreV1Api).listNamespacedConfigMap({ namespace: 'default' });
    assert.ok(Array.isArray(list.items));
    const who = await asRobot.makeApiClient(k8s.AuthenticationV1Api).createSelfSubjectReview({ body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' } });
    assert.equal(who.status?.userInfo?.username, 'system:serviceaccount:default:node-client');
  });

  // kubectl 1.32 sends these bodies as protobuf (the JSON paths are covered above).
  it('kubectl auth whoami', { skip: binary ? false : 'no kubectl' }, async () => {
    const kubectl = new Kubectl(binary!, await tokenKubeconfig('alice-whoami', 'alice-token'));
    const res = await kubectl.run(['auth', 'whoami', '-o', 'json']);
    assert.equal(res.code, 0, res.stderr);
    assert.equal((JSON.parse(res.stdout) as { status: { userInfo: { username: string } } }).status.userInfo.username, 'alice');
  });

  it('kubectl create token', { skip: binary ? false : 'no kubectl' }, async () => {
    const kubectl = new Kubectl(binary!, server.kubeconfigPath);
    await kubectl.ok(['create', '-f', '-', '--validate=false'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'cli-robot', namespace: 'default' } }) });
    const res = await kubectl.run(['create', 'token', 'cli-robot', '-n', 'default', '--duration=20m']);
    assert.equal(res.code, 0, res.stderr);
    const claims = decodeJwt(res.stdout.trim());
    assert.equal(claims.sub, 'system:serviceaccount:default:cli-robot');
    assert.equal((claims.exp ?? 0) - (claims.iat ?? 0), 1200);
  });
});
