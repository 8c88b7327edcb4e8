import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { builtinCatalogue } from '@kapi/schema';
import { aggregatedContentType, aggregatedDiscovery, convertToDiscovery, negotiateAggregatedDiscovery } from './discovery-aggregated.js';
import { SERIALIZERS } from './negotiation.js';

const catalogue = builtinCatalogue();

test('client-go Accept headers select aggregated discovery; plain JSON stays legacy', () => {
  const v2 = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';
  const beta = 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList';
  assert.equal(negotiateAggregatedDiscovery(`${v2},${beta},application/json`, SERIALIZERS)?.convert?.version, 'v2');
  assert.equal(negotiateAggregatedDiscovery(`${beta},application/json`, SERIALIZERS)?.convert?.version, 'v2beta1');
  // protobuf is not written by the gateway: the JSON clause that follows is chosen
  const pb = 'application/vnd.kubernetes.protobuf;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';
  assert.equal(negotiateAggregatedDiscovery(`${pb},${v2},application/json`, SERIALIZERS)?.accepted.mediaType, 'application/json');
  assert.equal(negotiateAggregatedDiscovery('application/json', SERIALIZERS), undefined);
  assert.equal(negotiateAggregatedDiscovery('', SERIALIZERS), undefined);
  assert.equal(negotiateAggregatedDiscovery('application/json;g=apidiscovery.k8s.io;v=v3;as=APIGroupDiscoveryList', SERIALIZERS), undefined);
  assert.equal(negotiateAggregatedDiscovery('application/json;g=meta.k8s.io;v=v1;as=Table', SERIALIZERS), undefined);
  assert.equal(aggregatedContentType('application/json', 'v2'), v2);
});

test('/api lists the core group unnamed with pods and their subresources', () => {
  const doc = aggregatedDiscovery(catalogue).legacy();
  assert.equal(doc.items.length, 1);
  assert.deepEqual(doc.items[0]!.metadata, {});
  const v1 = doc.items[0]!.versions![0]!;
  assert.equal(v1.version, 'v1');
  assert.equal(v1.freshness, 'Current');
  const pods = v1.resources!.find((r) => r.resource === 'pods')!;
  assert.deepEqual(
    { ...pods, subresources: undefined },
    {
      resource: 'pods',
      responseKind: { group: '', version: '', kind: 'Pod' },
      scope: 'Namespaced',
      singularResource: 'pod',
      verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
      shortNames: ['po'],
      categories: ['all'],
      subresources: undefined,
    },
  );
  const status = pods.subresources!.find((s) => s.subresource === 'status');
  assert.deepEqual(status, { subresource: 'status', responseKind: { group: '', version: '', kind: 'Pod' }, verbs: ['get', 'patch', 'update'] });
  const namespaces = v1.resources!.find((r) => r.resource === 'namespaces')!;
  assert.equal(namespaces.scope, 'Cluster');
});

test('/apis lists named groups in priority order, versions preferred first, scale in autoscaling/v1', () => {
  const doc = aggregatedDiscovery(catalogue).groups();
  const names = doc.items.map((g) => g.metadata.name);
  assert.deepEqual(names, catalogue.groups().filter((g) => g.name !== '').map((g) => g.name));
  const autoscaling = doc.items.find((g) => g.metadata.name === 'autoscaling')!;
  assert.deepEqual(autoscaling.versions!.map((v) => v.version), ['v2', 'v1']);
  const apps = doc.items.find((g) => g.metadata.name === 'apps')!;
  const deployments = apps.versions![0]!.resources!.find((r) => r.resource === 'deployments')!;
  assert.deepEqual(deployments.responseKind, { group: '', version: '', kind: 'Deployment' });
  assert.deepEqual(deployments.shortNames, ['deploy']);
  assert.deepEqual(
    deployments.subresources!.find((s) => s.subresource === 'scale'),
    { subresource: 'scale', responseKind: { group: 'autoscaling', version: 'v1', kind: 'Scale' }, verbs: ['get', 'patch', 'update'] },
  );
});

test('ETag is the uppercase sha512 of the v2 list marshalled without TypeMeta; bodies carry TypeMeta', () => {
  const doc = aggregatedDiscovery(catalogue).groups();
  const expected = createHash('sha512').update(JSON.stringify({ metadata: {}, items: doc.items })).digest('hex').toUpperCase();
  assert.equal(doc.etag, expected);
  assert.match(doc.etag, /^[0-9A-F]{128}$/);
  const v2 = JSON.parse(doc.json.v2.toString()) as { kind: string; apiVersion: string; metadata: unknown };
  assert.equal(v2.kind, 'APIGroupDiscoveryList');
  assert.equal(v2.apiVersion, 'apidiscovery.k8s.io/v2');
  assert.deepEqual(v2.metadata, {});
  assert.equal(JSON.parse(doc.json.v2beta1.toString()).apiVersion, 'apidiscovery.k8s.io/v2beta1');
  assert.ok(doc.json.v2.toString().endsWith('}\n'));
  // built once
  assert.equal(aggregatedDiscovery(catalogue).groups(), doc);
});

test('a subresource whose parent is missing gets an empty parent, as kube does', () => {
  const out = convertToDiscovery([{ name: 'widgets/status', singularName: '', namespaced: true, kind: 'Widget', verbs: ['get'] }]);
  assert.deepEqual(out, [
    {
      resource: 'widgets',
      responseKind: { group: '', version: '', kind: '' },
      scope: 'Namespaced',
      singularResource: '',
      verbs: null,
      subresources: [{ subresource: 'status', responseKind: { group: '', version: '', kind: 'Widget' }, verbs: ['get'] }],
    },
  ]);
});
