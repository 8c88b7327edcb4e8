import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '@kapi/apimachinery';
import { admit, attributesFor, input } from './test-support.js';
import { secretStrategy } from './secret.js';
import { configMapStrategy } from './configmap.js';
import type { TypeStrategy } from './type-strategy.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

function obj(kind: string, fields: Record<string, unknown>): KubeObject {
  return { apiVersion: 'v1', kind, metadata: { name: 'o', namespace: 'default', resourceVersion: '1' }, ...fields } as KubeObject;
}

function errorsOf(strategy: TypeStrategy, kind: string, object: KubeObject, old?: KubeObject): string[] {
  const attributes = attributesFor('', kind, object, old);
  strategy.default?.(object, attributes);
  if (old) strategy.default?.(old, attributes);
  return strategy.validate!(attributes).map((e) => e.errorString());
}

describe('Secret defaults', () => {
  it('type Opaque, stringData folded into data (stringData wins) and dropped', () => {
    const s = obj('Secret', { data: { a: b64('old'), b: b64('keep') }, stringData: { a: 'new', c: 'ü' } });
    assert.equal(secretStrategy.default!(s, attributesFor('', 'Secret', s)), true);
    assert.deepEqual(s, obj('Secret', { data: { a: b64('new'), b: b64('keep'), c: b64('ü') }, type: 'Opaque' }));
    assert.equal(secretStrategy.default!(s, attributesFor('', 'Secret', s)), false);
    const t = obj('Secret', { type: 'kubernetes.io/tls', stringData: { 'tls.crt': 'c', 'tls.key': 'k' } });
    secretStrategy.default!(t, attributesFor('', 'Secret', t));
    assert.deepEqual(t.data, { 'tls.crt': b64('c'), 'tls.key': b64('k') });
  });
});

describe('Secret validation (validation_test.go TestValidateSecret)', () => {
  it('keys must be config keys', () => {
    assert.deepEqual(errorsOf(secretStrategy, 'Secret', obj('Secret', { data: { 'a b': b64('x'), '..x': b64('y') } })), [
      `data[a b]: Invalid value: "a b": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')`,
      `data[..x]: Invalid value: "..x": must not start with '..'`,
    ]);
  });

  it('type-specific required keys', () => {
    assert.deepEqual(errorsOf(secretStrategy, 'Secret', obj('Secret', { type: 'kubernetes.io/tls', data: {} })), ['data[tls.crt]: Required value', 'data[tls.key]: Required value']);
    assert.deepEqual(errorsOf(secretStrategy, 'Secret', obj('Secret', { type: 'kubernetes.io/dockerconfigjson' })), ['data[.dockerconfigjson]: Required value']);
    assert.deepEqual(errorsOf(secretStrategy, 'Secret', obj('Secret', { type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': b64('{x') } })), [
      `data[.dockerconfigjson]: Invalid value: "<secret contents redacted>": invalid character 'x' looking for beginning of object key string`,
    ]);
    assert.deepEqual(errorsOf(secretStrategy, 'Secret', obj('Secret', { type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': b64('{"auths":{}}') } })), []);
    assert.deepEqual(errorsOf(secretStrategy, 'Secret', obj('Secret', { type: 'kubernetes.io/service-account-token' })), [
      'metadata.annotations[kubernetes.io/service-account.name]: Required value',
    ]);
    assert.deepEqual(errorsOf(secretStrategy, 'Secret', obj('Secret', { type: 'kubernetes.io/basic-auth' })), ['data[username]: Required value', 'data[password]: Required value']);
    assert.deepEqual(errorsOf(secretStrategy, 'Secret', obj('Secret', { type: 'kubernetes.io/ssh-auth', data: { 'ssh-privatekey': '' } })), ['data[ssh-privatekey]: Required value']);
    assert.deepEqual(errorsOf(secretStrategy, 'Secret', obj('Secret', { type: 'example.com/anything' })), []);
  });

  it('updates: type immutable, immutable secrets keep their data', () => {
    assert.deepEqual(errorsOf(secretStrategy, 'Secret', obj('Secret', { type: 'example.com/x' }), obj('Secret', {})), [
      'type: Invalid value: "example.com/x": field is immutable',
    ]);
    const old = obj('Secret', { immutable: true, data: { a: b64('1') } });
    assert.deepEqual(errorsOf(secretStrategy, 'Secret', obj('Secret', { immutable: true, data: { a: b64('1') } }), old), []);
    assert.deepEqual(errorsOf(secretStrategy, 'Secret', obj('Secret', { data: { a: b64('2') } }), structuredClone(old)), [
      'immutable: Forbidden: field is immutable when `immutable` is set',
      'data: Forbidden: field is immutable when `immutable` is set',
    ]);
    assert.deepEqual(errorsOf(secretStrategy, 'Secret', obj('Secret', { immutable: true, stringData: { a: '2' } }), structuredClone(old)), [
      'data: Forbidden: field is immutable when `immutable` is set',
    ]);
  });
});

describe('ConfigMap validation (TestValidateConfigMap)', () => {
  it('keys, overlap with binaryData, size', () => {
    assert.deepEqual(errorsOf(configMapStrategy, 'ConfigMap', obj('ConfigMap', { data: { a: 'x', 'b/c': 'y' }, binaryData: { a: b64('z') } })), [
      'data[a]: Invalid value: "a": duplicate of key present in binaryData',
      `data[b/c]: Invalid value: "b/c": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')`,
    ]);
    assert.deepEqual(errorsOf(configMapStrategy, 'ConfigMap', obj('ConfigMap', { data: { a: 'x'.repeat(1024 * 1024 + 1) } })), [': Too long: may not be more than 1048576 bytes']);
  });

  it('immutable config maps', () => {
    const old = obj('ConfigMap', { immutable: true, data: { a: '1' }, binaryData: { b: b64('2') } });
    assert.deepEqual(errorsOf(configMapStrategy, 'ConfigMap', obj('ConfigMap', { immutable: true, data: { a: '1' }, binaryData: { b: b64('2') } }), old), []);
    assert.deepEqual(errorsOf(configMapStrategy, 'ConfigMap', obj('ConfigMap', { immutable: true, data: { a: '2' } }), old), [
      'data: Forbidden: field is immutable when `immutable` is set',
      'binaryData: Forbidden: field is immutable when `immutable` is set',
    ]);
    // Mutable ones change freely, and may become immutable.
    assert.deepEqual(errorsOf(configMapStrategy, 'ConfigMap', obj('ConfigMap', { immutable: true, data: { a: '2' } }), obj('ConfigMap', { data: { a: '1' } })), []);
  });

  it('reads as kubectl prints it through the chain', async () => {
    const old = obj('ConfigMap', { immutable: true, data: { a: '1' } });
    const out = await admit(input('configmaps', '', 'v1', 'ConfigMap', obj('ConfigMap', { immutable: true, data: { a: '2' } }), old as KubeObject));
    assert.equal(out.message, 'ConfigMap "o" is invalid: data: Forbidden: field is immutable when `immutable` is set');
  });
});
