import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinCatalogue } from './catalogue.js';
import { convertSchemaV2ToV3, openAPIv3Documents, openAPIv3GroupOf, servedOpenAPIv2, servedOpenAPIv3Groups } from './openapi-served.js';
import type { OpenAPIv2Document } from './openapi.js';

const catalogue = builtinCatalogue();

test('v2 paths map to the v3 document kube registers them under', () => {
  assert.equal(openAPIv3GroupOf('/api/'), 'api');
  assert.equal(openAPIv3GroupOf('/api/v1/namespaces/{namespace}/pods'), 'api/v1');
  assert.equal(openAPIv3GroupOf('/apis/'), 'apis');
  assert.equal(openAPIv3GroupOf('/apis/apps/'), 'apis/apps');
  assert.equal(openAPIv3GroupOf('/apis/apps/v1/deployments'), 'apis/apps/v1');
  assert.equal(openAPIv3GroupOf('/version/'), 'version');
  assert.equal(openAPIv3GroupOf('/.well-known/openid-configuration/'), '.well-known/openid-configuration');
  const groups = servedOpenAPIv3Groups(catalogue);
  for (const k of ['api', 'api/v1', 'apis', 'apis/apps', 'apis/apps/v1', 'apis/autoscaling/v1', 'apis/autoscaling/v2', 'version']) assert.ok(groups.has(k), k);
});

test('WrapRefs: a $ref with siblings becomes allOf; a bare $ref stays; refs point at components', () => {
  assert.deepEqual(convertSchemaV2ToV3({ $ref: '#/definitions/a.B' }), { $ref: '#/components/schemas/a.B' });
  assert.deepEqual(convertSchemaV2ToV3({ $ref: '#/definitions/a.B', description: 'd', 'x-kubernetes-patch-strategy': 'retainKeys' }), {
    allOf: [{ $ref: '#/components/schemas/a.B' }],
    description: 'd',
    'x-kubernetes-patch-strategy': 'retainKeys',
  });
  assert.deepEqual(
    convertSchemaV2ToV3({ type: 'object', properties: { z: { $ref: '#/definitions/Z' }, a: { type: 'array', items: { $ref: '#/definitions/I', description: 'x' } } }, additionalProperties: { $ref: '#/definitions/M' } }),
    {
      additionalProperties: { $ref: '#/components/schemas/M' },
      properties: { a: { items: { allOf: [{ $ref: '#/components/schemas/I' }], description: 'x' }, type: 'array' }, z: { $ref: '#/components/schemas/Z' } },
      type: 'object',
    },
  );
});

/** A tiny v2 document: one served path with a global parameter, a body and a response. */
const tiny: OpenAPIv2Document = {
  swagger: '2.0',
  info: { title: 'Kubernetes', version: 'unversioned' },
  paths: {
    '/api/v1/namespaces/{namespace}/configmaps/{name}': {
      parameters: [{ $ref: '#/parameters/namespace-x' }, { name: 'name', in: 'path', required: true, type: 'string', uniqueItems: true }],
      put: {
        consumes: ['*/*'],
        produces: ['application/json', 'application/yaml'],
        operationId: 'replaceCoreV1NamespacedConfigMap',
        parameters: [
          { $ref: '#/parameters/body-x' },
          { name: 'fieldValidation', in: 'query', description: 'fv', type: 'string', uniqueItems: true },
        ],
        responses: { '200': { description: 'OK', schema: { $ref: '#/definitions/io.k8s.api.core.v1.ConfigMap' } }, '401': { description: 'Unauthorized' } },
        'x-kubernetes-action': 'put',
        'x-kubernetes-group-version-kind': { group: '', kind: 'ConfigMap', version: 'v1' },
      },
    },
    '/api/v1/namespaces/{namespace}/nosuchthings': { get: { responses: {} } },
    '/apis/example.com/v1/widgets': { get: { responses: {} } },
  },
  parameters: {
    'namespace-x': { name: 'namespace', in: 'path', required: true, type: 'string', uniqueItems: true },
    'body-x': { name: 'body', in: 'body', required: true, schema: { $ref: '#/definitions/io.k8s.api.core.v1.ConfigMap' } },
    'unused-x': { name: 'unused', in: 'query', type: 'string' },
  },
  definitions: {
    'io.k8s.api.core.v1.ConfigMap': { type: 'object', properties: { metadata: { $ref: '#/definitions/Meta', description: 'm' } } },
    Meta: { type: 'object', properties: { name: { type: 'string' } } },
    Unreached: { type: 'string' },
  },
  securityDefinitions: { BearerToken: { description: 'Bearer Token authentication', in: 'header', name: 'authorization', type: 'apiKey' } },
  security: [{ BearerToken: [] }],
};

