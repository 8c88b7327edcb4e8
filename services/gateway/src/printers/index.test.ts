import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { builtinCatalogue, type ResourceInfo } from '@kapi/schema';
import { buildTable } from '../table.js';
import { builtinColumns, defaultTableConvertor, printerFor } from './index.js';

const NOW = Date.parse('2024-05-01T12:00:00Z');

function info(group: string, version: string, resource: string): ResourceInfo {
  const found = builtinCatalogue().lookup(group, version, resource);
  assert.ok(found, `${group}/${version}/${resource} is in the catalogue`);
  return found;
}

describe('printer registry', () => {
  test('every readable built-in resource has a provider whose rows match its columns (odd objects included)', () => {
    const odd: Record<string, unknown>[] = [
      {},
      { metadata: 'x', spec: [], status: 3 },
      { metadata: { name: 'n', creationTimestamp: 'not a time', labels: 5 }, spec: { containers: 'x', selector: 'y', ports: [null, 1] }, status: { conditions: [null, 'x'] } },
    ];
    for (const resource of builtinCatalogue().resources) {
      if (!resource.verbs.includes('get') && !resource.verbs.includes('list')) continue;
      const provider = printerFor(resource);
      assert.ok(provider, `${resource.group}/${resource.resource}`);
      for (const object of odd) {
        const cells = provider.cells(object, NOW);
        // kube's IPAddress printer is the one that prints a cell more than it declares
        const expected: number = resource.resource === 'ipaddresses' ? provider.columns.length + 1 : provider.columns.length;
        assert.equal(cells.length, expected, `${resource.group}/${resource.resource}`);
      }
    }
  });

  test('built-ins without a printer use NAME and CREATED AT; custom resources fall through', () => {
    for (const [group, resource] of [
      ['rbac.authorization.k8s.io', 'roles'],
      ['rbac.authorization.k8s.io', 'clusterroles'],
      ['', 'limitranges'],
      ['apiextensions.k8s.io', 'customresourcedefinitions'],
    ] as const) {
      assert.equal(printerFor(info(group, 'v1', resource)), defaultTableConvertor, resource);
    }
    assert.deepEqual(defaultTableConvertor.columns.map((c) => [c.name, c.type]), [
      ['Name', 'string'],
      ['Created At', 'date'],
    ]);
    assert.deepEqual(defaultTableConvertor.cells({ metadata: { name: 'admin', creationTimestamp: '2024-04-30T10:11:12Z' } }, NOW), ['admin', '2024-04-30T10:11:12Z']);
    assert.deepEqual(defaultTableConvertor.cells({}, NOW), ['', '0001-01-01T00:00:00Z']);
    const widget: ResourceInfo = { ...info('apps', 'v1', 'deployments'), group: 'example.com', resource: 'widgets', kind: 'Widget' };
    assert.equal(builtinColumns(widget, ''), undefined);
    assert.equal(builtinColumns(widget, 'scale'), undefined);
  });

  test('subresources: /status prints the object, /scale prints a Scale; versions pick their shape', () => {
    const deployments = info('apps', 'v1', 'deployments');
    assert.equal(builtinColumns(deployments, 'status'), printerFor(deployments));
    assert.deepEqual(builtinColumns(deployments, 'scale')!.columns.map((c) => c.name), ['Name', 'Desired', 'Available', 'Age']);
    const v1 = builtinColumns(info('autoscaling', 'v1', 'horizontalpodautoscalers'), '')!;
    const v2 = builtinColumns(info('autoscaling', 'v2', 'horizontalpodautoscalers'), '')!;
    assert.notEqual(v1, v2);
    assert.equal(builtinColumns(info('events.k8s.io', 'v1', 'events'), '')!.cells({ regarding: { kind: 'Pod', name: 'p' } }, NOW)[3], 'pod/p');
  });

  test('the Table carries list metadata and one row for a single object', () => {
    const pods = printerFor(info('', 'v1', 'pods'))!;
    const list = buildTable(
      { kind: 'PodList', metadata: { resourceVersion: '42', continue: 'tok', remainingItemCount: 0 }, items: [{ metadata: { name: 'a' } }] },
      pods,
      'Metadata',
      'v1',
      NOW,
    ) as { metadata: unknown; rows: unknown[] };
    assert.deepEqual(list.metadata, { resourceVersion: '42', continue: 'tok', remainingItemCount: 0 });
    const one = buildTable({ kind: 'Pod', metadata: { name: 'a', resourceVersion: '7' } }, pods, 'None', 'v1', NOW) as { metadata: unknown; rows: { cells: unknown[] }[] };
    assert.deepEqual(one.metadata, { resourceVersion: '7' });
    // includeObject=Object embeds list items with their kind and apiVersion, as kube encodes them
    const full = buildTable({ kind: 'PodList', apiVersion: 'v1', metadata: {}, items: [{ metadata: { name: 'a' } }] }, pods, 'Object', 'v1', NOW) as { rows: { object: Record<string, unknown> }[] };
    assert.deepEqual(Object.keys(full.rows[0]!.object).slice(0, 2), ['kind', 'apiVersion']);
    assert.equal(full.rows[0]!.object.kind, 'Pod');
    assert.equal(full.rows[0]!.object.apiVersion, 'v1');
    assert.equal(one.rows.length, 1);
    assert.equal(one.rows[0]!.cells[0], 'a');
  });
});
