import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ageCell, buildTable, DEFAULT_COLUMNS, humanDuration, partialObjectMetadataList } from './table.js';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

test('humanDuration matches duration.HumanDuration', () => {
  const cases: [number, string][] = [
    [-2 * S, '<invalid>'],
    [-1 * S, '0s'],
    [0, '0s'],
    [59 * S, '59s'],
    [119 * S, '119s'],
    [2 * M, '2m'],
    [5 * M + 30 * S, '5m30s'],
    [9 * M + 59 * S, '9m59s'],
    [10 * M + 30 * S, '10m'],
    [179 * M, '179m'],
    [3 * H, '3h'],
    [3 * H + 2 * M, '3h2m'],
    [7 * H + 59 * M, '7h59m'],
    [8 * H + 30 * M, '8h'],
    [47 * H, '47h'],
    [2 * D, '2d'],
    [2 * D + 5 * H, '2d5h'],
    [8 * D, '8d'],
    [729 * D, '729d'],
    [730 * D, '2y'],
    [3 * 365 * D + 45 * D, '3y45d'],
    [8 * 365 * D, '8y'],
    [20 * 365 * D + 100 * D, '20y'],
  ];
  for (const [ms, text] of cases) assert.equal(humanDuration(ms), text, `${ms}ms`);
});

test('ageCell is <unknown> without a creation time', () => {
  const now = Date.parse('2026-01-01T00:10:00Z');
  assert.equal(ageCell('2026-01-01T00:00:00Z', now), '10m');
  assert.equal(ageCell(undefined, now), '<unknown>');
  assert.equal(ageCell(null, now), '<unknown>');
  assert.equal(ageCell('0001-01-01T00:00:00Z', now), '<unknown>');
});

const now = Date.parse('2026-01-01T03:02:00Z');
const pod = (name: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default', resourceVersion: '7', creationTimestamp: '2026-01-01T00:00:00Z', labels: { a: 'b' } },
  spec: { containers: [] },
});

test('buildTable of a list: NAME and AGE columns, PartialObjectMetadata rows, list metadata', () => {
  const list = { kind: 'PodList', apiVersion: 'v1', metadata: { resourceVersion: '9', continue: 'tok', remainingItemCount: 3 }, items: [pod('a'), pod('b')] };
  const table = buildTable(list, DEFAULT_COLUMNS, 'Metadata', 'v1', now) as { [k: string]: unknown; rows: { cells: unknown[]; object: unknown }[] };
  assert.deepEqual(Object.keys(table), ['kind', 'apiVersion', 'metadata', 'columnDefinitions', 'rows']);
  assert.equal(table.kind, 'Table');
  assert.equal(table.apiVersion, 'meta.k8s.io/v1');
  assert.deepEqual(table.metadata, { resourceVersion: '9', continue: 'tok', remainingItemCount: 3 });
  const cols = table.columnDefinitions as { name: string; type: string; format: string; priority: number }[];
  assert.deepEqual(cols.map((c) => [c.name, c.type, c.format, c.priority]), [['Name', 'string', 'name', 0], ['Age', 'string', '', 0]]);
  assert.deepEqual(table.rows.map((r) => r.cells), [['a', '3h2m'], ['b', '3h2m']]);
  assert.deepEqual(table.rows[0]!.object, { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: pod('a').metadata });
});

test('buildTable of one object, includeObject None and Object, v1beta1', () => {
  const none = buildTable(pod('a'), DEFAULT_COLUMNS, 'None', 'v1beta1', now) as { apiVersion: string; metadata: unknown; rows: { object: unknown }[] };
  assert.equal(none.apiVersion, 'meta.k8s.io/v1beta1');
  assert.deepEqual(none.metadata, { resourceVersion: '7' });
  assert.equal(none.rows.length, 1);
  assert.equal(none.rows[0]!.object, null);
  const full = buildTable(pod('a'), DEFAULT_COLUMNS, 'Object', 'v1', now) as { rows: { object: unknown }[] };
  assert.deepEqual(full.rows[0]!.object, pod('a'));
});

test('an empty list has no rows, not null', () => {
  const table = buildTable({ kind: 'PodList', apiVersion: 'v1', metadata: {}, items: [] }, DEFAULT_COLUMNS, 'Metadata', 'v1', now) as { rows: unknown };
  assert.deepEqual(table.rows, []);
});

test('partialObjectMetadataList', () => {
  const out = partialObjectMetadataList({ kind: 'PodList', apiVersion: 'v1', metadata: { resourceVersion: '9' }, items: [pod('a')] }, 'v1');
  assert.deepEqual(out, {
    kind: 'PartialObjectMetadataList',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion: '9' },
    items: [{ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: pod('a').metadata }],
  });
});
