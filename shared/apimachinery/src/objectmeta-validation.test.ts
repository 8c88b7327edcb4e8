import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldPath, type FieldError } from './field.js';
import {
  validateAnnotations,
  validateFieldManager,
  validateImmutableField,
  validateLabelSelector,
  validateLabels,
  validateObjectMeta,
  validateObjectMetaUpdate,
} from './objectmeta-validation.js';
import type { ObjectMeta } from './types.js';

const texts = (errs: FieldError[]) => errs.map((e) => e.errorString());

const OLD: ObjectMeta = {
  name: 'a',
  namespace: 'ns',
  uid: 'u1',
  resourceVersion: '10',
  generation: 3,
  creationTimestamp: '2026-01-02T03:04:05Z',
};

const SUBDOMAIN_REGEX_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_REGEX_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

test('a valid object passes', () => {
  assert.deepEqual(
    validateObjectMeta(
      {
        name: 'web',
        namespace: 'default',
        generation: 1,
        labels: { app: 'web', 'example.com/tier': '' },
        annotations: { 'Example.COM/Note': 'free text' },
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'u', controller: true }],
        finalizers: ['example.com/cleanup'],
        managedFields: [{ manager: 'kubectl', operation: 'Apply', fieldsType: 'FieldsV1', apiVersion: 'v1' }],
      },
      { namespaced: true },
    ),
    [],
  );
});

test('name or generateName is required; both are checked by the name rule', () => {
  assert.deepEqual(texts(validateObjectMeta({ namespace: 'default' }, { namespaced: true })), [
    'metadata.name: Required value: name or generateName is required',
  ]);
  assert.deepEqual(texts(validateObjectMeta({ name: 'Bad_Name' }, { namespaced: false })), [
    `metadata.name: Invalid value: "Bad_Name": ${SUBDOMAIN_REGEX_MSG}`,
  ]);
  assert.deepEqual(texts(validateObjectMeta({ generateName: 'Web-', name: 'web-abcde' }, { namespaced: false })), [
    `metadata.generateName: Invalid value: "Web-": ${SUBDOMAIN_REGEX_MSG}`,
  ]);
  assert.deepEqual(validateObjectMeta({ generateName: 'web-', name: 'web-x2b4c' }, { namespaced: false }), []);
  assert.deepEqual(texts(validateObjectMeta({ name: 'a.b' }, { namespaced: false, nameValidation: 'dns1123Label' })), [
    'metadata.name: Invalid value: "a.b": must not contain dots',
  ]);
  assert.deepEqual(validateObjectMeta({ name: 'Any Name' }, { namespaced: false, nameValidation: 'pathSegment' }), []);
  assert.deepEqual(texts(validateObjectMeta({ name: 'x' }, { namespaced: false, nameValidation: () => ['custom'] })), [
    'metadata.name: Invalid value: "x": custom',
  ]);
});

test('namespace by scope', () => {
  assert.deepEqual(texts(validateObjectMeta({ name: 'a' }, { namespaced: true })), ['metadata.namespace: Required value']);
  assert.deepEqual(texts(validateObjectMeta({ name: 'a', namespace: 'Bad' }, { namespaced: true })), [
    `metadata.namespace: Invalid value: "Bad": ${LABEL_REGEX_MSG}`,
  ]);
  assert.deepEqual(texts(validateObjectMeta({ name: 'a', namespace: 'x' }, { namespaced: false })), [
    'metadata.namespace: Forbidden: not allowed on this type',
  ]);
});

test('generation, labels, annotations', () => {
  assert.deepEqual(texts(validateObjectMeta({ name: 'a', generation: -1 }, { namespaced: false })), [
    'metadata.generation: Invalid value: -1: must be greater than or equal to 0',
  ]);
  assert.deepEqual(texts(validateLabels({ 'a/b/c': 'ok', good: '-bad' }, fieldPath('metadata', 'labels'))), [
    "metadata.labels: Invalid value: \"a/b/c\": a valid label key must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    "metadata.labels: Invalid value: \"-bad\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
  ]);
  const path = fieldPath('metadata', 'annotations');
  assert.deepEqual(validateAnnotations({ 'UPPER.example.COM/Key': 'x' }, path), []);
  assert.deepEqual(texts(validateAnnotations({ a: 'x'.repeat(256 * 1024) }, path)), [
    'metadata.annotations: Too long: may not be more than 262144 bytes',
  ]);
  assert.deepEqual(validateAnnotations({ a: 'x'.repeat(256 * 1024 - 1) }, path), []);
  assert.deepEqual(texts(validateAnnotations({ a: 'é'.repeat(128 * 1024) }, path)), [
    'metadata.annotations: Too long: may not be more than 262144 bytes',
  ]);
});

