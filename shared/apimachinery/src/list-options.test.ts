import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validateListOptions, type ListOptionsToValidate } from './list-options.js';

const opts = (o: Partial<ListOptionsToValidate>): ListOptionsToValidate => ({ resourceVersion: '', resourceVersionMatch: '', continue: '', ...o });
const texts = (o: Partial<ListOptionsToValidate>): string[] => validateListOptions(opts(o)).map((e) => e.errorString());

test('valid list options have no errors', () => {
  for (const o of [{}, { resourceVersion: '5' }, { resourceVersion: '0', resourceVersionMatch: 'NotOlderThan' }, { resourceVersion: '5', resourceVersionMatch: 'Exact' }, { continue: 'x' }]) {
    assert.deepEqual(texts(o), [], JSON.stringify(o));
  }
});

test("kube's ValidateListOptions errors, all of them, in kube's order", () => {
  assert.deepEqual(texts({ resourceVersionMatch: 'Bogus', continue: 'c' }), [
    'resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided',
    'resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden when continue is provided',
    'resourceVersionMatch: Unsupported value: "Bogus": supported values: "Exact", "NotOlderThan", ""',
  ]);
  assert.deepEqual(texts({ resourceVersion: '0', resourceVersionMatch: 'Exact' }), [
    'resourceVersionMatch: Forbidden: resourceVersionMatch "exact" is forbidden for resourceVersion "0"',
  ]);
  assert.deepEqual(texts({ sendInitialEvents: false }), ['sendInitialEvents: Forbidden: sendInitialEvents is forbidden for list']);
});
