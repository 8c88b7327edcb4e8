import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { builtinCatalogue, createCatalogue, qualifiedResource, type CatalogueData } from './catalogue.js';
import { dataFile, definitions, openapiV2 } from './openapi.js';
import type { ResourceInfo } from './types.js';

const catalogue = builtinCatalogue();

function get(group: string, version: string, resource: string): ResourceInfo {
  const info = catalogue.lookup(group, version, resource);
  assert.ok(info, `${group}/${version}/${resource} is in the catalogue`);
  return info;
}

test('groups come in kube-apiserver discovery order with preferred versions first', () => {
  assert.deepEqual(
    catalogue.groups().map((g) => g.name),
    [
      '',
      'apiregistration.k8s.io',
      'apps',
      'events.k8s.io',
      'authentication.k8s.io',
      'authorization.k8s.io',
      'autoscaling',
      'batch',
      'certificates.k8s.io',
      'networking.k8s.io',
      'policy',
      'rbac.authorization.k8s.io',
      'storage.k8s.io',
      'admissionregistration.k8s.io',
      'apiextensions.k8s.io',
      'scheduling.k8s.io',
      'coordination.k8s.io',
      'node.k8s.io',
      'discovery.k8s.io',
      'resource.k8s.io',
      'flowcontrol.apiserver.k8s.io',
    ],
  );
  const autoscaling = catalogue.groups().find((g) => g.name === 'autoscaling');
  assert.deepEqual(autoscaling, { name: 'autoscaling', versions: ['v2', 'v1'], preferredVersion: 'v2' });
  for (const group of catalogue.groups()) {
    assert.equal(group.preferredVersion, group.versions[0], group.name);
    for (const version of group.versions) assert.match(version, /^v\d+$/, `${group.name} serves GA versions only`);
  }
});

test('resource counts per group/version', () => {
  const counts: Record<string, number> = {};
  for (const group of catalogue.groups()) {
    for (const version of group.versions) counts[`${group.name}/${version}`] = catalogue.resourcesOf(group.name, version).length;
  }
  assert.deepEqual(counts, {
    '/v1': 17,
    'apiregistration.k8s.io/v1': 1,
    'apps/v1': 5,
    'events.k8s.io/v1': 1,
    'authentication.k8s.io/v1': 2,
    'authorization.k8s.io/v1': 4,
    'autoscaling/v2': 1,
    'autoscaling/v1': 1,
    'batch/v1': 2,
    'certificates.k8s.io/v1': 1,
    'networking.k8s.io/v1': 5,
    'policy/v1': 1,
    'rbac.authorization.k8s.io/v1': 4,
    'storage.k8s.io/v1': 6,
    'admissionregistration.k8s.io/v1': 6,
    'apiextensions.k8s.io/v1': 1,
    'scheduling.k8s.io/v1': 1,
    'coordination.k8s.io/v1': 1,
    'node.k8s.io/v1': 1,
    'discovery.k8s.io/v1': 1,
    'resource.k8s.io/v1': 4,
    'flowcontrol.apiserver.k8s.io/v1': 2,
  });
  assert.equal(catalogue.resources.length, 68);
});

test('resources follow group order, then version order, then name', () => {
  const expected = catalogue.groups().flatMap((g) => g.versions.flatMap((v) => catalogue.resourcesOf(g.name, v)));
  assert.deepEqual(catalogue.resources, expected);
  const apps = catalogue.resourcesOf('apps', 'v1').map((r) => r.resource);
  assert.deepEqual(apps, ['controllerrevisions', 'daemonsets', 'deployments', 'replicasets', 'statefulsets']);
  assert.deepEqual(catalogue.resourcesOf('apps', 'v1beta1'), []);
});