test('owner references (Kubernetes 1.36 messages)', () => {
  const errs = validateObjectMeta(
    {
      name: 'a',
      ownerReferences: [
        { apiVersion: 'v1', kind: 'Event', name: 'e', uid: 'u', controller: true },
        { apiVersion: '', kind: '', name: '', uid: '', controller: true },
      ],
    },
    { namespaced: false },
  );
  assert.deepEqual(texts(errs), [
    'metadata.ownerReferences: Invalid value: {"apiVersion":"v1","kind":"Event","name":"e","uid":"u","controller":true}: /v1, Kind=Event is disallowed from being an owner',
    'metadata.ownerReferences.apiVersion: Invalid value: "": version must not be empty',
    'metadata.ownerReferences.kind: Invalid value: "": must not be empty',
    'metadata.ownerReferences.name: Invalid value: "": must not be empty',
    'metadata.ownerReferences.uid: Invalid value: "": must not be empty',
    'metadata.ownerReferences: Invalid value: [{"apiVersion":"v1","kind":"Event","name":"e","uid":"u","controller":true},{"apiVersion":"","kind":"","name":"","uid":"","controller":true}]: Only one reference can have Controller set to true. Found "true" in references for Event/e and /',
  ]);
  assert.deepEqual(
    texts(validateObjectMeta({ name: 'a', ownerReferences: [{ apiVersion: 'a/b/c', kind: 'K', name: 'n', uid: 'u' }] }, { namespaced: false })),
    ['metadata.ownerReferences.apiVersion: Invalid value: "a/b/c": version must not be empty'],
  );
});

test('finalizers', () => {
  assert.deepEqual(texts(validateObjectMeta({ name: 'a', finalizers: ['orphan', 'foregroundDeletion'] }, { namespaced: false })), [
    'metadata.finalizers: Invalid value: ["orphan","foregroundDeletion"]: finalizer orphan and foregroundDeletion cannot be both set',
  ]);
  assert.equal(validateObjectMeta({ name: 'a', finalizers: ['a/b/c'] }, { namespaced: false })[0]?.field, 'metadata.finalizers');
  // Core types also require standard or domain-qualified names.
  const meta = { name: 'a', finalizers: ['kubernetes', 'mine', 'example.com/x', 'orphan'] };
  assert.deepEqual(validateObjectMeta(meta, { namespaced: false }), []);
  assert.deepEqual(texts(validateObjectMeta(meta, { namespaced: false, coreFinalizerNames: true })), [
    'metadata.finalizers[1]: Invalid value: "mine": name is neither a standard finalizer name nor is it fully qualified',
  ]);
  assert.deepEqual(texts(validateObjectMetaUpdate({ ...OLD, finalizers: ['mine'] }, OLD, { coreFinalizerNames: true })), [
    'metadata.finalizers[0]: Invalid value: "mine": name is neither a standard finalizer name nor is it fully qualified',
  ]);
});

test('managed fields', () => {
  const errs = validateObjectMeta(
    {
      name: 'a',
      managedFields: [{ manager: 'm\u0007x', operation: 'Patch' as never, fieldsType: 'FieldsV2', subresource: 's'.repeat(257) }],
    },
    { namespaced: false },
  );
  assert.deepEqual(texts(errs), [
    'metadata.managedFields[0].operation: Invalid value: "Patch": must be `Apply` or `Update`',
    'metadata.managedFields[0].fieldsType: Invalid value: "FieldsV2": must be `FieldsV1`',
    'metadata.managedFields[0].manager: Invalid value: "m\\ax": invalid character U+0007 (at position 1)',
    'metadata.managedFields[0].subresource: Too long: may not be more than 256 bytes',
  ]);
  assert.deepEqual(texts(validateFieldManager('é\u0000', fieldPath('fieldManager'))), [
    'fieldManager: Invalid value: "é\\x00": invalid character U+0000 (at position 2)',
  ]);
});

