import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cleanPath, continueAfter, decodeContinue, encodeContinue, newContinueTooOld, newContinueWithResourceVersion } from './continue.js';
import { StatusError } from './status.js';

/** A token built the way kube's tests build them (base64url of the JSON, no padding). */
function token(json: string): string {
  return Buffer.from(json, 'utf8').toString('base64url');
}

function invalidToken(tok: string, reason: string, prefix = '/test/'): void {
  assert.throws(
    () => decodeContinue(tok, prefix),
    (err: unknown) => {
      assert.ok(err instanceof StatusError);
      assert.equal(err.code, 400);
      assert.equal(err.message, `invalid continue token: ${reason}`);
      return true;
    },
  );
}

test('encoding matches kube byte for byte', () => {
  const tok = encodeContinue('/registry/pods/default/foo\x00', '/registry/pods/', 5);
  assert.equal(Buffer.from(tok, 'base64url').toString(), '{"v":"meta.k8s.io/v1","rv":5,"start":"default/foo\\u0000"}');
  assert.ok(!tok.includes('='));
  assert.equal(continueAfter('/registry/pods/default/foo', '/registry/pods/', 5), tok);
  assert.equal(Buffer.from(encodeContinue('/p/<&>', '/p/', -1), 'base64url').toString(),
    '{"v":"meta.k8s.io/v1","rv":-1,"start":"\\u003c\\u0026\\u003e"}');
});

test('a key outside the prefix cannot be encoded', () => {
  for (const [key, prefix] of [['/other/x', '/registry/pods/'], ['/x', '']]) {
    assert.throws(() => encodeContinue(key!, prefix!, 1), (e: unknown) =>
      e instanceof StatusError && e.code === 500 &&
      e.message === 'Internal error occurred: unable to encode next field: the key and key prefix do not match');
  }
});

test('round trip', () => {
  const tok = continueAfter('/registry/pods/ns/name', '/registry/pods/', 77);
  assert.deepEqual(decodeContinue(tok, '/registry/pods/'), { fromKey: '/registry/pods/ns/name\x00', resourceVersion: 77 });
});

test('valid tokens (upstream Test_decodeContinue)', () => {
  assert.deepEqual(decodeContinue(token('{"v":"meta.k8s.io/v1","rv":1,"start":"key"}'), '/test/'), { fromKey: '/test/key', resourceVersion: 1 });
  assert.deepEqual(decodeContinue(token('{"v":"meta.k8s.io/v1","rv":1,"start":"/"}'), '/test/'), { fromKey: '/test/', resourceVersion: 1 });
  assert.deepEqual(decodeContinue(token('{"v":"meta.k8s.io/v1","rv":-1,"start":"a"}'), '/test/'), { fromKey: '/test/a', resourceVersion: -1 });
  // Go matches JSON field names case-insensitively and ignores unknown ones.
  assert.deepEqual(decodeContinue(token('{"V":"meta.k8s.io/v1","RV":3,"Start":"k","extra":[1,{"a":"}"}]}'), '/test/'),
    { fromKey: '/test/k', resourceVersion: 3 });
});

test('invalid tokens (upstream Test_decodeContinue)', () => {
  invalidToken(token('{"v":"","rv":1,"start":"key"}'), 'continue key is not valid: server does not recognize this encoded version ');
  invalidToken(token('{"v":"v1","rv":1,"start":"key"}'), 'continue key is not valid: server does not recognize this encoded version v1');
  invalidToken(token('{"v":"meta.k8s.io/v1","rv":0,"start":"key"}'),
    'continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  invalidToken(token('{"v":"meta.k8s.io/v1","rv":1,"start":""}'), 'continue key is not valid: encoded start key empty (version meta.k8s.io/v1)');
  for (const start of ['../key', './key', './../key', 'key/../..']) {
    invalidToken(token(`{"v":"meta.k8s.io/v1","rv":1,"start":"${start}"}`), `continue key is not valid: ${start}`);
  }
});

test('malformed tokens carry the Go decoding error', () => {
  invalidToken('!!!', 'continue key is not valid: illegal base64 data at input byte 0');
  invalidToken('abc=', 'continue key is not valid: illegal base64 data at input byte 3');
  invalidToken('a', 'continue key is not valid: illegal base64 data at input byte 0');
  invalidToken('', 'continue key is not valid: unexpected end of JSON input');
  invalidToken(token('{"v":1'), 'continue key is not valid: unexpected end of JSON input');
  invalidToken(token('x'), "continue key is not valid: invalid character 'x' looking for beginning of value");
  invalidToken(token('[]'), 'continue key is not valid: json: cannot unmarshal array into Go value of type storage.continueToken');
  invalidToken(token('null'), 'continue key is not valid: server does not recognize this encoded version ');
  invalidToken(token('{"v":"meta.k8s.io/v1","rv":1.5,"start":"a"}'),
    'continue key is not valid: json: cannot unmarshal number 1.5 into Go struct field continueToken.rv of type int64');
  invalidToken(token('{"v":"meta.k8s.io/v1","rv":"1","start":"a"}'),
    'continue key is not valid: json: cannot unmarshal string into Go struct field continueToken.rv of type int64');
  invalidToken(token('{"v":2,"rv":1,"start":"a"}'),
    'continue key is not valid: json: cannot unmarshal number into Go struct field continueToken.v of type string');
  invalidToken(token('{"v":"meta.k8s.io/v1","rv":1,"start":{}}'),
    'continue key is not valid: json: cannot unmarshal object into Go struct field continueToken.start of type string');
});

test('Go path.Clean', () => {
  const cases: [string, string][] = [
    ['', '.'], ['/', '/'], ['/a/b', '/a/b'], ['/a/b/', '/a/b'], ['//a//b', '/a/b'], ['/a/./b', '/a/b'],
    ['/a/../b', '/b'], ['/../a', '/a'], ['a/../..', '..'], ['../a', '../a'], ['./a', 'a'], ['/a\x00', '/a\x00'],
  ];
  for (const [input, want] of cases) assert.equal(cleanPath(input), want, input);
});

test('continue-related errors', () => {
  assert.equal(newContinueWithResourceVersion().message, 'specifying resource version is not allowed when using continue');
  const err = newContinueTooOld('/registry/pods/ns/b\x00', '/registry/pods/');
  assert.equal(err.code, 410);
  assert.equal(err.reason, 'Expired');
  assert.ok(err.message.startsWith('The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token'));
  assert.deepEqual(decodeContinue(err.status.metadata.continue!, '/registry/pods/'), { fromKey: '/registry/pods/ns/b\x00', resourceVersion: -1 });
  const plain = newContinueTooOld('/elsewhere', '/registry/pods/');
  assert.equal(plain.message,
    'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.');
  assert.equal(plain.status.metadata.continue, undefined);
});
