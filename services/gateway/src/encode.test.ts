import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeJSONBytes, encodeJSONCompact, encodeJSONPretty, encodeYAML } from './encode.js';

test('JSON as Go writes it: HTML-safe escapes, newline after compact output', () => {
  assert.equal(encodeJSONCompact({ a: '<b> & \u2028' }), '{"a":"\\u003cb\\u003e \\u0026 \\u2028"}\n');
  assert.equal(encodeJSONPretty({ a: [1], b: {} }), '{\n  "a": [\n    1\n  ],\n  "b": {}\n}');
});

test('storage bytes pass through; a newline is added once', () => {
  const bytes = Buffer.from('{"kind":"Pod"}');
  const out = encodeJSONBytes(bytes, 'json') as Buffer;
  assert.equal(out.toString(), '{"kind":"Pod"}\n');
  assert.equal((encodeJSONBytes(Buffer.from('{}\n'), 'json') as Buffer).toString(), '{}\n');
  assert.equal(encodeJSONBytes(bytes, 'yaml'), 'kind: Pod\n');
});

test('YAML as sigs.k8s.io/yaml writes it: sorted keys, unindented sequences, 1.1 quoting', () => {
  assert.equal(
    encodeYAML({ spec: { b: ['x', 'y'], a: 'yes' }, kind: 'Thing', apiVersion: 'v1', n: null, t: '2024-01-01T00:00:00Z' }),
    // "n" and "y" are YAML 1.1 booleans, so go-yaml quotes them, keys included
    'apiVersion: v1\nkind: Thing\n"n": null\nspec:\n  a: "yes"\n  b:\n  - x\n  - "y"\nt: "2024-01-01T00:00:00Z"\n',
  );
});
