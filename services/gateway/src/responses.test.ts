// Response formats over HTTPS: Status errors, negotiation failures, body limits, tables,
// discovery, health output, warnings, timeouts and compression.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { newNotFound, newTooManyRequests, type Status } from '@kapi/apimachinery';
import { startHarness, type Harness } from './testing/harness.js';
import { TIMEOUT_BODY } from './filters/timeout.js';

const TABLE_ACCEPT = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';
const JSON_CT = { 'Content-Type': 'application/json' };
const BODY_LIMIT = 64 * 1024;

let h: Harness;

before(async () => {
  // Health outcomes are not reused here: the health tests flip the fake storage's health.
  h = await startHarness({ maxRequestBodyBytes: BODY_LIMIT, requestTimeoutMs: 1_500, healthCheckCacheTtlMs: 0 });
  h.storage.put({ group: '', resource: 'configmaps', namespace: 'default' }, {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'cm', namespace: 'default', creationTimestamp: new Date(Date.now() - (3 * 3600 + 2 * 60) * 1000).toISOString() },
    data: { k: 'v' },
  });
});

after(async () => {
  await h.close();
});

describe('Status errors from storage', () => {
  test('NotFound as kube writes it, in JSON, pretty JSON for curl, and YAML', async () => {
    const json = await h.request('GET', '/api/v1/namespaces/default/configmaps/missing');
    assert.equal(json.status, 404);
    assert.equal(json.headers['content-type'], 'application/json');
    assert.equal(
      json.text,
      '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"configmaps \\"missing\\" not found","reason":"NotFound","details":{"name":"missing","kind":"configmaps"},"code":404}\n',
    );
    const curl = await h.request('GET', '/api/v1/namespaces/default/configmaps/missing', { headers: { 'User-Agent': 'curl/8.5.0' } });
    assert.equal(curl.text.split('\n')[0], '{');
    assert.equal(curl.text.split('\n')[1], '  "kind": "Status",');
    assert.ok(!curl.text.endsWith('\n'));
    const yaml = await h.request('GET', '/api/v1/namespaces/default/configmaps/missing', { headers: { Accept: 'application/yaml' } });
    assert.equal(yaml.headers['content-type'], 'application/yaml');
    assert.equal(
      yaml.text,
      'apiVersion: v1\ncode: 404\ndetails:\n  kind: configmaps\n  name: missing\nkind: Status\nmessage: configmaps "missing" not found\nmetadata: {}\nreason: NotFound\nstatus: Failure\n',
    );
  });

  test('Retry-After from a Status that asks for a delay', async () => {
    h.storage.overrides.get = async () => {
      throw newTooManyRequests('slow down', 7);
    };
    try {
      const r = await h.request('GET', '/api/v1/namespaces/default/configmaps/cm');
      assert.equal(r.status, 429);
      assert.equal(r.headers['retry-after'], '7');
    } finally {
      delete h.storage.overrides.get;
    }
  });

  test('an Accept that allows no Status encoding gets indented JSON', async () => {
    h.storage.overrides.get = async () => {
      throw newNotFound({ group: '', resource: 'configmaps' }, 'x');
    };
    try {
      const r = await h.request('GET', '/api/v1/namespaces/default/configmaps/x', { headers: { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' } });
      assert.equal(r.status, 404);
      assert.equal(r.headers['content-type'], 'application/json');
      assert.ok(r.text.startsWith('{\n  "kind": "Status",'));
    } finally {
      delete h.storage.overrides.get;
    }
  });
});

describe('negotiation', () => {
  test('406: from the route for media types never produced, from the handler for protobuf', async () => {
    const html = await h.request('GET', '/api/v1/namespaces/default/configmaps/cm', { headers: { Accept: 'text/html' } });
    assert.equal(html.status, 406);
    assert.equal(html.json<Status>().message, '406: Not Acceptable\n\nAvailable representations: application/json, application/yaml, application/vnd.kubernetes.protobuf');
    const list = await h.request('GET', '/api/v1/namespaces/default/configmaps', { headers: { Accept: 'text/html' } });
    assert.equal(
      list.json<Status>().message,
      '406: Not Acceptable\n\nAvailable representations: application/json, application/yaml, application/vnd.kubernetes.protobuf, application/json;stream=watch, application/vnd.kubernetes.protobuf;stream=watch',
    );
    // Protobuf is served for built-in kinds, except for conversions kube writes only as JSON/YAML.
    const table = await h.request('GET', '/api/v1/namespaces/default/configmaps/cm', {
      headers: { Accept: 'application/vnd.kubernetes.protobuf;as=Table;v=v1;g=meta.k8s.io' },
    });
    assert.equal(table.status, 406);
    const s = table.json<Status>();
    assert.equal(s.reason, 'NotAcceptable');
    assert.equal(s.message, 'only the following media types are accepted: application/json, application/yaml, application/vnd.kubernetes.protobuf');
  });

  test('415: unreadable bodies and patch types', async () => {
    const text = await h.request('POST', '/api/v1/namespaces/default/configmaps', { headers: { 'Content-Type': 'text/plain' }, body: 'hello' });
    assert.equal(text.status, 415);
    assert.equal(
      text.json<Status>().message,
      'the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf',
    );
    // A protobuf body is read (and this one rejected as kube rejects it).
    const pb = await h.request('PUT', '/api/v1/namespaces/default/configmaps/cm', { headers: { 'Content-Type': 'application/vnd.kubernetes.protobuf' }, body: 'x' });
    assert.equal(pb.status, 400);
    assert.equal(
      pb.json<Status>().message,
      'the object provided is unrecognized (must be of type ConfigMap): provided data does not appear to be a protobuf message, expected prefix [107 56 115 0] (78)',
    );
    const patchJSON = await h.request('PATCH', '/api/v1/namespaces/default/configmaps/cm', { headers: JSON_CT, body: '{}' });
    assert.equal(patchJSON.status, 415);
    assert.equal(patchJSON.json<Status>().message, '415: Unsupported Media Type');
    assert.equal(patchJSON.json<Status>().reason, 'UnsupportedMediaType');
  });

  test('YAML output of objects: sorted keys, as kube writes YAML', async () => {
    const r = await h.request('GET', '/api/v1/namespaces/default/configmaps/cm', { headers: { Accept: 'application/yaml' } });
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-type'], 'application/yaml');
    assert.match(r.text, /^apiVersion: v1\ndata:\n  k: v\nkind: ConfigMap\nmetadata:\n/);
  });
});

describe('bodies', () => {
  test('413 past the limit, by Content-Length or while streaming', async () => {
    const big = '{"metadata":{"name":"big"},"data":{"k":"' + 'x'.repeat(BODY_LIMIT) + '"}}';
    const declared = await h.request('POST', '/api/v1/namespaces/default/configmaps', { headers: JSON_CT, body: big });
    assert.equal(declared.status, 413);
    assert.deepEqual(declared.json<Status>(), {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: `Request entity too large: limit is ${BODY_LIMIT}`,
      reason: 'RequestEntityTooLarge',
      code: 413,
    });
    const chunked = await h.request('POST', '/api/v1/namespaces/default/configmaps', {
      headers: JSON_CT,
      body: big,
      chunked: true,
    });
    assert.equal(chunked.status, 413);
    // exactly at the limit is fine (and then storage decides)
    const atLimit = '{"metadata":{"name":"edge"}}' + ' '.repeat(BODY_LIMIT - 28);
    assert.equal(Buffer.byteLength(atLimit), BODY_LIMIT);
    assert.equal((await h.request('POST', '/api/v1/namespaces/default/configmaps', { headers: JSON_CT, body: atLimit })).status, 201);
  });

  test('malformed JSON: 400 with Go\'s decoder text', async () => {
    const r = await h.request('POST', '/api/v1/namespaces/default/configmaps', { headers: JSON_CT, body: '{"metadata":' });
    assert.equal(r.status, 400);
    assert.equal(
      r.json<Status>().message,
      `the object provided is unrecognized (must be of type ConfigMap): couldn't get version/kind; json parse error: unexpected end of JSON input ({"metadata":)`,
    );
  });

  test('option validation: dryRun and fieldValidation', async () => {
    const dry = await h.request('POST', '/api/v1/namespaces/default/configmaps?dryRun=true', { headers: JSON_CT, body: '{}' });
    assert.equal(dry.status, 422);
    assert.equal(dry.json<Status>().message, 'CreateOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: []string{"true"}: supported values: "All"');
    const fv = await h.request('POST', '/api/v1/namespaces/default/configmaps?fieldValidation=Loud', { headers: JSON_CT, body: '{}' });
    assert.equal(fv.status, 422);
    const timeout = await h.request('GET', '/api/v1/namespaces/default/configmaps?timeout=soon');
    assert.equal(timeout.status, 400);
    assert.equal(timeout.json<Status>().message, 'invalid timeout specified in the request URL - time: invalid duration "soon"');
  });
});

describe('tables', () => {
  test('kubectl get: ConfigMap columns (NAME DATA AGE), rows with PartialObjectMetadata', async () => {
    const r = await h.request('GET', '/api/v1/namespaces/default/configmaps?limit=500', { headers: { Accept: TABLE_ACCEPT } });
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-type'], 'application/json');
    const table = r.json<{ kind: string; apiVersion: string; columnDefinitions: { name: string }[]; rows: { cells: unknown[]; object: { kind: string; metadata: { name: string } } }[] }>();
    assert.equal(table.kind, 'Table');
    assert.equal(table.apiVersion, 'meta.k8s.io/v1');
    assert.deepEqual(table.columnDefinitions.map((c) => c.name), ['Name', 'Data', 'Age']);
    const row = table.rows.find((x) => x.cells[0] === 'cm')!;
    assert.deepEqual(row.cells, ['cm', 1, '3h2m']);
    assert.equal(row.object.kind, 'PartialObjectMetadata');
    assert.equal(row.object.metadata.name, 'cm');
  });

  test('one object, includeObject=None, v1beta1, YAML tables', async () => {
    const one = await h.request('GET', '/api/v1/namespaces/default/configmaps/cm?includeObject=None', {
      headers: { Accept: 'application/json;as=Table;v=v1beta1;g=meta.k8s.io' },
    });
    const t = one.json<{ apiVersion: string; rows: { cells: unknown[]; object: unknown }[] }>();
    assert.equal(t.apiVersion, 'meta.k8s.io/v1beta1');
    assert.deepEqual(t.rows, [{ cells: ['cm', 1, '3h2m'], object: null }]);
    const yaml = await h.request('GET', '/api/v1/namespaces/default/configmaps/cm', { headers: { Accept: 'application/yaml;as=Table;v=v1;g=meta.k8s.io' } });
    assert.equal(yaml.headers['content-type'], 'application/yaml');
    assert.match(yaml.text, /^apiVersion: meta\.k8s\.io\/v1\n/);
    const bad = await h.request('GET', '/api/v1/namespaces/default/configmaps?includeObject=Everything', { headers: { Accept: TABLE_ACCEPT } });
    assert.equal(bad.status, 400);
  });

  test('PartialObjectMetadataList for a list; 406 for the wrong shape', async () => {
    const r = await h.request('GET', '/api/v1/namespaces/default/configmaps', { headers: { Accept: 'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io' } });
    const list = r.json<{ kind: string; items: { kind: string }[] }>();
    assert.equal(list.kind, 'PartialObjectMetadataList');
    assert.equal(list.items[0]!.kind, 'PartialObjectMetadata');
    const wrong = await h.request('GET', '/api/v1/namespaces/default/configmaps', { headers: { Accept: 'application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io' } });
    assert.equal(wrong.status, 406);
    assert.equal(wrong.json<Status>().message, 'you requested PartialObjectMetadata, but the requested object is a list (*core.ConfigMapList)');
  });
});

describe('warnings', () => {
  test('storage warnings become Warning headers', async () => {
    h.storage.overrides.get = async () => ({
      object: Buffer.from('{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"w"}}'),
      warnings: ['deprecated "thing"', 'deprecated "thing"', 'second'],
      code: 0,
    });
    try {
      const r = await h.request('GET', '/api/v1/namespaces/default/configmaps/w');
      assert.equal(r.status, 200);
      assert.equal(r.headers.warning, '299 - "deprecated \\"thing\\"", 299 - "second"');
    } finally {
      delete h.storage.overrides.get;
    }
  });
});

describe('discovery', () => {
  test('/api, /apis, /apis/apps, /apis/apps/v1 and /api/v1', async () => {
    const api = await h.request('GET', '/api');
    assert.deepEqual(api.json(), { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: `127.0.0.1:${h.port}` }] });
    const apis = await h.request('GET', '/apis');
    assert.equal(apis.json<{ kind: string }>().kind, 'APIGroupList');
    const apps = await h.request('GET', '/apis/apps');
    assert.deepEqual(apps.json(), {
      kind: 'APIGroup',
      apiVersion: 'v1',
      name: 'apps',
      versions: [{ groupVersion: 'apps/v1', version: 'v1' }],
      preferredVersion: { groupVersion: 'apps/v1', version: 'v1' },
    });
    const appsV1 = await h.request('GET', '/apis/apps/v1');
    assert.equal(appsV1.json<{ groupVersion: string }>().groupVersion, 'apps/v1');
    const core = await h.request('GET', '/api/v1', { headers: { Accept: 'application/yaml' } });
    assert.equal(core.headers['content-type'], 'application/yaml');
    assert.match(core.text, /groupVersion: v1\nkind: APIResourceList\n/);
  });

  test('clients asking for aggregated discovery get APIGroupDiscoveryList; others the legacy document', async () => {
    const kubectl = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';
    const only = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList;profile=nopeer';
    for (const accept of [kubectl, only]) {
      const r = await h.request('GET', '/apis', { headers: { Accept: accept } });
      assert.equal(r.status, 200);
      assert.equal(r.headers['content-type'], 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
      assert.equal(r.headers.vary, 'Accept');
      assert.equal(r.headers['cache-control'], 'public');
      assert.match(String(r.headers.etag), /^"[0-9A-F]{128}"$/);
      assert.equal(r.json<{ kind: string; apiVersion: string }>().apiVersion, 'apidiscovery.k8s.io/v2');
      const again = await h.request('GET', '/apis', { headers: { Accept: accept, 'If-None-Match': String(r.headers.etag) } });
      assert.equal(again.status, 304);
      assert.equal(again.text, '');
    }
    const beta = await h.request('GET', '/api', { headers: { Accept: 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList' } });
    assert.equal(beta.headers['content-type'], 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList');
    assert.equal(beta.json<{ items: { metadata: unknown }[] }>().items[0]!.metadata && 'ok', 'ok');
    const legacy = await h.request('GET', '/apis', { headers: { Accept: 'application/json' } });
    assert.equal(legacy.headers['content-type'], 'application/json');
    assert.equal(legacy.json<{ kind: string }>().kind, 'APIGroupList');
  });

  test('the root lists the served paths', async () => {
    const r = await h.request('GET', '/');
    const paths = r.json<{ paths: string[] }>().paths;
    for (const p of ['/api', '/api/v1', '/apis', '/apis/apps/v1', '/healthz', '/readyz/storage', '/version']) assert.ok(paths.includes(p), p);
  });
});

describe('health', () => {
  test('storage failing: readyz 500 with the reason withheld, per-check path reveals it', async () => {
    h.storage.storageHealthy = false;
    try {
      const r = await h.request('GET', '/readyz', { client: 'none' });
      assert.equal(r.status, 500);
      assert.equal(r.headers['content-type'], 'text/plain; charset=utf-8');
      assert.equal(
        r.text,
        '[+]ping ok\n[+]log ok\n[+]bus ok\n[-]storage failed: reason withheld\n[+]admission ok\n[+]shutdown ok\nreadyz check failed\n',
      );
      const one = await h.request('GET', '/readyz/storage', { client: 'none' });
      assert.equal(one.status, 500);
      assert.equal(one.text, 'internal server error: kv: kv unreachable\n');
      const excluded = await h.request('GET', '/readyz?exclude=storage', { client: 'none' });
      assert.equal(excluded.status, 200);
      assert.equal(excluded.text, 'ok');
    } finally {
      h.storage.storageHealthy = true;
    }
  });

  test('healthy: ok, verbose listing, per-check ok', async () => {
    assert.equal((await h.request('GET', '/livez', { client: 'none' })).text, 'ok');
    const verbose = await h.request('GET', '/healthz?verbose', { client: 'none' });
    assert.equal(verbose.text, '[+]ping ok\n[+]log ok\n[+]bus ok\n[+]storage ok\n[+]admission ok\nhealthz check passed\n');
    assert.equal((await h.request('GET', '/livez/bus', { client: 'none' })).text, 'ok');
  });
});

describe('deadlines', () => {
  test('a request that outlives its deadline gets kube\'s 504', async () => {
    h.storage.overrides.get = () => new Promise(() => {});
    try {
      const started = Date.now();
      const r = await h.request('GET', '/api/v1/namespaces/default/configmaps/slow?timeout=200ms');
      assert.equal(r.status, 504);
      assert.equal(r.headers['content-type'], 'text/plain; charset=utf-8');
      assert.equal(r.text, TIMEOUT_BODY);
      assert.ok(Date.now() - started < 1_200, 'the shorter ?timeout= applies');
      const server = await h.request('GET', '/api/v1/namespaces/default/configmaps/slow');
      assert.equal(server.status, 504, 'the server-wide request timeout applies');
    } finally {
      delete h.storage.overrides.get;
    }
  });

  test('TIMEOUT_BODY is the bare ErrStatus json.Encoder writes', () => {
    assert.equal(
      TIMEOUT_BODY,
      '{"metadata":{},"status":"Failure","message":"Timeout: request did not complete within the allotted timeout","reason":"Timeout","details":{},"code":504}\n',
    );
  });
});

describe('compression', () => {
  test('responses over 128 KiB are gzipped for clients that accept gzip', async () => {
    h.storage.overrides.list = async () => ({
      object: Buffer.from(JSON.stringify({ kind: 'ConfigMapList', apiVersion: 'v1', metadata: {}, items: [{ metadata: { name: 'x' }, data: { k: 'y'.repeat(200 * 1024) } }] })),
      warnings: [],
      code: 0,
    });
    try {
      const gz = await h.request('GET', '/api/v1/namespaces/default/configmaps', { headers: { 'Accept-Encoding': 'gzip' } });
      assert.equal(gz.headers['content-encoding'], 'gzip');
      assert.equal(gz.headers.vary, 'Accept-Encoding');
      assert.equal(JSON.parse(gunzipSync(gz.body).toString()).kind, 'ConfigMapList');
      const plain = await h.request('GET', '/api/v1/namespaces/default/configmaps');
      assert.equal(plain.headers['content-encoding'], undefined);
      const small = await h.request('GET', '/api/v1/namespaces/default/configmaps/cm', { headers: { 'Accept-Encoding': 'gzip' } });
      assert.equal(small.headers['content-encoding'], undefined);
    } finally {
      delete h.storage.overrides.list;
    }
  });
});
