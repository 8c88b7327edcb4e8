import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { test } from 'node:test';
import { SignJWT } from 'jose';
import type { KubeObject } from '@kapi/apimachinery';
import { ServiceAccountTokenAuthenticator, LEGACY_ISSUER } from './service-account.js';
import { keyIdOf, parsePublicKeysPEM } from './service-account-keys.js';
import type { ObjectGetter } from './object-getter.js';

const ISSUER = 'https://kubernetes.default.svc.cluster.local';
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
const keys = parsePublicKeysPEM(publicKey.export({ type: 'spki', format: 'pem' }) as string);

function store(objects: Record<string, KubeObject>): ObjectGetter & { objects: Record<string, KubeObject> } {
  return { objects, async get(resource, ns, name) { return objects[`${resource}/${ns}/${name}`]; } };
}

const now = Math.floor(Date.now() / 1000);
function bound(extra: Record<string, unknown> = {}, key = privateKey) {
  return new SignJWT({
    aud: [ISSUER],
    exp: now + 3600,
    iat: now,
    iss: ISSUER,
    jti: 'jti-1',
    'kubernetes.io': { namespace: 'ns', serviceaccount: { name: 'sa', uid: 'sa-uid' }, ...extra },
    nbf: now,
    sub: 'system:serviceaccount:ns:sa',
  })
    .setProtectedHeader({ alg: 'RS256', kid: keyIdOf(publicKey) })
    .sign(key);
}

function authenticator(getter: ObjectGetter) {
  return new ServiceAccountTokenAuthenticator({ issuers: [ISSUER], keys, apiAudiences: [ISSUER], getter });
}

test('bound token: valid while the ServiceAccount (and bound pod) exist with their uids', async () => {
  const getter = store({
    'serviceaccounts/ns/sa': { metadata: { name: 'sa', uid: 'sa-uid' } },
    'pods/ns/p': { metadata: { name: 'p', uid: 'pod-uid' } },
  });
  const a = authenticator(getter);
  const r = await a.authenticateToken(await bound(), []);
  assert.equal(r.kind, 'user');
  if (r.kind === 'user') {
    assert.equal(r.user.username, 'system:serviceaccount:ns:sa');
    assert.deepEqual(r.user.groups, ['system:serviceaccounts', 'system:serviceaccounts:ns']);
    assert.deepEqual(r.audiences, [ISSUER]);
  }
  const withPod = await a.authenticateToken(await bound({ pod: { name: 'p', uid: 'pod-uid' } }), []);
  assert.equal(withPod.kind, 'user');
  if (withPod.kind === 'user') assert.deepEqual(withPod.user.extra?.['authentication.kubernetes.io/pod-name'], ['p']);

  // pod gone / recreated with another uid
  const recreated = await a.authenticateToken(await bound({ pod: { name: 'p', uid: 'old-uid' } }), []);
  assert.deepEqual(recreated, { kind: 'error', reason: 'pod UID (pod-uid) does not match claim (old-uid)' });
  delete getter.objects['pods/ns/p'];
  assert.equal((await a.authenticateToken(await bound({ pod: { name: 'p', uid: 'pod-uid' } }), [])).kind, 'error');
  // a token bound to a secret: invalid once the secret is gone
  getter.objects['secrets/ns/s'] = { metadata: { name: 's', uid: 'secret-uid' } };
  assert.equal((await a.authenticateToken(await bound({ secret: { name: 's', uid: 'secret-uid' } }), [])).kind, 'user');
  delete getter.objects['secrets/ns/s'];
  assert.deepEqual(await a.authenticateToken(await bound({ secret: { name: 's', uid: 'secret-uid' } }), []), { kind: 'error', reason: 'secrets "s" not found' });
  // service account recreated, then deleted
  getter.objects['serviceaccounts/ns/sa'] = { metadata: { name: 'sa', uid: 'new' } };
  assert.equal((await a.authenticateToken(await bound(), [])).kind, 'error');
  delete getter.objects['serviceaccounts/ns/sa'];
  assert.deepEqual(await a.authenticateToken(await bound(), []), { kind: 'error', reason: 'serviceaccounts "sa" not found' });
});

test('bound token: expired, wrong audience, wrong issuer, wrong key', async () => {
  const a = authenticator(store({ 'serviceaccounts/ns/sa': { metadata: { name: 'sa', uid: 'sa-uid' } } }));
  const expired = await bound({}).then(() =>
    new SignJWT({ aud: [ISSUER], exp: now - 120, iat: now - 4000, iss: ISSUER, 'kubernetes.io': { namespace: 'ns', serviceaccount: { name: 'sa', uid: 'sa-uid' } }, sub: 'x' })
      .setProtectedHeader({ alg: 'RS256' })
      .sign(privateKey),
  );
  assert.deepEqual(await a.authenticateToken(expired, []), { kind: 'error', reason: 'service account token has expired' });
  const r = await a.authenticateToken(await bound(), ['vault']);
  assert.equal(r.kind, 'error');
  if (r.kind === 'error') assert.match(r.reason, /token audiences \["https:\/\/kubernetes.default.svc.cluster.local"\] is invalid for the target audiences \["vault"\]/);
  const foreign = await new SignJWT({ iss: 'https://elsewhere', sub: 'x' }).setProtectedHeader({ alg: 'RS256' }).sign(privateKey);
  assert.deepEqual(await a.authenticateToken(foreign, []), { kind: 'none' }, 'another issuer is not ours');
  assert.deepEqual(await a.authenticateToken('not-a-jwt', []), { kind: 'none' });
  assert.equal((await a.authenticateToken(await bound({}, other.privateKey), [])).kind, 'error');
});

test('legacy token: valid while its Secret holds it and the ServiceAccount uid matches', async () => {
  const token = await new SignJWT({
    iss: LEGACY_ISSUER,
    'kubernetes.io/serviceaccount/namespace': 'ns',
    'kubernetes.io/serviceaccount/secret.name': 'sa-token',
    'kubernetes.io/serviceaccount/service-account.name': 'sa',
    'kubernetes.io/serviceaccount/service-account.uid': 'sa-uid',
    sub: 'system:serviceaccount:ns:sa',
  })
    .setProtectedHeader({ alg: 'RS256' })
    .sign(privateKey);
  const getter = store({
    'serviceaccounts/ns/sa': { metadata: { name: 'sa', uid: 'sa-uid' } },
    'secrets/ns/sa-token': { metadata: { name: 'sa-token', uid: 's-uid' }, data: { token: Buffer.from(token).toString('base64') } } as KubeObject,
  });
  const a = authenticator(getter);
  const r = await a.authenticateToken(token, []);
  assert.equal(r.kind, 'user');
  delete getter.objects['secrets/ns/sa-token'];
  assert.deepEqual(await a.authenticateToken(token, []), { kind: 'error', reason: 'secret ns/sa-token not found' });
});
