import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  aggregateFieldErrors,
  duplicate,
  FieldError,
  fieldPath,
  forbidden,
  internalError,
  invalid,
  notFound,
  notSupported,
  OMIT_VALUE,
  required,
  tooFew,
  tooLong,
  tooLongCharacters,
  tooMany,
  tooShort,
  typeInvalid,
} from './field.js';
import { asGoStruct } from './go-format.js';

test('paths render names, indexes and keys as kube does', () => {
  assert.equal(fieldPath('spec').child('containers').index(0).child('image').toString(), 'spec.containers[0].image');
  assert.equal(fieldPath('metadata').child('labels').key('app').toString(), 'metadata.labels[app]');
  assert.equal(fieldPath('a', 'b', 'c').toString(), 'a.b.c');
  assert.equal(fieldPath('a').child('b', 'c').index(2).key('k').toString(), 'a.b.c[2][k]');
  assert.equal(fieldPath('x').child('y').root().toString(), 'x');
  // Go quirk kept: an empty root name renders as an empty subscript.
  assert.equal(fieldPath('').toString(), '[]');
});

test('paths are immutable', () => {
  const base = fieldPath('spec');
  base.child('a');
  base.index(1);
  assert.equal(base.toString(), 'spec');
});

test('error bodies follow field.Error.ErrorBody', () => {
  const p = fieldPath('path.to.field');
  assert.equal(required(p, 'the details').errorString(), 'path.to.field: Required value: the details');
  assert.equal(required(p).errorString(), 'path.to.field: Required value');
  assert.equal(forbidden(p, 'the details').errorString(), 'path.to.field: Forbidden: the details');
  assert.equal(tooLong(p, 'the value', 1).errorString(), 'path.to.field: Too long: may not be more than 1 byte');
  assert.equal(tooLong(p, 'the value', 2).errorString(), 'path.to.field: Too long: may not be more than 2 bytes');
  assert.equal(tooLong(p, 'the value', -1).errorString(), 'path.to.field: Too long: value is too long');
  assert.equal(tooLongCharacters(p, 'v', 3).errorString(), 'path.to.field: Too long: may not be more than 3 characters');
  assert.equal(tooMany(p, 2, 1).errorString(), 'path.to.field: Too many: 2: must have at most 1 item');
  assert.equal(tooMany(p, 3, 2).errorString(), 'path.to.field: Too many: 3: must have at most 2 items');
  assert.equal(tooMany(p, 2, -1).errorString(), 'path.to.field: Too many: 2: has too many items');
  assert.equal(tooMany(p, -1, 1).errorString(), 'path.to.field: Too many: must have at most 1 item');
  assert.equal(tooFew(p, 0, 1).errorString(), 'path.to.field: Too few: 0: must have at least 1 item');
  assert.equal(tooShort(p, 'ab', 3).errorString(), 'path.to.field: Too short: must be at least 3 characters');
  assert.equal(internalError(p, new Error('the error')).errorString(), 'path.to.field: Internal error: the error');
  assert.equal(duplicate(p, 'x').errorString(), 'path.to.field: Duplicate value: "x"');
  assert.equal(notFound(p, 7).errorString(), 'path.to.field: Not found: 7');
  assert.equal(typeInvalid(p, 'x', 'must be a number').errorString(), 'path.to.field: Invalid value: "x": must be a number');
});

test('bad values print with %v, %q or JSON depending on their type', () => {
  const p = fieldPath('f');
  assert.equal(invalid(p, 'the value', 'd').errorString(), 'f: Invalid value: "the value": d');
  assert.equal(invalid(p, -42, 'd').errorString(), 'f: Invalid value: -42: d');
  assert.equal(invalid(p, true, 'd').errorString(), 'f: Invalid value: true: d');
  assert.equal(invalid(p, null, 'd').errorString(), 'f: Invalid value: null: d');
  assert.equal(invalid(p, ['one', 'two', 'three'], 'd').errorString(), 'f: Invalid value: ["one","two","three"]: d');
  // Maps print with sorted keys, structs in declaration order.
  assert.equal(invalid(p, { two: 2, one: 1, three: 3 }, 'd').errorString(), 'f: Invalid value: {"one":1,"three":3,"two":2}: d');
  assert.equal(
    invalid(p, asGoStruct({ stringField: 'stringval', intField: 9376, boolField: true }), 'd').errorString(),
    'f: Invalid value: {"stringField":"stringval","intField":9376,"boolField":true}: d',
  );
  assert.equal(invalid(p, OMIT_VALUE, 'd').errorString(), 'f: Invalid value: d');
  assert.equal(invalid(p, 1.5, 'd').errorString(), 'f: Invalid value: 1.5: d');
  assert.equal(invalid(p, 'a"b\n', '').errorString(), 'f: Invalid value: "a\\"b\\n"');
});

test('notSupported lists the quoted supported values', () => {
  assert.equal(
    notSupported(fieldPath('spec', 'policy'), 'x', ['a', 'b']).errorString(),
    'spec.policy: Unsupported value: "x": supported values: "a", "b"',
  );
  assert.equal(notSupported(fieldPath('f'), 'v', []).errorString(), 'f: Unsupported value: "v"');
});

test('a string path is used verbatim and a null path prints <nil>', () => {
  assert.equal(required('spec.x').errorString(), 'spec.x: Required value');
  assert.equal(invalid(null, 'a/b/c', 'bad').errorString(), '<nil>: Invalid value: "a/b/c": bad');
});

test('an unknown error type renders as an internal error about itself', () => {
  const e = new FieldError('Bogus' as never, 'f', 'v', 'd');
  assert.equal(e.errorString(), 'f: Internal error: unhandled error code: <unknown error "Bogus">: please report this: d');
});

test('status causes carry type, body and field', () => {
  assert.deepEqual(required(fieldPath('metadata', 'name'), 'x').toStatusCause(), {
    reason: 'FieldValueRequired',
    message: 'Required value: x',
    field: 'metadata.name',
  });
  assert.deepEqual(required('').toStatusCause(), { reason: 'FieldValueRequired', message: 'Required value' });
});

test('aggregation drops duplicates and brackets several errors', () => {
  const a = invalid(fieldPath('f'), 'v', 'd');
  const b = internalError(fieldPath('g'), new Error('e'));
  assert.equal(aggregateFieldErrors([]), undefined);
  assert.equal(aggregateFieldErrors([a]), 'f: Invalid value: "v": d');
  assert.equal(aggregateFieldErrors([a, a]), 'f: Invalid value: "v": d');
  assert.equal(aggregateFieldErrors([a, b, a]), '[f: Invalid value: "v": d, g: Internal error: e]');
});
