import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newRequestInfo, RequestInfoError, splitPath } from './request-info.js';

interface Case {
  method: string;
  url: string;
  verb: string;
  resource?: boolean;
  prefix?: string;
  group?: string;
  version?: string;
  namespace?: string;
  res?: string;
  sub?: string;
  name?: string;
  parts?: string[];
}

function parse(method: string, url: string) {
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  return newRequestInfo(method, path, new URLSearchParams(q < 0 ? '' : url.slice(q + 1)), url);
}

// The cases of kube's requestinfo_test.go, plus a few of its quirks.
const cases: Case[] = [
  { method: 'GET', url: '/api/v1/namespaces', verb: 'list', prefix: 'api', version: 'v1', res: 'namespaces', parts: ['namespaces'] },
  { method: 'GET', url: '/api/v1/namespaces/other', verb: 'get', version: 'v1', namespace: 'other', res: 'namespaces', name: 'other', parts: ['namespaces', 'other'] },
  { method: 'GET', url: '/api/v1/namespaces/other/pods', verb: 'list', namespace: 'other', res: 'pods', parts: ['pods'] },
  { method: 'GET', url: '/api/v1/namespaces/other/pods/foo', verb: 'get', namespace: 'other', res: 'pods', name: 'foo', parts: ['pods', 'foo'] },
  { method: 'HEAD', url: '/api/v1/namespaces/other/pods/foo', verb: 'get', namespace: 'other', res: 'pods', name: 'foo' },
  { method: 'GET', url: '/api/v1/pods', verb: 'list', res: 'pods' },
  { method: 'GET', url: '/api/v1/namespaces/other/pods/foo/status', verb: 'get', namespace: 'other', res: 'pods', name: 'foo', sub: 'status' },
  { method: 'GET', url: '/api/v1/namespaces/other/pods/foo/proxy/subpath', verb: 'get', namespace: 'other', res: 'pods', name: 'foo', sub: 'proxy', parts: ['pods', 'foo', 'proxy', 'subpath'] },
  { method: 'GET', url: '/api/v1/namespaces/other/finalize', verb: 'get', namespace: 'other', res: 'namespaces', name: 'other', sub: 'finalize' },
  { method: 'GET', url: '/api/v1/namespaces/other/status', verb: 'get', namespace: 'other', res: 'namespaces', name: 'other', sub: 'status' },
  { method: 'GET', url: '/api/v1/namespaces/other/pods?watch=true', verb: 'watch', namespace: 'other', res: 'pods' },
  { method: 'GET', url: '/api/v1/namespaces/other/pods?watch=0', verb: 'list', namespace: 'other', res: 'pods' },
  { method: 'GET', url: '/api/v1/namespaces/other/pods?watch=FALSE', verb: 'list', namespace: 'other', res: 'pods' },
  { method: 'GET', url: '/api/v1/namespaces/other/pods?watch=yes', verb: 'watch', namespace: 'other', res: 'pods' },
  { method: 'GET', url: '/api/v1/watch/pods', verb: 'watch', res: 'pods' },
  { method: 'GET', url: '/api/v1/watch/namespaces/other/pods', verb: 'watch', namespace: 'other', res: 'pods' },
  { method: 'GET', url: '/api/v1/proxy/namespaces/other/pods/foo/subpath', verb: 'proxy', namespace: 'other', res: 'pods', name: 'foo', sub: '' },
  { method: 'POST', url: '/api/v1/namespaces/other/pods', verb: 'create', namespace: 'other', res: 'pods' },
  { method: 'PUT', url: '/api/v1/namespaces/other/pods/foo', verb: 'update', namespace: 'other', res: 'pods', name: 'foo' },
  { method: 'PATCH', url: '/api/v1/namespaces/other/pods/foo', verb: 'patch', namespace: 'other', res: 'pods', name: 'foo' },
  { method: 'DELETE', url: '/api/v1/namespaces/other/pods/foo', verb: 'delete', namespace: 'other', res: 'pods', name: 'foo' },
  { method: 'DELETE', url: '/api/v1/namespaces/other/pods', verb: 'deletecollection', namespace: 'other', res: 'pods' },
  { method: 'GET', url: '/apis/extensions/v1beta1/namespaces/other/pods', verb: 'list', prefix: 'apis', group: 'extensions', version: 'v1beta1', namespace: 'other', res: 'pods' },
  { method: 'GET', url: '/apis/apps/v1/namespaces/ns/deployments/web/scale', verb: 'get', group: 'apps', version: 'v1', namespace: 'ns', res: 'deployments', name: 'web', sub: 'scale' },
  { method: 'GET', url: '/apis/rbac.authorization.k8s.io/v1/clusterroles/admin', verb: 'get', group: 'rbac.authorization.k8s.io', res: 'clusterroles', name: 'admin' },
  { method: 'OPTIONS', url: '/api/v1/pods', verb: '', res: 'pods' },
  // list narrowed to a name by fieldSelector is authorized as that name
  { method: 'GET', url: '/api/v1/namespaces/other/pods?fieldSelector=metadata.name%3Dfoo', verb: 'list', namespace: 'other', res: 'pods', name: 'foo' },
  { method: 'GET', url: '/api/v1/namespaces/other/pods?fieldSelector=metadata.name%3D%3Dfoo,spec.nodeName%3Dn', verb: 'list', namespace: 'other', res: 'pods', name: 'foo' },
  { method: 'GET', url: '/api/v1/namespaces/other/pods?fieldSelector=metadata.name%21%3Dfoo', verb: 'list', namespace: 'other', res: 'pods', name: '' },
  { method: 'GET', url: '/api/v1/namespaces/other/pods?fieldSelector=metadata.name%3Da%2Fb', verb: 'list', namespace: 'other', res: 'pods', name: '' },
  // an undecodable ListOptions keeps the verb but drops the name
  { method: 'GET', url: '/api/v1/namespaces/other/pods?fieldSelector=metadata.name%3Dfoo&limit=x', verb: 'list', namespace: 'other', res: 'pods', name: '' },
  { method: 'GET', url: '/api/v1/namespaces/other/pods?fieldSelector=metadata.name%3Dfoo&watch=1', verb: 'watch', namespace: 'other', res: 'pods', name: 'foo' },
  { method: 'GET', url: '/api/v1/namespaces/other/pods/?watch=1', verb: 'watch', namespace: 'other', res: 'pods' },
];