test('wrong JSON types are reported, not crashed on', () => {
  const meta = { name: 5, labels: 'x', annotations: { a: 1 }, finalizers: [1], ownerReferences: 'no', generation: 'g' } as unknown as ObjectMeta;
  assert.deepEqual(texts(validateObjectMeta(meta, { namespaced: false })), [
    'metadata.name: Invalid value: 5: must be of type string',
    'metadata.name: Required value: name or generateName is required',
    'metadata.generation: Invalid value: "g": must be of type integer',
    'metadata.labels: Invalid value: "x": must be of type object',
    'metadata.annotations[a]: Invalid value: 1: must be of type string',
    'metadata.ownerReferences: Invalid value: "no": must be of type array',
    'metadata.finalizers[0]: Invalid value: 1: must be of type string',
  ]);
});


test('an unchanged update passes', () => {
  assert.deepEqual(validateObjectMetaUpdate({ ...OLD, labels: { a: 'b' } }, OLD), []);
  // The same instant written differently is the same timestamp.
  assert.deepEqual(validateObjectMetaUpdate({ ...OLD, creationTimestamp: '2026-01-02T04:04:05+01:00' }, OLD), []);
});

test('immutable fields and update rules', () => {
  const errs = validateObjectMetaUpdate(
    {
      name: 'b',
      namespace: 'other',
      uid: 'u2',
      generation: 2,
      creationTimestamp: '2027-01-01T00:00:00.9Z',
      deletionTimestamp: '2027-01-01T00:00:00Z',
      deletionGracePeriodSeconds: 30,
    },
    OLD,
  );
  assert.deepEqual(texts(errs), [
    'metadata.resourceVersion: Invalid value: "": must be specified for an update',
    'metadata.generation: Invalid value: 2: must not be decremented',
    'metadata.name: Invalid value: "b": field is immutable',
    'metadata.namespace: Invalid value: "other": field is immutable',
    'metadata.uid: Invalid value: "u2": field is immutable',
    'metadata.creationTimestamp: Invalid value: "2027-01-01T00:00:00Z": field is immutable',
    'metadata.deletionTimestamp: Invalid value: "2027-01-01T00:00:00Z": field is immutable',
    'metadata.deletionGracePeriodSeconds: Invalid value: 30: field is immutable',
  ]);
  assert.deepEqual(texts(validateObjectMetaUpdate({ ...OLD, creationTimestamp: undefined }, OLD)), [
    'metadata.creationTimestamp: Invalid value: null: field is immutable',
  ]);
});

test('no new finalizers once deletion started', () => {
  const deleting: ObjectMeta = { ...OLD, deletionTimestamp: '2026-02-01T00:00:00Z', finalizers: ['a'] };
  assert.deepEqual(validateObjectMetaUpdate({ ...deleting, finalizers: [] }, deleting), []);
  assert.deepEqual(texts(validateObjectMetaUpdate({ ...deleting, finalizers: ['a', 'z/c', 'b', 'b'] }, deleting)), [
    'metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"b", "z/c"}',
  ]);
  assert.deepEqual(validateObjectMetaUpdate({ ...OLD, finalizers: ['new'] }, OLD), []);
});

test('validateImmutableField compares deeply', () => {
  const p = fieldPath('spec', 'selector');
  assert.deepEqual(validateImmutableField({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] }, p), []);
  assert.deepEqual(texts(validateImmutableField({ a: 1 }, { a: 2 }, p)), ['spec.selector: Invalid value: {"a":1}: field is immutable']);
});

test('label selector validation', () => {
  const p = fieldPath('spec', 'selector');
  assert.deepEqual(validateLabelSelector({ matchLabels: { app: 'x' }, matchExpressions: [{ key: 'a', operator: 'In', values: ['b'] }] }, p), []);
  assert.deepEqual(
    texts(validateLabelSelector({
      matchExpressions: [
        { key: 'a', operator: 'In' },
        { key: 'b', operator: 'Exists', values: ['x'] },
        { key: 'c', operator: 'Near' },
        { key: 'd', operator: 'NotIn', values: ['-bad'] },
      ],
    }, p)),
    [
      "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
      "spec.selector.matchExpressions[1].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
      'spec.selector.matchExpressions[2].operator: Invalid value: "Near": not a valid selector operator',
      "spec.selector.matchExpressions[3].values[0]: Invalid value: \"-bad\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
    ],
  );
  assert.deepEqual(validateLabelSelector({ matchExpressions: [{ key: 'c', operator: 'Near' }] }, p, { allowUnknownOperatorInRequirement: true }), []);
  assert.deepEqual(validateLabelSelector(null, p), []);
});
