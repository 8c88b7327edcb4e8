// Strategy validation (ObjectMeta) as the admission worker runs it for storage: what the storage
// registry used to check itself before the check moved here (names per resource, namespace by
// scope, immutable fields, no new finalizers once deletion started), on the main resource and on
// the subresources storage updates with a full object of the resource's kind.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StatusError, type KubeObject } from '@kapi/apimachinery';
import { builtinCatalogue, definitions } from '@kapi/schema';
import { type AdmissionAttributes, type AdmissionInput, AdmissionChain } from './chain.js';
import { Defaulter } from './defaulter.js';
import { SchemaValidator } from './schema-validator.js';
import { strategyValidation } from './strategy-validation.js';

const validate = strategyValidation(builtinCatalogue());

const DNS1123_SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

function attributes(overrides: Partial<AdmissionAttributes> & { object: KubeObject }): AdmissionAttributes {
  return {
    operation: 'CREATE',
    group: '',
    version: 'v1',
    kind: 'ConfigMap',
    resource: 'configmaps',
    subresource: '',
    namespace: 'ns',
    name: '',
    oldObject: undefined,
    dryRun: false,
    fieldValidation: 'Strict',
    user: undefined,
    ...overrides,
  };
}

function configMap(metadata: KubeObject['metadata']): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata, data: {} };
}

const STORED = configMap({ name: 'cm', namespace: 'ns', uid: 'u1', resourceVersion: '5', creationTimestamp: '2026-01-01T00:00:00Z' });

function messages(errors: ReturnType<typeof validate>): string[] {
  return errors.map((e) => e.errorString());
}

describe('strategyValidation', () => {
  it('create: the resource\'s name rule, and namespace by scope', () => {
    assert.deepEqual(messages(validate(attributes({ object: configMap({ name: 'Bad_Name', namespace: 'ns' }) }))), [
      `metadata.name: Invalid value: "Bad_Name": ${DNS1123_SUBDOMAIN_MSG}`,
    ]);
    assert.deepEqual(messages(validate(attributes({ object: configMap({ namespace: 'ns' }) }))), [
      'metadata.name: Required value: name or generateName is required',
    ]);
    const namespace = attributes({ resource: 'namespaces', kind: 'Namespace', namespace: '', object: { metadata: { name: 'ok', namespace: 'x' } } });
    assert.deepEqual(messages(validate(namespace)), ['metadata.namespace: Forbidden: not allowed on this type']);
    assert.deepEqual(validate(attributes({ object: configMap({ name: 'cm', namespace: 'ns', labels: { app: 'web' } }) })), []);
  });

  it('update: immutable fields, resourceVersion required, no new finalizers while deleting', () => {
    const changedUid = configMap({ ...STORED.metadata, uid: 'u2' });
    assert.deepEqual(messages(validate(attributes({ operation: 'UPDATE', object: changedUid, oldObject: STORED }))), [
      'metadata.uid: Invalid value: "u2": field is immutable',
    ]);
    const noRV = configMap({ ...STORED.metadata, resourceVersion: undefined });
    assert.deepEqual(messages(validate(attributes({ operation: 'UPDATE', object: noRV, oldObject: STORED }))), [
      'metadata.resourceVersion: Invalid value: "": must be specified for an update',
    ]);
    const deleting = configMap({ ...STORED.metadata, deletionTimestamp: '2026-01-02T00:00:00Z', finalizers: ['example.com/a'] });
    const added = configMap({ ...deleting.metadata, finalizers: ['example.com/a', 'example.com/b'] });
    assert.deepEqual(messages(validate(attributes({ operation: 'UPDATE', object: added, oldObject: deleting }))), [
      'metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"example.com/b"}',
    ]);
  });

  it('the status and finalize subresources are validated like the main resource; others are not', () => {
    const badLabels = configMap({ ...STORED.metadata, labels: { 'bad key': 'x' } });
    const status = attributes({ operation: 'UPDATE', subresource: 'status', object: badLabels, oldObject: STORED });
    // The create and the update rules both check labels, so kube reports the error twice.
    const onLabels = (errors: ReturnType<typeof validate>) => errors.length > 0 && errors.every((e) => e.field === 'metadata.labels');
    assert.ok(onLabels(validate(status)));
    assert.ok(onLabels(validate({ ...status, subresource: 'finalize' })));
    assert.deepEqual(validate({ ...status, subresource: 'scale' }), []);
  });
});

describe('strategyValidation in the chain', () => {
  const defs = definitions();
  const chain = new AdmissionChain({ validator: new SchemaValidator(defs), defaulter: new Defaulter(defs), strategy: validate });

  function input(object: KubeObject, extra: Partial<AdmissionInput> = {}): AdmissionInput {
    return {
      operation: 'CREATE',
      group: '',
      version: 'v1',
      kind: 'ConfigMap',
      resource: 'configmaps',
      subresource: '',
      namespace: 'ns',
      name: '',
      object,
      oldObject: undefined,
      dryRun: false,
      fieldValidation: 'Strict',
      user: undefined,
      ...extra,
    };
  }

  it('answers the storage registry\'s former 422: on the kind, named by the object', async () => {
    let caught: unknown;
    try {
      await chain.admit(input(configMap({ name: 'Bad_Name', namespace: 'ns' })));
    } catch (err) {
      caught = err;
    }
    assert.ok(caught instanceof StatusError);
    assert.equal(caught.status.code, 422);
    assert.equal(caught.status.message, `ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": ${DNS1123_SUBDOMAIN_MSG}`);
    assert.deepEqual(caught.status.details, {
      name: 'Bad_Name',
      kind: 'ConfigMap',
      causes: [{ reason: 'FieldValueInvalid', message: `Invalid value: "Bad_Name": ${DNS1123_SUBDOMAIN_MSG}`, field: 'metadata.name' }],
    });
  });

  it('admits a valid update', async () => {
    const updated = configMap({ ...STORED.metadata, labels: { app: 'web' } });
    const out = await chain.admit(input(updated, { operation: 'UPDATE', name: 'cm', oldObject: STORED }));
    assert.deepEqual((out.object as KubeObject).metadata?.labels, { app: 'web' });
  });
});