test('pods: verbs and subresources as discovery lists them', () => {
  const pods = get('', 'v1', 'pods');
  assert.equal(pods.kind, 'Pod');
  assert.equal(pods.listKind, 'PodList');
  assert.equal(pods.singular, 'pod');
  assert.equal(pods.definition, 'io.k8s.api.core.v1.Pod');
  assert.deepEqual(pods.verbs, ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch']);
  assert.deepEqual(
    pods.subresources.map((s) => s.name),
    ['attach', 'binding', 'ephemeralcontainers', 'eviction', 'exec', 'log', 'portforward', 'proxy', 'resize', 'status'],
  );
  const sub = (name: string) => pods.subresources.find((s) => s.name === name);
  assert.deepEqual(sub('status'), { name: 'status', group: '', version: 'v1', kind: 'Pod', verbs: ['get', 'patch', 'update'] });
  assert.deepEqual(sub('eviction'), { name: 'eviction', group: 'policy', version: 'v1', kind: 'Eviction', verbs: ['create'] });
  assert.deepEqual(sub('exec'), { name: 'exec', group: '', version: 'v1', kind: 'PodExecOptions', verbs: ['create', 'get'] });
  assert.deepEqual(sub('log')?.verbs, ['get']);
  // HEAD and OPTIONS have no discovery verb.
  assert.deepEqual(sub('proxy')?.verbs, ['create', 'delete', 'get', 'patch', 'update']);
});

test('scale subresources serve autoscaling/v1 Scale', () => {
  for (const [group, resource] of [['apps', 'deployments'], ['apps', 'statefulsets'], ['apps', 'replicasets'], ['', 'replicationcontrollers']] as const) {
    const scale = get(group, 'v1', resource).subresources.find((s) => s.name === 'scale');
    assert.deepEqual(scale, { name: 'scale', group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] }, resource);
  }
  assert.deepEqual(get('apps', 'v1', 'daemonsets').subresources.map((s) => s.name), ['status']);
});

