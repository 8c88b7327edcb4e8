import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { test } from 'node:test';
import { decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { isStatusError, type KubeObject, newNotFound } from '@kapi/apimachinery';
import { ServiceAccountTokenIssuer } from './serviceaccount-token.js';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ISSUER = 'https://issuer.example';
const objects: Record<string, KubeObject> = {
  'serviceaccounts/ns/sa': { metadata: { name: 'sa', namespace: 'ns', uid: 'sa-uid' } },
  'pods/ns/p': { metadata: { name: 'p', uid: 'pod-uid' }, spec: { serviceAccountName: 'sa', nodeName: 'n1' } } as KubeObject,
  'pods/ns/other': { metadata: { name: 'other', uid: 'o-uid' }, spec: { serviceAccountName: 'default' } } as KubeObject,
  'nodes//n1': { metadata: { name: 'n1', uid: 'node-uid' } },
};
const lookup = async (resource: string, ns: string, name: string): Promise<KubeObject> => {
  const o = objects[`${resource}/${ns}/${name}`];
  if (!o) throw newNotFound({ group: '', resource }, name);
  return o;
};
const issuer = new ServiceAccountTokenIssuer({ signingKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, issuer: ISSUER, maxExpirationSeconds: 7200, now: () => 1_700_000_000_000 });

async function rejects(p: Promise<unknown>, code: number, message: string): Promise<void> {
  await assert.rejects(p, (err) => isStatusError(err) && err.code === code && err.message === message);
}

test('TokenRequest: defaults, claims as kube writes them, signature verifies with the public key', async () => {
  const { object, warnings } = await issuer.create('ns', 'sa', { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: {} }, lookup);
  assert.deepEqual(warnings, []);
  const tr = object as unknown as { metadata: Record<string, unknown>; spec: unknown; status: { token: string; expirationTimestamp: string } };
  assert.deepEqual(tr.spec, { audiences: [ISSUER], expirationSeconds: 3600 });
  assert.deepEqual(tr.metadata, { name: 'sa', namespace: 'ns', creationTimestamp: '2023-11-14T22:13:20Z' });
  assert.equal(tr.status.expirationTimestamp, '2023-11-14T23:13:20Z');
  const claims = decodeJwt(tr.status.token);
  assert.deepEqual(Object.keys(claims), ['aud', 'exp', 'iat', 'iss', 'jti', 'kubernetes.io', 'nbf', 'sub']);
  assert.equal(claims.exp, 1_700_003_600);
  assert.deepEqual(claims['kubernetes.io'], { namespace: 'ns', serviceaccount: { name: 'sa', uid: 'sa-uid' } });
  assert.equal(decodeProtectedHeader(tr.status.token).alg, 'RS256');
  await jwtVerify(tr.status.token, publicKey, { issuer: ISSUER, currentDate: new Date(1_700_000_000_000) });
});

test('TokenRequest: bound to a pod (with its node), clamped to the maximum expiration', async () => {
  const { object, warnings } = await issuer.create('ns', 'sa', { spec: { audiences: ['a'], expirationSeconds: 10_000, boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'p', uid: 'pod-uid' } } }, lookup);
  assert.deepEqual(warnings, ['requested expiration of 10000 seconds shortened to 7200 seconds']);
  const claims = decodeJwt((object as unknown as { status: { token: string } }).status.token);
  assert.deepEqual(claims.aud, ['a']);
  assert.deepEqual(claims['kubernetes.io'], {
    namespace: 'ns',
    node: { name: 'n1', uid: 'node-uid' },
    pod: { name: 'p', uid: 'pod-uid' },
    serviceaccount: { name: 'sa', uid: 'sa-uid' },
  });
});

test('TokenRequest: kube’s errors', async () => {
  await rejects(issuer.create('ns', 'missing', {}, lookup), 404, 'serviceaccounts "missing" not found');
  await rejects(
    issuer.create('ns', 'sa', { spec: { expirationSeconds: 5 } }, lookup),
    422,
    'TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: Invalid value: 5: may not specify a duration less than 10 minutes',
  );
  await rejects(
    issuer.create('ns', 'sa', { metadata: { name: 'x' } }, lookup),
    422,
    'TokenRequest.authentication.k8s.io "sa" is invalid: metadata.name: Invalid value: "x": must match the service account name if specified',
  );
  await rejects(
    issuer.create('ns', 'sa', { spec: { boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'p', uid: 'stale' } } }, lookup),
    409,
    'Operation cannot be fulfilled on Pod "p": the UID in the bound object reference (stale) does not match the UID in record. The object might have been deleted and then recreated',
  );
  await rejects(
    issuer.create('ns', 'sa', { spec: { boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'other' } } }, lookup),
    400,
    'cannot bind token for serviceaccount "sa" to pod running with different serviceaccount name.',
  );
  await rejects(
    issuer.create('ns', 'sa', { spec: { boundObjectRef: { kind: 'Deployment', apiVersion: 'apps/v1', name: 'd' } } }, lookup),
    400,
    'cannot bind token to object of type apps/v1, Kind=Deployment',
  );
});

test('TokenRequest: the kubelet’s 3607 s pod-bound request is extended to a year with warnafter', async () => {
  const { object } = await issuer.create('ns', 'sa', { spec: { expirationSeconds: 3607, boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'p' } } }, lookup);
  const tr = object as unknown as { status: { token: string; expirationTimestamp: string } };
  const claims = decodeJwt(tr.status.token);
  assert.equal(claims.exp, 1_700_000_000 + 365 * 24 * 3600);
  assert.equal((claims['kubernetes.io'] as { warnafter: number }).warnafter, 1_700_000_000 + 3607);
  assert.equal(tr.status.expirationTimestamp, new Date((1_700_000_000 + 3607) * 1000).toISOString().replace('.000Z', 'Z'));
});
