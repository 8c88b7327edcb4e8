import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { exportJWK, SignJWT } from 'jose';
import { createTestCA, issueServingCert } from '../testing/pki.js';
import { OIDCAuthenticator, type JWTAuthenticatorConfig } from './oidc.js';

let server: Server;
let issuer: string;
let caPem: string;
let fetches = 0;
const key1 = generateKeyPairSync('rsa', { modulusLength: 2048 });
const key2 = generateKeyPairSync('rsa', { modulusLength: 2048 });
let published = [key1];

before(async () => {
  const ca = await createTestCA();
  caPem = ca.cert;
  const serving = await issueServingCert(ca);
  server = createServer({ cert: serving.cert, key: serving.key }, async (req, res) => {
    if (req.url === '/.well-known/openid-configuration') {
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/keys` }));
    } else if (req.url === '/keys') {
      fetches++;
      const keys = await Promise.all(published.map(async (k, i) => ({ ...(await exportJWK(k.publicKey)), kid: `k${i === 0 && k === key1 ? 1 : 2}`, alg: 'RS256', use: 'sig' })));
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ keys }));
    } else {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  issuer = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => new Promise<void>((r) => server.close(() => r())));

function config(extra: Partial<JWTAuthenticatorConfig> = {}): JWTAuthenticatorConfig {
  return {
    issuer: { url: issuer, audiences: ['kapi'], certificateAuthority: caPem },
    claimMappings: { username: { claim: 'email', prefix: 'oidc:' }, groups: { claim: 'groups', prefix: 'oidc:' }, uid: { claim: 'sub' } },
    ...extra,
  };
}

function sign(claims: Record<string, unknown>, key = key1, kid = 'k1') {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ iss: issuer, aud: 'kapi', sub: 'u-1', iat: now, exp: now + 600, email: 'jane@example.com', email_verified: true, groups: ['dev'], ...claims })
    .setProtectedHeader({ alg: 'RS256', kid })
    .sign(key.privateKey);
}

test('OIDC: valid token mapped with prefixes; wrong audience, expired, other issuer, validation rules', async () => {
  const a = new OIDCAuthenticator(config({ claimValidationRules: [{ claim: 'hd', requiredValue: 'example.com' }] }));
  assert.deepEqual(await a.authenticateToken(await sign({ hd: 'example.com' })), {
    kind: 'user',
    user: { username: 'oidc:jane@example.com', groups: ['oidc:dev'], uid: 'u-1' },
    audiences: [],
  });
  const bad = await a.authenticateToken(await sign({ hd: 'evil.com' }));
  assert.deepEqual(bad, { kind: 'error', reason: 'oidc: required claim hd value does not match. Got = evil.com, want = example.com' });
  assert.equal((await a.authenticateToken(await sign({ hd: 'example.com', aud: 'other' }))).kind, 'error');
  const expired = await a.authenticateToken(await sign({ hd: 'example.com', exp: Math.floor(Date.now() / 1000) - 3600 }));
  assert.deepEqual(expired, { kind: 'error', reason: 'oidc: verify token: oidc: token is expired' });
  assert.deepEqual(await a.authenticateToken(await sign({ iss: 'https://elsewhere' })), { kind: 'none' });
  const unverified = await a.authenticateToken(await sign({ hd: 'example.com', email_verified: false }));
  assert.deepEqual(unverified, { kind: 'error', reason: 'oidc: email not verified' });
});

test('OIDC: JWKS cached, refreshed when a new key id appears (rotation)', async () => {
  let now = Date.now();
  const a = new OIDCAuthenticator(config(), () => now);
  fetches = 0;
  assert.equal((await a.authenticateToken(await sign({}))).kind, 'user');
  assert.equal((await a.authenticateToken(await sign({}))).kind, 'user');
  assert.equal(fetches, 1, 'keys are cached');
  published = [key1, key2];
  now += 11_000;
  assert.equal((await a.authenticateToken(await sign({}, key2, 'k2'))).kind, 'user');
  assert.equal(fetches, 2);
  published = [key1];
});

test('OIDC: an issuer whose CA is not trusted does not authenticate', async () => {
  const a = new OIDCAuthenticator({ ...config(), issuer: { url: issuer, audiences: ['kapi'] } });
  const r = await a.authenticateToken(await sign({}));
  assert.equal(r.kind, 'error');
  if (r.kind === 'error') assert.match(r.reason, /not initialized/);
});
