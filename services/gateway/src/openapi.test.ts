// /openapi/v2 and /openapi/v3 through the gateway: negotiation, ETags, 304s, gzip, hash
// redirects, and the v2 protobuf decoded with gnostic's field numbers.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import protobuf from 'protobufjs';
import { startHarness, type Harness } from './testing/harness.js';

let h: Harness;

before(async () => {
  h = await startHarness({});
});

after(async () => {
  await h.close();
});

/** The part of gnostic's openapiv2/OpenAPIv2.proto these tests read (same numbers). */
const GNOSTIC = protobuf.Root.fromJSON({
  nested: {
    openapi: {
      nested: {
        v2: {
          nested: {
            Document: { fields: { swagger: { type: 'string', id: 1 }, info: { type: 'Info', id: 2 }, paths: { type: 'Paths', id: 8 }, definitions: { type: 'Definitions', id: 9 }, parameters: { type: 'ParameterDefinitions', id: 10 } } },
            Info: { fields: { title: { type: 'string', id: 1 }, version: { type: 'string', id: 2 } } },
            Paths: { fields: { path: { rule: 'repeated', type: 'NamedPathItem', id: 2 } } },
            NamedPathItem: { fields: { name: { type: 'string', id: 1 }, value: { type: 'PathItem', id: 2 } } },
            PathItem: { fields: { get: { type: 'Operation', id: 2 }, patch: { type: 'Operation', id: 8 }, parameters: { rule: 'repeated', type: 'ParametersItem', id: 9 } } },
            Operation: {
              fields: {
                operationId: { type: 'string', id: 5 },
                parameters: { rule: 'repeated', type: 'ParametersItem', id: 8 },
                responses: { type: 'Responses', id: 9 },
                vendorExtension: { rule: 'repeated', type: 'NamedAny', id: 13 },
              },
            },
            ParametersItem: { fields: { parameter: { type: 'Parameter', id: 1 }, jsonReference: { type: 'JsonReference', id: 2 } } },
            Parameter: { fields: { bodyParameter: { type: 'BodyParameter', id: 1 }, nonBodyParameter: { type: 'NonBodyParameter', id: 2 } } },
            BodyParameter: { fields: { name: { type: 'string', id: 2 }, in: { type: 'string', id: 3 }, required: { type: 'bool', id: 4 }, schema: { type: 'Schema', id: 5 } } },
            NonBodyParameter: { fields: { queryParameterSubSchema: { type: 'QueryParameterSubSchema', id: 3 }, pathParameterSubSchema: { type: 'PathParameterSubSchema', id: 4 } } },
            QueryParameterSubSchema: { fields: { in: { type: 'string', id: 2 }, name: { type: 'string', id: 4 }, type: { type: 'string', id: 6 }, uniqueItems: { type: 'bool', id: 20 } } },
            PathParameterSubSchema: { fields: { required: { type: 'bool', id: 1 }, in: { type: 'string', id: 2 }, name: { type: 'string', id: 4 }, type: { type: 'string', id: 5 } } },
            JsonReference: { fields: { _ref: { type: 'string', id: 1 } } },
            Responses: { fields: { responseCode: { rule: 'repeated', type: 'NamedResponseValue', id: 1 } } },
            NamedResponseValue: { fields: { name: { type: 'string', id: 1 }, value: { type: 'ResponseValue', id: 2 } } },
            ResponseValue: { fields: { response: { type: 'Response', id: 1 } } },
            Response: { fields: { description: { type: 'string', id: 1 }, schema: { type: 'SchemaItem', id: 2 } } },
            SchemaItem: { fields: { schema: { type: 'Schema', id: 1 } } },
            Definitions: { fields: { additionalProperties: { rule: 'repeated', type: 'NamedSchema', id: 1 } } },
            ParameterDefinitions: { fields: { additionalProperties: { rule: 'repeated', type: 'NamedParameter', id: 1 } } },
            NamedParameter: { fields: { name: { type: 'string', id: 1 }, value: { type: 'Parameter', id: 2 } } },
            NamedSchema: { fields: { name: { type: 'string', id: 1 }, value: { type: 'Schema', id: 2 } } },
            Schema: {
              fields: {
                _ref: { type: 'string', id: 1 },
                format: { type: 'string', id: 2 },
                description: { type: 'string', id: 4 },
                required: { rule: 'repeated', type: 'string', id: 19 },
                additionalProperties: { type: 'AdditionalPropertiesItem', id: 21 },
                type: { type: 'TypeItem', id: 22 },
                items: { type: 'ItemsItem', id: 23 },
                properties: { type: 'Properties', id: 25 },
                vendorExtension: { rule: 'repeated', type: 'NamedAny', id: 31 },
              },
            },
            AdditionalPropertiesItem: { fields: { schema: { type: 'Schema', id: 1 }, boolean: { type: 'bool', id: 2 } } },
            TypeItem: { fields: { value: { rule: 'repeated', type: 'string', id: 1 } } },
            ItemsItem: { fields: { schema: { rule: 'repeated', type: 'Schema', id: 1 } } },
            Properties: { fields: { additionalProperties: { rule: 'repeated', type: 'NamedSchema', id: 1 } } },
            NamedAny: { fields: { name: { type: 'string', id: 1 }, value: { type: 'Any', id: 2 } } },
            Any: { fields: { yaml: { type: 'string', id: 2 } } },
          },
        },
      },
    },
  },
});

