import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isStatusError } from '@kapi/apimachinery';
import {
  decodeGetOptions,
  decodeIncludeObject,
  decodeListOptions,
  decodeWriteOptions,
  fieldManagerFromUserAgent,
} from './options.js';
import { deleteOptionsFromBody, deleteOptionsFromQuery, finishDeleteOptions } from './delete-options.js';

function statusOf(fn: () => unknown): { code: number; reason: string; message: string; causes: unknown } {
  try {
    fn();
  } catch (err) {
    assert.ok(isStatusError(err), String(err));
    return { code: err.code, reason: err.reason, message: err.status.message ?? '', causes: err.status.details?.causes };
  }
  assert.fail('expected a StatusError');
}

const q = (s: string) => new URLSearchParams(s);

test('write options: dryRun=All only, fieldValidation enum, kube wording', () => {
  assert.deepEqual(decodeWriteOptions(q('dryRun=All&fieldManager=me&fieldValidation=Strict'), 'create', 'kubectl/v1.33'), {
    dryRun: true,
    fieldManager: 'me',
    fieldValidation: 'Strict',
    force: false,
  });
  const dry = statusOf(() => decodeWriteOptions(q('dryRun=foo'), 'create', ''));
  assert.equal(dry.code, 422);
  assert.equal(dry.reason, 'Invalid');
  assert.equal(dry.message, 'CreateOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: []string{"foo"}: supported values: "All"');
  assert.deepEqual(dry.causes, [{ reason: 'FieldValueNotSupported', message: 'Unsupported value: []string{"foo"}: supported values: "All"', field: 'dryRun' }]);
  const fv = statusOf(() => decodeWriteOptions(q('fieldValidation=strict'), 'update', ''));
  assert.equal(
    fv.message,
    'UpdateOptions.meta.k8s.io "" is invalid: fieldValidation: Unsupported value: "strict": supported values: "", "Ignore", "Strict", "Warn"',
  );
  const both = statusOf(() => decodeWriteOptions(q('dryRun=All&dryRun=x&fieldValidation=x'), 'create', ''));
  assert.equal(
    both.message,
    'CreateOptions.meta.k8s.io "" is invalid: [dryRun: Unsupported value: []string{"All", "x"}: supported values: "All", fieldValidation: Unsupported value: "x": supported values: "", "Ignore", "Strict", "Warn"]',
  );
});

test('write options: the field manager defaults from the User-Agent and is validated', () => {
  assert.equal(decodeWriteOptions(q(''), 'create', 'kubectl-client-side-apply/v1.33.0 (linux/amd64)').fieldManager, 'kubectl-client-side-apply');
  assert.equal(fieldManagerFromUserAgent('a\u0007b/1'), 'ab');
  assert.equal(fieldManagerFromUserAgent('x'.repeat(200)).length, 128);
  const long = statusOf(() => decodeWriteOptions(q(`fieldManager=${'m'.repeat(129)}`), 'create', ''));
  assert.equal(long.message, 'CreateOptions.meta.k8s.io "" is invalid: fieldManager: Too long: may not be more than 128 bytes');
  const ctl = statusOf(() => decodeWriteOptions(q('fieldManager=a%07b'), 'create', ''));
  assert.equal(ctl.message, 'CreateOptions.meta.k8s.io "" is invalid: fieldManager: Invalid value: "a\\ab": invalid character U+0007 (at position 1)');
});

