import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkFieldSelectorFields,
  escapeFieldValue,
  FieldsSelector,
  fieldsSelectorFromSet,
  newFieldLabelNotSupported,
  newUnknownMetadataFieldSelector,
  parseFieldSelector,
  unescapeFieldValue,
} from './fields.js';
import { StatusError } from './status.js';

function badRequest(fn: () => unknown, message: string): void {
  assert.throws(fn, (err: unknown) => err instanceof StatusError && err.code === 400 && err.message === message);
}

test('parse and print (upstream TestSelectorParse)', () => {
  for (const s of ['a=b', 'b=c,d=e', 'e=f', 'x=a\\,b', 'x=a\\=b', 'x=a\\\\b', '', 'a!=b']) {
    assert.equal(parseFieldSelector(s).toString(), s, s);
  }
  assert.equal(parseFieldSelector('b=c,a=d').toString(), 'a=d,b=c'); // terms are sorted
  assert.equal(parseFieldSelector('a==b').toString(), 'a=b');
  assert.equal(parseFieldSelector(',a=b,,').toString(), 'a=b');
  assert.deepEqual(parseFieldSelector('metadata.name=x,status.phase!=Running').requirements, [
    { field: 'metadata.name', operator: '=', value: 'x' },
    { field: 'status.phase', operator: '!=', value: 'Running' },
  ]);
  assert.deepEqual(parseFieldSelector('x=a\\,b\\=c\\\\').requirements, [{ field: 'x', operator: '=', value: 'a,b=c\\' }]);
  // The first operator splits the term: `a!=b=c` is a != "b=c" only if escaped.
  assert.deepEqual(parseFieldSelector('a!=b\\=c').requirements, [{ field: 'a', operator: '!=', value: 'b=c' }]);
});

test("bad selectors fail with kube's messages", () => {
  badRequest(() => parseFieldSelector('a'), "invalid selector: 'a'; can't understand 'a'");
  badRequest(() => parseFieldSelector('a=b,c'), "invalid selector: 'a=b,c'; can't understand 'c'");
  badRequest(() => parseFieldSelector('x=a=b'), 'invalid field selector: unescaped character in value: 61');
  badRequest(() => parseFieldSelector('a=b!=c'), 'invalid field selector: unescaped character in value: 61');
  badRequest(() => parseFieldSelector('x=\\q'), 'invalid field selector: invalid escape sequence: \\q');
  badRequest(() => parseFieldSelector('x=a\\'), 'invalid field selector: invalid escape sequence: \\');
});

test('escaping round-trips', () => {
  for (const v of ['', 'plain', 'a,b', 'a=b', 'a\\b', '\\,=']) assert.equal(unescapeFieldValue(escapeFieldValue(v)), v);
  assert.equal(escapeFieldValue('a\\b,c=d'), 'a\\\\b\\,c\\=d');
  badRequest(() => unescapeFieldValue('a,b'), 'invalid field selector: unescaped character in value: 44');
});

test('matching treats missing fields as empty', () => {
  const s = parseFieldSelector('metadata.name=x,status.phase!=Running');
  assert.ok(s.matches({ 'metadata.name': 'x', 'status.phase': 'Pending' }));
  assert.ok(s.matches({ 'metadata.name': 'x' }));
  assert.ok(!s.matches({ 'metadata.name': 'x', 'status.phase': 'Running' }));
  assert.ok(!s.matches({ 'metadata.name': 'y' }));
  assert.ok(parseFieldSelector('a=').matches({}));
  assert.ok(!parseFieldSelector('toString=x').matches({}));
  assert.ok(FieldsSelector.everything().matches({}));
  assert.ok(!FieldsSelector.nothing().matches({}));
});

test('introspection: empty, exact match, field names', () => {
  assert.ok(parseFieldSelector('').empty());
  assert.ok(!FieldsSelector.nothing().empty());
  const s = parseFieldSelector('spec.nodeName!=a,metadata.name=x,spec.nodeName=b');
  assert.equal(s.requiresExactMatch('metadata.name'), 'x');
  assert.equal(s.requiresExactMatch('spec.nodeName'), 'b');
  assert.equal(s.requiresExactMatch('other'), undefined);
  assert.deepEqual(s.fieldNames(), ['metadata.name', 'spec.nodeName']);
});

test('transform renames, drops and rejects terms', () => {
  const s = parseFieldSelector('a=1,b=2,c=3');
  const t = s.transform((f, v) => (f === 'a' ? ['x', v] : f === 'b' ? ['', ''] : [f, v]));
  assert.equal(t.toString(), 'x=1,c=3');
  assert.throws(() => s.transform((f) => {
    throw newFieldLabelNotSupported(f);
  }), (e: unknown) => e instanceof StatusError && e.message === 'field label not supported: a');
  assert.ok(parseFieldSelector('a=1').transform(() => ['', '']).empty());
});

test('unsupported fields get kube messages', () => {
  const supported = new Set(['metadata.name', 'metadata.namespace', 'status.phase']);
  assert.doesNotThrow(() => checkFieldSelectorFields(parseFieldSelector('status.phase=Running'), supported));
  badRequest(() => checkFieldSelectorFields(parseFieldSelector('metadata.name=a,spec.foo=b'), supported), 'field label not supported: spec.foo');
  assert.equal(newUnknownMetadataFieldSelector('spec.x').message,
    '"spec.x" is not a known field selector: only "metadata.name", "metadata.namespace"');
});

test('selectors from sets', () => {
  assert.ok(fieldsSelectorFromSet(null).empty());
  const s = fieldsSelectorFromSet({ 'metadata.name': 'a,b' });
  assert.equal(s.toString(), 'metadata.name=a\\,b');
  assert.ok(s.matches({ 'metadata.name': 'a,b' }));
});
