import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ensureNamespaceMatchesRequest,
  fillObjectMetaSystemFields,
  formatMicroTimestamp,
  formatTimestamp,
  generateName,
  MAX_GENERATED_NAME_PREFIX_LENGTH,
  metaOf,
  newUID,
  nowTimestamp,
  parseTimestamp,
  wipeObjectMetaSystemFields,
} from './meta.js';
import { StatusError } from './status.js';
import type { KubeObject, ObjectMeta } from './types.js';

test('metaOf returns existing metadata or creates it', () => {
  const withMeta: KubeObject = { metadata: { name: 'a' } };
  assert.equal(metaOf(withMeta).name, 'a');
  const without: KubeObject = { kind: 'ConfigMap' };
  const created = metaOf(without);
  created.name = 'b';
  assert.deepEqual(without.metadata, { name: 'b' });
  const nulled = { metadata: null } as unknown as KubeObject;
  assert.deepEqual(metaOf(nulled), {});
});

test('metaOf rejects metadata that is not an object', () => {
  assert.throws(
    () => metaOf({ kind: 'ConfigMap', metadata: 5 } as unknown as KubeObject),
    (e: unknown) =>
      e instanceof StatusError &&
      e.code === 400 &&
      e.message === 'json: cannot unmarshal number into Go struct field ConfigMap.metadata of type v1.ObjectMeta',
  );
  assert.throws(() => metaOf({ metadata: [] } as unknown as KubeObject), StatusError);
});

test('timestamps as metav1.Time marshals them', () => {
  const d = new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 678));
  assert.equal(formatTimestamp(d), '2026-01-02T03:04:05Z');
  assert.equal(formatMicroTimestamp(d), '2026-01-02T03:04:05.678000Z');
  const year5 = new Date(0);
  year5.setUTCFullYear(5);
  assert.equal(formatTimestamp(year5), '0005-01-01T00:00:00Z');
  assert.match(nowTimestamp(), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  assert.throws(() => formatTimestamp(new Date(NaN)), RangeError);
  assert.throws(() => formatTimestamp(new Date(Date.UTC(10000, 0, 1))), RangeError);
});

test('RFC 3339 parsing', () => {
  assert.equal(parseTimestamp('2026-01-02T03:04:05Z')?.toISOString(), '2026-01-02T03:04:05.000Z');
  assert.equal(parseTimestamp('2026-01-02T03:04:05.5+01:00')?.toISOString(), '2026-01-02T02:04:05.500Z');
  assert.equal(parseTimestamp('2026-01-02T03:04:05-00:30')?.toISOString(), '2026-01-02T03:34:05.000Z');
  assert.equal(parseTimestamp('0099-03-01T00:00:00Z')?.getUTCFullYear(), 99);
  for (const bad of ['2026-01-02', '2026-01-02 03:04:05Z', '2026-02-30T00:00:00Z', '2026-01-02T24:00:00Z',
    '2026-01-02T03:04:60Z', '2026-01-02T03:04:05+24:00', '2026-01-02t03:04:05z', 'x']) {
    assert.equal(parseTimestamp(bad), undefined, bad);
  }
});

test('uids are random v4 UUIDs', () => {
  const a = newUID();
  assert.match(a, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.notEqual(a, newUID());
});

test('generateName appends 5 characters of the kube alphabet and fits 63', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 50; i++) {
    const name = generateName('web-');
    assert.match(name, /^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    seen.add(name);
  }
  assert.ok(seen.size > 1);
  const long = generateName('x'.repeat(100));
  assert.equal(long.length, 63);
  assert.ok(long.startsWith('x'.repeat(MAX_GENERATED_NAME_PREFIX_LENGTH)));
  // Truncation counts UTF-8 bytes and never splits a character.
  const multi = generateName('é'.repeat(40));
  assert.equal(multi.slice(0, -5), 'é'.repeat(29));
});

test('namespace reconciliation with the request', () => {
  const m: ObjectMeta = {};
  ensureNamespaceMatchesRequest(m, 'default', true);
  assert.equal(m.namespace, 'default');
  const same: ObjectMeta = { namespace: 'default' };
  ensureNamespaceMatchesRequest(same, 'default', true);
  assert.equal(same.namespace, 'default');
  const cluster: ObjectMeta = { namespace: 'x' };
  ensureNamespaceMatchesRequest(cluster, 'ignored', false);
  assert.equal(cluster.namespace, undefined);
  assert.throws(
    () => ensureNamespaceMatchesRequest({ namespace: 'a' }, 'b', true),
    (e: unknown) =>
      e instanceof StatusError && e.code === 400 &&
      e.message === 'the namespace of the provided object does not match the namespace sent on the request',
  );
});

test('system fields are wiped and filled', () => {
  const m: ObjectMeta = { name: 'a', uid: 'u', creationTimestamp: 'x', deletionTimestamp: 'y', deletionGracePeriodSeconds: 3, selfLink: 's' };
  wipeObjectMetaSystemFields(m);
  assert.deepEqual({ ...m }, { name: 'a' });
  const filled: ObjectMeta = { name: 'a' };
  fillObjectMetaSystemFields(filled, new Date(Date.UTC(2026, 4, 6, 7, 8, 9)));
  assert.equal(filled.creationTimestamp, '2026-05-06T07:08:09Z');
  assert.match(filled.uid ?? '', /^[0-9a-f-]{36}$/);
});