test('patch options: apply needs a field manager; force only with apply', () => {
  const apply = statusOf(() => decodeWriteOptions(q(''), 'patch', 'kubectl', 'application/apply-patch+yaml'));
  assert.equal(apply.message, 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch');
  assert.equal(decodeWriteOptions(q('fieldManager=m&force=true'), 'patch', '', 'application/apply-patch+yaml').force, true);
  const force = statusOf(() => decodeWriteOptions(q('force=false'), 'patch', '', 'application/merge-patch+json'));
  assert.equal(force.message, 'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch');
});

test('list options: Go integer parsing, selector parsing, validation', () => {
  const o = decodeListOptions(q('limit=500&labelSelector=a%3Db&resourceVersion=5&resourceVersionMatch=NotOlderThan&timeoutSeconds=9'));
  assert.equal(o.limit, 500);
  assert.equal(decodeListOptions(q('continue=abc')).continue, 'abc');
  assert.equal(o.labelSelector, 'a=b');
  assert.equal(o.resourceVersionMatch, 'NotOlderThan');
  assert.equal(o.timeoutSeconds, 9);
  assert.equal(o.watch, false);
  assert.equal(decodeListOptions(q('watch=1')).watch, true);
  const limit = statusOf(() => decodeListOptions(q('limit=abc')));
  assert.deepEqual([limit.code, limit.message], [400, 'strconv.ParseInt: parsing "abc": invalid syntax']);
  const empty = statusOf(() => decodeListOptions(q('limit=')));
  assert.equal(empty.message, 'strconv.ParseInt: parsing "": invalid syntax');
  const selector = statusOf(() => decodeListOptions(q('labelSelector=a%20in')));
  assert.equal(selector.code, 400);
  const match = statusOf(() => decodeListOptions(q('resourceVersionMatch=Exact')));
  assert.equal(match.code, 422);
  assert.equal(match.message, 'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided');
  const bad = statusOf(() => decodeListOptions(q('resourceVersion=1&resourceVersionMatch=Sometime')));
  assert.equal(bad.message, 'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Unsupported value: "Sometime": supported values: "Exact", "NotOlderThan", ""');
  const sie = statusOf(() => decodeListOptions(q('sendInitialEvents=true')));
  assert.equal(sie.message, 'ListOptions.meta.k8s.io "" is invalid: sendInitialEvents: Forbidden: sendInitialEvents is forbidden for list');
});

test('get options: resourceVersion, and export refused', () => {
  assert.deepEqual(decodeGetOptions(q('resourceVersion=0')), { resourceVersion: '0' });
  assert.deepEqual(decodeGetOptions(q('export=false')), { resourceVersion: '' });
  const exp = statusOf(() => decodeGetOptions(q('export=1')));
  assert.equal(exp.message, 'the export parameter, deprecated since v1.14, is no longer supported');
});

test('delete options from the query and from a body', () => {
  assert.deepEqual(finishDeleteOptions(deleteOptionsFromQuery(q('gracePeriodSeconds=0&propagationPolicy=Foreground&dryRun=All'))), {
    propagationPolicy: 'Foreground',
    hasGracePeriodSeconds: true,
    gracePeriodSeconds: 0,
    dryRun: true,
  });
  assert.deepEqual(
    finishDeleteOptions(
      deleteOptionsFromBody({ kind: 'DeleteOptions', apiVersion: 'meta.k8s.io/v1', preconditions: { uid: 'u', resourceVersion: '3' }, orphanDependents: true }),
    ),
    { propagationPolicy: 'Orphan', hasGracePeriodSeconds: false, gracePeriodSeconds: 0, dryRun: false, preconditions: { uid: 'u', resourceVersion: '3' } },
  );
  const grace = statusOf(() => deleteOptionsFromQuery(q('gracePeriodSeconds=soon')));
  assert.equal(grace.message, 'strconv.ParseInt: parsing "soon": invalid syntax');
  const typed = statusOf(() => deleteOptionsFromBody({ gracePeriodSeconds: '5' }));
  assert.equal(typed.message, 'json: cannot unmarshal string into Go struct field DeleteOptions.gracePeriodSeconds of type int64');
  const policy = statusOf(() => finishDeleteOptions({ propagationPolicy: 'Later' }));
  assert.equal(policy.code, 422);
  assert.equal(policy.message, 'DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "Later": supported values: "Foreground", "Background", "Orphan", "nil"');
  const both = statusOf(() => finishDeleteOptions({ propagationPolicy: 'Orphan', orphanDependents: true }));
  assert.equal(both.message, 'DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Invalid value: "Orphan": orphanDependents and deletionPropagation cannot be both set');
});

test('includeObject for Tables', () => {
  assert.equal(decodeIncludeObject(q('')), 'Metadata');
  assert.equal(decodeIncludeObject(q('includeObject=None')), 'None');
  const bad = statusOf(() => decodeIncludeObject(q('includeObject=All')));
  assert.equal(bad.message, `Unable to convert to Table as requested: includeObject: Invalid value: "All": must be 'Metadata', 'Object', 'None', or empty`);
});