test('verbs come from the document: no watch without /watch/ paths, no deletecollection on namespaces', () => {
  assert.deepEqual(get('', 'v1', 'componentstatuses').verbs, ['get', 'list']);
  assert.deepEqual(get('', 'v1', 'namespaces').verbs, ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch']);
  assert.deepEqual(get('', 'v1', 'namespaces').subresources.find((s) => s.name === 'finalize')?.verbs, ['update']);
  for (const [group, resource] of [
    ['', 'bindings'],
    ['authentication.k8s.io', 'tokenreviews'],
    ['authentication.k8s.io', 'selfsubjectreviews'],
    ['authorization.k8s.io', 'subjectaccessreviews'],
    ['authorization.k8s.io', 'localsubjectaccessreviews'],
  ] as const) {
    const info = get(group, 'v1', resource);
    assert.deepEqual(info.verbs, ['create'], resource);
    assert.equal(info.listKind, '', resource);
  }
  assert.deepEqual(get('', 'v1', 'serviceaccounts').subresources, [
    { name: 'token', group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest', verbs: ['create'] },
  ]);
});

test('short names and categories', () => {
  const expectations: [string, string, string[], string[]][] = [
    ['', 'pods', ['po'], ['all']],
    ['', 'services', ['svc'], ['all']],
    ['', 'replicationcontrollers', ['rc'], ['all']],
    ['', 'configmaps', ['cm'], []],
    ['', 'namespaces', ['ns'], []],
    ['', 'nodes', ['no'], []],
    ['', 'persistentvolumeclaims', ['pvc'], []],
    ['', 'serviceaccounts', ['sa'], []],
    ['', 'events', ['ev'], []],
    ['', 'secrets', [], []],
    ['apps', 'deployments', ['deploy'], ['all']],
    ['apps', 'statefulsets', ['sts'], ['all']],
    ['apps', 'controllerrevisions', [], []],
    ['batch', 'jobs', [], ['all']],
    ['batch', 'cronjobs', ['cj'], ['all']],
    ['networking.k8s.io', 'ingresses', ['ing'], []],
    ['apiextensions.k8s.io', 'customresourcedefinitions', ['crd', 'crds'], ['api-extensions']],
    ['apiregistration.k8s.io', 'apiservices', [], ['api-extensions']],
    ['admissionregistration.k8s.io', 'validatingwebhookconfigurations', [], ['api-extensions']],
  ];
  for (const [group, resource, shortNames, categories] of expectations) {
    const info = get(group, 'v1', resource);
    assert.deepEqual(info.shortNames, shortNames, `${resource} short names`);
    assert.deepEqual(info.categories, categories, `${resource} categories`);
  }
  for (const version of ['v1', 'v2']) {
    const hpa = get('autoscaling', version, 'horizontalpodautoscalers');
    assert.deepEqual([hpa.shortNames, hpa.categories], [['hpa'], ['all']]);
  }
});

test('namespaced flags', () => {
  const expectations: [string, string, boolean][] = [
    ['', 'pods', true],
    ['', 'events', true],
    ['', 'bindings', true],
    ['', 'nodes', false],
    ['', 'namespaces', false],
    ['', 'persistentvolumes', false],
    ['', 'componentstatuses', false],
    ['rbac.authorization.k8s.io', 'roles', true],
    ['rbac.authorization.k8s.io', 'clusterroles', false],
    ['authorization.k8s.io', 'localsubjectaccessreviews', true],
    ['authorization.k8s.io', 'subjectaccessreviews', false],
    ['certificates.k8s.io', 'certificatesigningrequests', false],
    ['storage.k8s.io', 'csistoragecapacities', true],
    ['coordination.k8s.io', 'leases', true],
  ];
  for (const [group, resource, namespaced] of expectations) assert.equal(get(group, 'v1', resource).namespaced, namespaced, resource);
});

test('storage prefixes follow kube-apiserver etcd key layout', () => {
  const expectations: [string, string, string, string][] = [
    ['', 'v1', 'pods', 'pods'],
    ['', 'v1', 'services', 'services/specs'],
    ['', 'v1', 'endpoints', 'services/endpoints'],
    ['', 'v1', 'nodes', 'minions'],
    ['', 'v1', 'replicationcontrollers', 'controllers'],
    ['', 'v1', 'events', 'events'],
    ['events.k8s.io', 'v1', 'events', 'events'],
    ['networking.k8s.io', 'v1', 'ingresses', 'ingress'],
    ['apiregistration.k8s.io', 'v1', 'apiservices', 'apiregistration.k8s.io/apiservices'],
    ['apiextensions.k8s.io', 'v1', 'customresourcedefinitions', 'apiextensions.k8s.io/customresourcedefinitions'],
    ['autoscaling', 'v1', 'horizontalpodautoscalers', 'horizontalpodautoscalers'],
    ['autoscaling', 'v2', 'horizontalpodautoscalers', 'horizontalpodautoscalers'],
    ['rbac.authorization.k8s.io', 'v1', 'clusterroles', 'clusterroles'],
    ['', 'v1', 'bindings', ''],
    ['', 'v1', 'componentstatuses', ''],
    ['authentication.k8s.io', 'v1', 'tokenreviews', ''],
    ['authorization.k8s.io', 'v1', 'selfsubjectaccessreviews', ''],
  ];
  for (const [group, version, resource, prefix] of expectations) assert.equal(get(group, version, resource).storagePrefix, prefix, resource);
  // Everything that can be watched is stored; nothing else is.
  for (const info of catalogue.resources) assert.equal(info.storagePrefix !== '', info.verbs.includes('watch'), qualifiedResource(info));
});

test('name validation', () => {
  const expectations: [string, string, string][] = [
    ['', 'namespaces', 'dns1123Label'],
    ['', 'services', 'dns1035Label'],
    ['', 'pods', 'dns1123Subdomain'],
    ['', 'configmaps', 'dns1123Subdomain'],
    ['', 'events', 'pathSegment'],
    ['events.k8s.io', 'events', 'dns1123Subdomain'],
    ['apps', 'deployments', 'dns1123Subdomain'],
    ['apps', 'statefulsets', 'dns1123Label'],
    ['rbac.authorization.k8s.io', 'clusterroles', 'pathSegment'],
    ['rbac.authorization.k8s.io', 'roles', 'pathSegment'],
    ['rbac.authorization.k8s.io', 'rolebindings', 'pathSegment'],
    ['rbac.authorization.k8s.io', 'clusterrolebindings', 'pathSegment'],
    ['certificates.k8s.io', 'certificatesigningrequests', 'pathSegment'],
    ['apiregistration.k8s.io', 'apiservices', 'pathSegment'],
  ];
  for (const [group, resource, rule] of expectations) assert.equal(get(group, 'v1', resource).nameValidation, rule, resource);
});

test('definitions exist and tracksGeneration follows the schema', () => {
  const defs = definitions();
  for (const info of catalogue.resources) {
    const schema = defs[info.definition];
    assert.ok(schema, `${info.definition} exists`);
    assert.ok(
      schema['x-kubernetes-group-version-kind']?.some((gvk) => gvk.group === info.group && gvk.version === info.version && gvk.kind === info.kind),
      `${info.definition} is ${info.kind}`,
    );
    assert.equal(info.tracksGeneration, schema.properties?.spec !== undefined, info.definition);
    assert.equal(info.singular, info.kind.toLowerCase());
  }
  assert.equal(get('apps', 'v1', 'deployments').tracksGeneration, true);
  assert.equal(get('', 'v1', 'configmaps').tracksGeneration, false);
  assert.equal(get('rbac.authorization.k8s.io', 'v1', 'clusterroles').tracksGeneration, false);
});

test('lookups by resource and kind', () => {
  assert.equal(catalogue.lookupKind('apps', 'v1', 'Deployment'), get('apps', 'v1', 'deployments'));
  assert.equal(catalogue.lookupKind('', 'v1', 'Event'), get('', 'v1', 'events'));
  assert.equal(catalogue.lookupKind('events.k8s.io', 'v1', 'Event'), get('events.k8s.io', 'v1', 'events'));
  assert.equal(catalogue.lookup('apps', 'v1', 'Deployment'), undefined, 'lookup is by plural resource');
  assert.equal(catalogue.lookup('extensions', 'v1beta1', 'deployments'), undefined);
  assert.equal(catalogue.lookup('', 'v1', 'pods/status'), undefined);
  assert.equal(catalogue.lookupKind('', 'v1', 'PodList'), undefined);
  assert.equal(builtinCatalogue(), catalogue, 'loaded once');
});

test('qualifiedResource', () => {
  assert.equal(qualifiedResource(get('apps', 'v1', 'deployments')), 'deployments.apps');
  assert.equal(qualifiedResource(get('', 'v1', 'pods')), 'pods');
  assert.equal(qualifiedResource({ group: 'rbac.authorization.k8s.io', resource: 'roles' }), 'roles.rbac.authorization.k8s.io');
});

test('catalogue data is shared read-only; returned arrays are the caller\'s', () => {
  const pods = get('', 'v1', 'pods');
  assert.throws(() => (pods.verbs as string[]).push('proxy'), TypeError);
  assert.throws(() => {
    (pods as { namespaced: boolean }).namespaced = false;
  }, TypeError);
  const groups = catalogue.groups();
  groups.reverse();
  assert.equal(catalogue.groups()[0]?.name, '');
  const core = catalogue.resourcesOf('', 'v1');
  core.length = 0;
  assert.equal(catalogue.resourcesOf('', 'v1').length, 17);
});

test('createCatalogue serves hand-built data', () => {
  const widget: ResourceInfo = {
    group: 'example.com',
    version: 'v1',
    kind: 'Widget',
    listKind: 'WidgetList',
    resource: 'widgets',
    singular: 'widget',
    namespaced: true,
    verbs: ['get'],
    subresources: [],
    shortNames: ['wd'],
    categories: [],
    definition: 'com.example.v1.Widget',
    nameValidation: 'dns1123Subdomain',
    storagePrefix: 'example.com/widgets',
    tracksGeneration: true,
  };
  const small = createCatalogue({ groups: [{ name: 'example.com', versions: ['v1'], preferredVersion: 'v1' }], resources: [widget] });
  assert.equal(small.lookup('example.com', 'v1', 'widgets')?.kind, 'Widget');
  assert.equal(small.lookupKind('example.com', 'v1', 'Widget')?.resource, 'widgets');
  assert.deepEqual(small.resourcesOf('example.com', 'v1').map((r) => r.resource), ['widgets']);
  assert.equal(small.lookup('', 'v1', 'pods'), undefined);
  assert.equal(qualifiedResource(widget), 'widgets.example.com');
});

test('data/catalogue.json is what scripts/gen-catalogue.mjs derives from the swagger document', async () => {
  const script = new URL('../scripts/gen-catalogue.mjs', import.meta.url);
  const { buildCatalogue } = (await import(script.href)) as { buildCatalogue: (document: unknown) => CatalogueData };
  const committed = JSON.parse(readFileSync(dataFile('catalogue.json'), 'utf8')) as CatalogueData;
  assert.deepEqual(buildCatalogue(openapiV2()), committed, 'run `npm run gen:catalogue -w @kapi/schema`');
});