interface DecodedSchema {
  _ref?: string;
  description?: string;
  required?: string[];
  type?: { value: string[] };
  items?: { schema: DecodedSchema[] };
  properties?: { additionalProperties: { name: string; value: DecodedSchema }[] };
  vendorExtension?: { name: string; value: { yaml: string } }[];
}

describe('/openapi/v2', () => {
  test('JSON: the served paths and reachable definitions, ETag, 304, gzip', async () => {
    const r = await h.request('GET', '/openapi/v2', { headers: { Accept: 'application/json' } });
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-type'], 'application/json');
    assert.deepEqual(r.headers.vary, 'Accept-Encoding, Accept');
    assert.match(String(r.headers.etag), /^"[0-9A-F]{128}"$/);
    assert.ok(r.headers['last-modified']);
    const doc = r.json<{ swagger: string; info: { version: string }; paths: Record<string, unknown>; definitions: Record<string, unknown> }>();
    assert.equal(doc.swagger, '2.0');
    assert.equal(doc.info.version, 'v1.36.0');
    assert.ok(doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}']);
    assert.ok(doc.paths['/api/v1/namespaces/{namespace}/pods/{name}/status']);
    // not served: beta versions of a served group
    assert.ok(!Object.keys(doc.paths).some((p) => p.startsWith('/apis/storage.k8s.io/v1beta1/')));
    assert.ok(doc.definitions['io.k8s.api.apps.v1.Deployment']);
    assert.ok(!doc.definitions['io.k8s.api.storage.v1beta1.VolumeAttributesClass']);

    const cached = await h.request('GET', '/openapi/v2', { headers: { Accept: 'application/json', 'If-None-Match': String(r.headers.etag) } });
    assert.equal(cached.status, 304);
    assert.equal(cached.body.length, 0);

    const gz = await h.request('GET', '/openapi/v2', { headers: { Accept: 'application/json', 'Accept-Encoding': 'gzip' } });
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.deepEqual(gunzipSync(gz.body), r.body);

    const none = await h.request('GET', '/openapi/v2', { headers: { Accept: 'text/html' } });
    assert.equal(none.status, 406);
  });

  test('protobuf: the gnostic Document client-go requests', async () => {
    const r = await h.request('GET', '/openapi/v2', { headers: { Accept: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf' } });
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-type'], 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf');
    const json = await h.request('GET', '/openapi/v2', { headers: { Accept: 'application/json' } });
    assert.equal(r.headers.etag, json.headers.etag);

    const doc = GNOSTIC.lookupType('openapi.v2.Document').decode(r.body).toJSON() as {
      swagger: string;
      info: { title: string; version: string };
      paths: { path: { name: string; value: { patch?: { operationId: string; parameters: unknown[]; vendorExtension: { name: string; value: { yaml: string } }[] } } }[] };
      definitions: { additionalProperties: { name: string; value: DecodedSchema }[] };
      parameters: { additionalProperties: { name: string }[] };
    };
    assert.equal(doc.swagger, '2.0');
    assert.deepEqual(doc.info, { title: 'Kubernetes', version: 'v1.36.0' });
    const source = json.json<{ paths: Record<string, unknown>; definitions: Record<string, unknown> }>();
    assert.deepEqual(doc.paths.path.map((p) => p.name), Object.keys(source.paths));
    assert.deepEqual(doc.definitions.additionalProperties.map((d) => d.name), Object.keys(source.definitions));

    const deployment = doc.paths.path.find((p) => p.name === '/apis/apps/v1/namespaces/{namespace}/deployments/{name}')!.value.patch!;
    assert.equal(deployment.operationId, 'patchAppsV1NamespacedDeployment');
    const gvk = deployment.vendorExtension.find((e) => e.name === 'x-kubernetes-group-version-kind')!;
    assert.match(gvk.value.yaml, /group: apps\n/);
    assert.match(gvk.value.yaml, /kind: Deployment\n/);
    const params = JSON.stringify(deployment.parameters);
    assert.match(params, /"name":"fieldValidation"/);

    const podSpec = doc.definitions.additionalProperties.find((d) => d.name === 'io.k8s.api.core.v1.PodSpec')!.value;
    assert.deepEqual(podSpec.required, ['containers']);
    const containers = podSpec.properties!.additionalProperties.find((p) => p.name === 'containers')!.value;
    assert.deepEqual(containers.type, { value: ['array'] });
    assert.equal(containers.items!.schema[0]!._ref, '#/definitions/io.k8s.api.core.v1.Container');
    assert.ok(containers.vendorExtension!.some((e) => e.name === 'x-kubernetes-patch-merge-key' && e.value.yaml === 'name\n'));
  });
});

describe('/openapi/v3', () => {
  test('index lists discovery and group-version documents with their hashes', async () => {
    const r = await h.request('GET', '/openapi/v3');
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-type'], 'application/json');
    const index = r.json<{ paths: Record<string, { serverRelativeURL: string }> }>();
    for (const key of ['api', 'api/v1', 'apis', 'apis/apps', 'apis/apps/v1', 'apis/autoscaling/v2', 'version']) assert.ok(index.paths[key], key);
    assert.ok(!index.paths['apis/storage.k8s.io/v1beta1']);
    assert.deepEqual(Object.keys(index.paths), Object.keys(index.paths).sort());
    assert.match(index.paths['apis/apps/v1']!.serverRelativeURL, /^\/openapi\/v3\/apis\/apps\/v1\?hash=[0-9A-F]{128}$/);
    const again = await h.request('GET', '/openapi/v3', { headers: { 'If-None-Match': String(r.headers.etag) } });
    assert.equal(again.status, 304);
  });

  test('a group-version document: paths with fieldValidation, converted schemas, immutable caching', async () => {
    const index = (await h.request('GET', '/openapi/v3')).json<{ paths: Record<string, { serverRelativeURL: string }> }>();
    const url = index.paths['apis/apps/v1']!.serverRelativeURL;
    const r = await h.request('GET', url, { headers: { Accept: 'application/json' } });
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-type'], 'application/json');
    assert.equal(r.headers['cache-control'], 'public, immutable');
    assert.match(String(r.headers.expires), /^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} UTC$/);
    assert.equal(r.headers.etag, `"${url.split('hash=')[1]}"`);
    const doc = r.json<{
      openapi: string;
      paths: Record<string, { patch?: { parameters: { name: string; in: string }[]; 'x-kubernetes-group-version-kind': unknown; requestBody: unknown } }>;
      components: { schemas: Record<string, { properties?: Record<string, Record<string, unknown>> }>; securitySchemes: unknown };
    }>();
    assert.equal(doc.openapi, '3.0.0');
    assert.ok(Object.keys(doc.paths).every((p) => p.startsWith('/apis/apps/v1/')));
    const patch = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}']!.patch!;
    assert.ok(patch.parameters.some((p) => p.name === 'fieldValidation' && p.in === 'query'));
    assert.deepEqual(patch['x-kubernetes-group-version-kind'], { group: 'apps', kind: 'Deployment', version: 'v1' });
    const spec = doc.components.schemas['io.k8s.api.apps.v1.Deployment']!.properties!.spec!;
    assert.deepEqual(spec.allOf, [{ $ref: '#/components/schemas/io.k8s.api.apps.v1.DeploymentSpec' }]);
    assert.equal(spec.description, 'Specification of the desired behavior of the Deployment.');
    assert.ok(doc.components.schemas['io.k8s.api.core.v1.PodSpec']);
    // only what apps/v1 reaches
    assert.ok(!doc.components.schemas['io.k8s.api.batch.v1.JobSpec']);
    assert.deepEqual(doc.components.securitySchemes, { BearerToken: { type: 'apiKey', description: 'Bearer Token authentication', name: 'authorization', in: 'header' } });

    const plain = await h.request('GET', '/openapi/v3/apis/apps/v1');
    assert.equal(plain.status, 200);
    assert.equal(plain.headers['cache-control'], 'no-cache, private');
    assert.deepEqual(plain.body, r.body);
  });

  test('a stale hash redirects to the current one; unknown documents are 404', async () => {
    const stale = await h.request('GET', '/openapi/v3/api/v1?hash=0123', { headers: { Accept: 'application/json' } });
    assert.equal(stale.status, 301);
    const index = (await h.request('GET', '/openapi/v3')).json<{ paths: Record<string, { serverRelativeURL: string }> }>();
    assert.equal(stale.headers.location, index.paths['api/v1']!.serverRelativeURL);
    assert.equal(stale.text, `<a href="${index.paths['api/v1']!.serverRelativeURL}">Moved Permanently</a>.\n\n`);

    for (const path of ['/openapi/v3/apis/nope/v1', '/openapi/v3/apis/apps/v1/', '/openapi/v3/apis/storage.k8s.io/v1beta1', '/openapi/v3/']) {
      const r = await h.request('GET', path);
      assert.equal(r.status, 404, path);
    }
    const notAcceptable = await h.request('GET', '/openapi/v3/api/v1', { headers: { Accept: 'text/plain' } });
    assert.equal(notAcceptable.status, 406);
    assert.equal((await h.request('GET', '/openapi/v2/')).status, 404);
  });
});
