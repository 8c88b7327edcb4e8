import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  isAlreadyExists,
  isConflict,
  isNotFound,
  newAlreadyExists,
  newBadRequest,
  newConflict,
  newForbidden,
  newGenerateNameConflict,
  newGone,
  newInternalError,
  newInvalid,
  newMethodNotSupported,
  newNotAcceptable,
  newNotFound,
  newRequestEntityTooLarge,
  newResourceExpired,
  newServerTimeout,
  newServiceUnavailable,
  newTimeoutError,
  newTooManyRequests,
  newTooManyRequestsError,
  newUnauthorized,
  newUnsupportedMediaType,
  OPTIMISTIC_LOCK_ERROR_MSG,
  qualifiedKindString,
  qualifiedResourceString,
  statusErrorFromObject,
  toStatusError,
} from './errors.js';
import { fieldPath, invalid, required } from './field.js';
import { StatusError } from './status.js';

const pods = { group: '', resource: 'pods' };
const deployments = { group: 'apps', resource: 'deployments' };

test('qualified names render as kube does', () => {
  assert.equal(qualifiedResourceString(pods), 'pods');
  assert.equal(qualifiedResourceString(deployments), 'deployments.apps');
  assert.equal(qualifiedKindString({ group: '', kind: 'ConfigMap' }), 'ConfigMap');
  assert.equal(qualifiedKindString({ group: 'apps', kind: 'Deployment' }), 'Deployment.apps');
});

test('NotFound and AlreadyExists', () => {
  const nf = newNotFound(pods, 'x');
  assert.equal(nf.code, 404);
  assert.equal(nf.reason, 'NotFound');
  assert.equal(nf.message, 'pods "x" not found');
  assert.deepEqual(nf.status, {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: 'pods "x" not found',
    reason: 'NotFound',
    details: { name: 'x', kind: 'pods' },
    code: 404,
  });
  const ae = newAlreadyExists(deployments, 'web');
  assert.equal(ae.code, 409);
  assert.equal(ae.message, 'deployments.apps "web" already exists');
  assert.deepEqual(ae.status.details, { name: 'web', group: 'apps', kind: 'deployments' });
  const gen = newGenerateNameConflict(pods, 'web-abcde', 1);
  assert.equal(gen.message, 'pods "web-abcde" already exists, the server was not able to generate a unique name for the object');
  assert.equal(gen.status.details?.retryAfterSeconds, 1);
});

test('Conflict with the optimistic-lock message', () => {
  const err = newConflict({ group: '', resource: 'configmaps' }, 'cm', OPTIMISTIC_LOCK_ERROR_MSG);
  assert.equal(err.code, 409);
  assert.equal(err.reason, 'Conflict');
  assert.equal(
    err.message,
    'Operation cannot be fulfilled on configmaps "cm": the object has been modified; please apply your changes to the latest version and try again',
  );
  assert.equal(newConflict(pods, 'p', new Error('boom')).message, 'Operation cannot be fulfilled on pods "p": boom');
});

test('Invalid: single error, aggregate form and causes', () => {
  const one = newInvalid({ group: '', kind: 'ConfigMap' }, 'x', [
    required(fieldPath('metadata', 'name'), 'name or generateName is required'),
  ]);
  assert.equal(one.code, 422);
  assert.equal(one.reason, 'Invalid');
  assert.equal(one.message, 'ConfigMap "x" is invalid: metadata.name: Required value: name or generateName is required');
  assert.deepEqual(one.status.details, {
    name: 'x',
    kind: 'ConfigMap',
    causes: [{ reason: 'FieldValueRequired', message: 'Required value: name or generateName is required', field: 'metadata.name' }],
  });
  const errs = [
    invalid(fieldPath('spec', 'replicas'), -1, 'must be greater than or equal to 0'),
    required(fieldPath('spec', 'selector')),
  ];
  const two = newInvalid({ group: 'apps', kind: 'Deployment' }, 'web', errs);
  assert.equal(
    two.message,
    'Deployment.apps "web" is invalid: [spec.replicas: Invalid value: -1: must be greater than or equal to 0, spec.selector: Required value]',
  );
  assert.equal(two.status.details?.causes?.length, 2);
  assert.equal(two.status.details?.group, 'apps');
  const none = newInvalid({ group: '', kind: 'Pod' }, 'p', []);
  assert.equal(none.message, 'Pod "p" is invalid');
  assert.equal(none.status.details?.causes, undefined);
});

test('request-level errors', () => {
  assert.deepEqual(newBadRequest('nope').status, {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: 'nope',
    reason: 'BadRequest',
    code: 400,
  });
  const mna = newMethodNotSupported(deployments, 'create');
  assert.equal(mna.code, 405);
  assert.equal(mna.message, 'create is not supported on resources of kind "deployments.apps"');
  assert.deepEqual(mna.status.details, { group: 'apps', kind: 'deployments' });
  const na = newNotAcceptable(['application/json', 'application/yaml']);
  assert.equal(na.code, 406);
  assert.equal(na.message, 'only the following media types are accepted: application/json, application/yaml');
  const umt = newUnsupportedMediaType(['application/json', 'application/yaml']);
  assert.equal(umt.code, 415);
  assert.equal(umt.reason, 'UnsupportedMediaType');
  assert.equal(
    umt.message,
    'the body of the request was in an unknown format - accepted media types include: application/json, application/yaml',
  );
  const large = newRequestEntityTooLarge('limit is 3145728');
  assert.equal(large.code, 413);
  assert.equal(large.message, 'Request entity too large: limit is 3145728');
});