test('served v2: only served paths, the parameters they use and the definitions they reach', () => {
  const doc = servedOpenAPIv2(catalogue, 'v1.36.0', tiny) as { info: { version: string }; paths: Record<string, unknown>; parameters: Record<string, unknown>; definitions: Record<string, unknown> };
  assert.deepEqual(Object.keys(doc.paths), ['/api/v1/namespaces/{namespace}/configmaps/{name}']);
  assert.deepEqual(Object.keys(doc.parameters), ['body-x', 'namespace-x']);
  assert.deepEqual(Object.keys(doc.definitions), ['Meta', 'io.k8s.api.core.v1.ConfigMap']);
  assert.equal(doc.info.version, 'v1.36.0');
});

test('v3 documents: inlined parameters, requestBody and response content per media type', () => {
  const docs = openAPIv3Documents(catalogue, 'v1.36.0', tiny);
  assert.deepEqual([...docs.keys()], ['api/v1']);
  const doc = docs.get('api/v1') as {
    openapi: string;
    paths: Record<string, { parameters: unknown[]; put: Record<string, unknown> }>;
    components: { schemas: Record<string, unknown>; securitySchemes: unknown };
  };
  assert.equal(doc.openapi, '3.0.0');
  const item = doc.paths['/api/v1/namespaces/{namespace}/configmaps/{name}']!;
  assert.deepEqual(item.parameters, [
    { name: 'namespace', in: 'path', required: true, schema: { type: 'string', uniqueItems: true } },
    { name: 'name', in: 'path', required: true, schema: { type: 'string', uniqueItems: true } },
  ]);
  assert.deepEqual(item.put, {
    operationId: 'replaceCoreV1NamespacedConfigMap',
    requestBody: { content: { '*/*': { schema: { $ref: '#/components/schemas/io.k8s.api.core.v1.ConfigMap' } } }, required: true },
    parameters: [{ name: 'fieldValidation', in: 'query', description: 'fv', schema: { type: 'string', uniqueItems: true } }],
    responses: {
      '200': {
        description: 'OK',
        content: {
          'application/json': { schema: { $ref: '#/components/schemas/io.k8s.api.core.v1.ConfigMap' } },
          'application/yaml': { schema: { $ref: '#/components/schemas/io.k8s.api.core.v1.ConfigMap' } },
        },
      },
      '401': { description: 'Unauthorized' },
    },
    'x-kubernetes-action': 'put',
    'x-kubernetes-group-version-kind': { group: '', kind: 'ConfigMap', version: 'v1' },
  });
  assert.deepEqual(Object.keys(doc.components.schemas), ['Meta', 'io.k8s.api.core.v1.ConfigMap']);
  assert.deepEqual(doc.components.schemas['io.k8s.api.core.v1.ConfigMap'], {
    properties: { metadata: { allOf: [{ $ref: '#/components/schemas/Meta' }], description: 'm' } },
    type: 'object',
  });
});

test('the built-in documents: every served group-version, fieldValidation on every patch operation', () => {
  const docs = openAPIv3Documents(catalogue);
  const groups = servedOpenAPIv3Groups(catalogue);
  assert.deepEqual([...docs.keys()].sort(), [...groups].sort());
  for (const [key, doc] of docs) {
    const paths = doc.paths as Record<string, { patch?: { parameters?: { name: string }[]; 'x-kubernetes-action'?: string } }>;
    for (const [p, item] of Object.entries(paths)) {
      // connect (proxy) operations take no fieldValidation
      if (item.patch?.['x-kubernetes-action'] === 'patch') assert.ok(item.patch.parameters?.some((x) => x.name === 'fieldValidation'), `${key} ${p}`);
    }
    // every reference resolves inside the document
    const text = JSON.stringify(doc);
    const schemas = (doc.components as { schemas: Record<string, unknown> }).schemas;
    for (const m of text.matchAll(/"#\/components\/schemas\/([^"]+)"/g)) assert.ok(schemas[m[1]!], `${key}: ${m[1]}`);
    assert.ok(!text.includes('#/definitions/') && !text.includes('#/parameters/'), key);
  }
});