for (const c of cases) {
  test(`request info: ${c.method} ${c.url}`, () => {
    const info = parse(c.method, c.url);
    assert.equal(info.isResourceRequest, c.resource ?? true);
    assert.equal(info.verb, c.verb);
    assert.equal(info.apiPrefix, c.prefix ?? (c.group ? 'apis' : 'api'));
    assert.equal(info.apiGroup, c.group ?? '');
    assert.equal(info.apiVersion, c.version ?? (c.group ? info.apiVersion : 'v1'));
    assert.equal(info.namespace, c.namespace ?? '');
    assert.equal(info.resource, c.res ?? '');
    assert.equal(info.subresource, c.sub ?? '');
    assert.equal(info.name, c.name ?? '');
    if (c.parts) assert.deepEqual(info.parts, c.parts);
  });
}

test('request info: non-resource paths keep the lowercased method as verb', () => {
  for (const [method, url] of [
    ['GET', '/'],
    ['GET', '/healthz'],
    ['GET', '/api'],
    ['GET', '/apis'],
    ['GET', '/api/v1'],
    ['GET', '/apis/apps'],
    ['GET', '/apis/apps/v1'],
    ['POST', '/version'],
    ['GET', '/other/path/with/many/parts'],
  ] as const) {
    const info = parse(method, url);
    assert.equal(info.isResourceRequest, false, url);
    assert.equal(info.verb, method.toLowerCase());
    assert.equal(info.path, url);
  }
});

test('request info: selectors are recorded for list, watch and deletecollection only', () => {
  const list = parse('GET', '/api/v1/pods?labelSelector=a%3Db&fieldSelector=spec.nodeName%3Dn');
  assert.equal(list.labelSelector, 'a=b');
  assert.equal(list.fieldSelector, 'spec.nodeName=n');
  const get = parse('GET', '/api/v1/namespaces/x/pods/p?labelSelector=a%3Db');
  assert.equal(get.labelSelector, '');
  // not for the deprecated /watch/ prefix
  const watchPath = parse('GET', '/api/v1/watch/pods?labelSelector=a%3Db');
  assert.equal(watchPath.labelSelector, '');
});

test('request info: a special verb without a resource is an error, as in kube', () => {
  assert.throws(() => parse('GET', '/api/v1/watch'), (err: unknown) => {
    assert.ok(err instanceof RequestInfoError);
    assert.equal(err.message, 'unable to determine kind and namespace from url, /api/v1/watch');
    return true;
  });
});

test('splitPath trims slashes at both ends only', () => {
  assert.deepEqual(splitPath('/'), []);
  assert.deepEqual(splitPath(''), []);
  assert.deepEqual(splitPath('/api/v1/'), ['api', 'v1']);
  assert.deepEqual(splitPath('//api//v1'), ['api', '', 'v1']);
});