test('retryable errors carry retryAfterSeconds', () => {
  const tmr = newTooManyRequests('slow down', 3);
  assert.equal(tmr.code, 429);
  assert.equal(tmr.message, 'slow down');
  assert.deepEqual(tmr.status.details, { retryAfterSeconds: 3 });
  assert.deepEqual(newTooManyRequests('x', 0).status.details, {});
  assert.equal(newTooManyRequestsError('x').message, 'Too many requests: x');
  const timeout = newTimeoutError('request did not complete within requested timeout - context deadline exceeded', 0);
  assert.equal(timeout.code, 504);
  assert.equal(timeout.reason, 'Timeout');
  assert.equal(timeout.message, 'Timeout: request did not complete within requested timeout - context deadline exceeded');
  const st = newServerTimeout(pods, 'list', 2);
  assert.equal(st.code, 500);
  assert.equal(st.reason, 'ServerTimeout');
  assert.equal(st.message, 'The list operation against pods could not be completed at this time, please try again.');
  assert.deepEqual(st.status.details, { name: 'list', kind: 'pods', retryAfterSeconds: 2 });
});

test('gone, expired, unavailable', () => {
  assert.equal(newGone('gone').code, 410);
  assert.equal(newGone('gone').reason, 'Gone');
  assert.equal(newResourceExpired('too old').code, 410);
  assert.equal(newResourceExpired('too old').reason, 'Expired');
  assert.equal(newServiceUnavailable('down').code, 503);
});

test('Forbidden in its three forms', () => {
  const one = newForbidden(pods, 'x', 'User "bob" cannot get resource "pods" in API group "" in the namespace "default"');
  assert.equal(one.code, 403);
  assert.equal(one.message, 'pods "x" is forbidden: User "bob" cannot get resource "pods" in API group "" in the namespace "default"');
  assert.equal(newForbidden(deployments, '', 'no').message, 'deployments.apps is forbidden: no');
  assert.equal(newForbidden({ group: '', resource: '' }, '', new Error('no')).message, 'forbidden: no');
  assert.deepEqual(newForbidden({ group: '', resource: '' }, '', 'no').status.details, {});
});

test('Unauthorized and InternalError', () => {
  assert.equal(newUnauthorized('').message, 'not authorized');
  assert.equal(newUnauthorized('bad token').code, 401);
  const ie = newInternalError(new Error('etcd down'));
  assert.equal(ie.code, 500);
  assert.equal(ie.reason, 'InternalError');
  assert.equal(ie.message, 'Internal error occurred: etcd down');
  assert.deepEqual(ie.status.details, { causes: [{ message: 'etcd down' }] });
});

test('toStatusError passes StatusErrors and wraps the rest', () => {
  const nf = newNotFound(pods, 'x');
  assert.equal(toStatusError(nf), nf);
  const wrapped = toStatusError(new TypeError('oops'));
  assert.equal(wrapped.reason, 'InternalError');
  assert.equal(wrapped.message, 'Internal error occurred: oops');
  assert.equal(toStatusError('text').message, 'Internal error occurred: text');
  const fromWire = toStatusError(JSON.parse(JSON.stringify(nf.status)));
  assert.ok(fromWire instanceof StatusError);
  assert.deepEqual(fromWire.status, nf.status);
});

test('statusErrorFromObject accepts only failure Statuses', () => {
  assert.equal(statusErrorFromObject({ kind: 'Pod', apiVersion: 'v1' }), undefined);
  assert.equal(statusErrorFromObject({ kind: 'Status', apiVersion: 'v1', status: 'Success', code: 200 }), undefined);
  assert.equal(statusErrorFromObject({ kind: 'Status', apiVersion: 'v2', status: 'Failure', code: 500 }), undefined);
  assert.equal(statusErrorFromObject({ kind: 'Status', apiVersion: 'meta.k8s.io/v1', status: 'Failure', code: 418 })?.code, 418);
});

test('classification by reason, then by code for unknown reasons', () => {
  assert.ok(isNotFound(newNotFound(pods, 'x')));
  assert.ok(!isNotFound(newAlreadyExists(pods, 'x')));
  assert.ok(isAlreadyExists(newAlreadyExists(pods, 'x')));
  assert.ok(!isConflict(newAlreadyExists(pods, 'x')));
  const odd = new StatusError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: 404, reason: '' });
  assert.ok(isNotFound(odd));
  assert.ok(!isNotFound(new Error('x')));
});

test('Status members serialize in metav1.Status order', () => {
  assert.equal(
    JSON.stringify(newNotFound(pods, 'x').status),
    '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"pods \\"x\\" not found","reason":"NotFound","details":{"name":"x","kind":"pods"},"code":404}',
  );
  assert.equal(
    JSON.stringify(newBadRequest('b').status),
    '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"b","reason":"BadRequest","code":400}',
  );
  const wire = { code: 409, details: { name: 'x' }, reason: 'Conflict', message: 'm', status: 'Failure', metadata: {}, apiVersion: 'v1', kind: 'Status' };
  assert.equal(
    JSON.stringify(toStatusError(wire).status),
    '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"m","reason":"Conflict","details":{"name":"x"},"code":409}',
  );
});
