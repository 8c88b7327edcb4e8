import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinCatalogue } from '@kapi/schema';
import {
  apiGroupDocument,
  apiGroupListDocument,
  apiResourceListDocument,
  apiVersionsDocument,
  storageVersionHash,
} from './discovery.js';

const catalogue = builtinCatalogue();

test('storageVersionHash matches kube-apiserver', () => {
  // Values kube-apiserver 1.x reports for these storage versions.
  assert.equal(storageVersionHash('', 'v1', 'Pod'), 'xPOwRZ+Yhw8=');
  assert.equal(storageVersionHash('apps', 'v1', 'Deployment'), '8aSe+NMegvE=');
  assert.equal(storageVersionHash('', 'v1', 'ConfigMap'), 'qFsyl6wFWjQ=');
});

test('/api has no apiVersion and lists the client address', () => {
  assert.deepEqual(apiVersionsDocument(catalogue, [{ clientCIDR: '0.0.0.0/0', serverAddress: '10.0.0.1:6443' }]), {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '10.0.0.1:6443' }],
  });
});

test('/apis lists named groups in discovery order with preferred versions', () => {
  const doc = apiGroupListDocument(catalogue) as { kind: string; apiVersion: string; groups: { name: string; versions: unknown[]; preferredVersion: unknown }[] };
  assert.equal(doc.kind, 'APIGroupList');
  assert.equal(doc.apiVersion, 'v1');
  assert.equal(doc.groups[0]!.name, 'apiregistration.k8s.io');
  assert.ok(!doc.groups.some((g) => g.name === ''));
  const autoscaling = doc.groups.find((g) => g.name === 'autoscaling')!;
  assert.deepEqual(autoscaling, {
    name: 'autoscaling',
    versions: [
      { groupVersion: 'autoscaling/v2', version: 'v2' },
      { groupVersion: 'autoscaling/v1', version: 'v1' },
    ],
    preferredVersion: { groupVersion: 'autoscaling/v2', version: 'v2' },
  });
  assert.deepEqual(Object.keys(apiGroupDocument(catalogue, 'apps')!), ['kind', 'apiVersion', 'name', 'versions', 'preferredVersion']);
  assert.equal(apiGroupDocument(catalogue, 'nope.example.com'), undefined);
});

type Resource = Record<string, unknown> & { name: string };

test('/api/v1: pods and their subresources, sorted, without apiVersion', () => {
  const doc = apiResourceListDocument(catalogue, '', 'v1') as { resources: Resource[] } & Record<string, unknown>;
  assert.deepEqual(Object.keys(doc), ['kind', 'groupVersion', 'resources']);
  assert.equal(doc.groupVersion, 'v1');
  const names = doc.resources.map((r) => r.name);
  assert.deepEqual([...names].sort(), names);
  const pods = doc.resources.find((r) => r.name === 'pods')!;
  assert.deepEqual(pods, {
    name: 'pods',
    singularName: 'pod',
    namespaced: true,
    kind: 'Pod',
    verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
    shortNames: ['po'],
    categories: ['all'],
    storageVersionHash: 'xPOwRZ+Yhw8=',
  });
  assert.deepEqual(doc.resources.find((r) => r.name === 'pods/status'), {
    name: 'pods/status',
    singularName: '',
    namespaced: true,
    kind: 'Pod',
    verbs: ['get', 'patch', 'update'],
  });
  assert.deepEqual(doc.resources.find((r) => r.name === 'pods/eviction'), {
    name: 'pods/eviction',
    singularName: '',
    namespaced: true,
    group: 'policy',
    version: 'v1',
    kind: 'Eviction',
    verbs: ['create'],
  });
  // not stored: no storage version hash
  assert.equal(doc.resources.find((r) => r.name === 'bindings')!.storageVersionHash, undefined);
  assert.equal(doc.resources.find((r) => r.name === 'namespaces')!.namespaced, false);
});

test('/apis/apps/v1 carries apiVersion and the scale subresource in autoscaling/v1', () => {
  const doc = apiResourceListDocument(catalogue, 'apps', 'v1') as { resources: Resource[] } & Record<string, unknown>;
  assert.deepEqual(Object.keys(doc), ['kind', 'apiVersion', 'groupVersion', 'resources']);
  assert.equal(doc.groupVersion, 'apps/v1');
  const scale = doc.resources.find((r) => r.name === 'deployments/scale')!;
  assert.equal(scale.group, 'autoscaling');
  assert.equal(scale.kind, 'Scale');
  assert.equal(doc.resources.find((r) => r.name === 'deployments')!.storageVersionHash, '8aSe+NMegvE=');
});
