import assert from 'node:assert/strict';
import { test } from 'node:test';
import { authFlagArgs, DEFAULT_SERVICE_ACCOUNT_ISSUER, withGeneratedServiceAccountKeys } from './auth-flags.js';

const generated = { keyFile: '/d/pki/sa.key', pubFile: '/d/pki/sa.pub' };

test('generated service-account keys: defaults, and the signing key always verifies', () => {
  assert.deepEqual(withGeneratedServiceAccountKeys({}, generated), {
    serviceAccountSigningKeyFile: '/d/pki/sa.key',
    serviceAccountKeyFile: ['/d/pki/sa.pub'],
    serviceAccountIssuer: [DEFAULT_SERVICE_ACCOUNT_ISSUER],
    authorizationMode: ['Node', 'RBAC'],
  });
  assert.deepEqual(withGeneratedServiceAccountKeys({ authorizationMode: ['AlwaysAllow'] }, generated).authorizationMode, ['AlwaysAllow']);
  assert.deepEqual(withGeneratedServiceAccountKeys({ serviceAccountKeyFile: ['/old.pub'] }, generated).serviceAccountKeyFile, ['/old.pub', '/d/pki/sa.pub']);
  const own = withGeneratedServiceAccountKeys({ serviceAccountSigningKeyFile: '/k.pem', serviceAccountIssuer: ['https://i'] }, generated);
  assert.deepEqual([own.serviceAccountSigningKeyFile, own.serviceAccountKeyFile, own.serviceAccountIssuer], ['/k.pem', ['/k.pem'], ['https://i']]);
});

test('flags are handed on to kapi run children as kube spells them', () => {
  assert.deepEqual(
    authFlagArgs({ anonymousAuth: false, tokenAuthFile: '/t.csv', serviceAccountIssuer: ['a', 'b'], apiAudiences: ['x', 'y'], authorizationMode: ['AlwaysAllow'], serviceAccountMaxTokenExpiration: 3600 }),
    ['--anonymous-auth=false', '--token-auth-file', '/t.csv', '--service-account-issuer', 'a', '--service-account-issuer', 'b', '--api-audiences', 'x,y', '--service-account-max-token-expiration', '3600s', '--authorization-mode', 'AlwaysAllow'],
  );
});
