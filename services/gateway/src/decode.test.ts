import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { isStatusError } from '@kapi/apimachinery';
import { builtinCatalogue } from '@kapi/schema';
import { decodeObjectBody, summarizeBody } from './decode.js';
import { JSON_SERIALIZER, YAML_SERIALIZER } from './negotiation.js';
import { YAMLOffload } from './yaml-offload.js';

const catalogue = builtinCatalogue();
// Inline threshold 0: every YAML body goes through the worker thread here.
const yaml = new YAMLOffload(0);
after(() => yaml.close());
const POD = { group: '', version: 'v1', kind: 'Pod' };
const DEPLOYMENT = { group: 'apps', version: 'v1', kind: 'Deployment' };

async function rejects(body: string, expected: { group: string; version: string; kind: string }, message: string, serializer = JSON_SERIALIZER): Promise<void> {
  await assert.rejects(
    decodeObjectBody(Buffer.from(body), serializer, expected, catalogue, yaml),
    (err: unknown) => {
      assert.ok(isStatusError(err));
      assert.equal(err.code, 400);
      assert.equal(err.reason, 'BadRequest');
      assert.equal(err.status.message, message);
      return true;
    },
    body,
  );
}

test('malformed JSON is described as Go describes it', async () => {
  await rejects('{bad', POD, "the object provided is unrecognized (must be of type Pod): couldn't get version/kind; json parse error: invalid character 'b' looking for beginning of object key string ({bad)");
  await rejects('', POD, "the object provided is unrecognized (must be of type Pod): couldn't get version/kind; json parse error: unexpected end of JSON input (<empty>)");
  await rejects('{"a":1,}', POD, `the object provided is unrecognized (must be of type Pod): couldn't get version/kind; json parse error: invalid character '}' looking for beginning of object key string ({"a":1,})`);
  await rejects('{} x', POD, "the object provided is unrecognized (must be of type Pod): couldn't get version/kind; json parse error: invalid character 'x' after top-level value ({} x)");
  await rejects(
    '{"metadata":{"name":"a-very-long-name-that-goes-on"},',
    POD,
    `the object provided is unrecognized (must be of type Pod): couldn't get version/kind; json parse error: unexpected end of JSON input ({"metadata":{"name":"a-very-lo ...)`,
  );
});

test('a non-object body or a non-string apiVersion fails in the meta factory', async () => {
  await rejects(
    '[1]',
    POD,
    'the object provided is unrecognized (must be of type Pod): couldn\'t get version/kind; json parse error: json: cannot unmarshal array into Go value of type struct { APIVersion string "json:\\"apiVersion,omitempty\\""; Kind string "json:\\"kind,omitempty\\"" } (5b315d)',
  );
  await rejects(
    '{"apiVersion":1}',
    POD,
    `the object provided is unrecognized (must be of type Pod): couldn't get version/kind; json parse error: json: cannot unmarshal number into Go struct field .apiVersion of type string ({"apiVersion":1})`,
  );
  await rejects('{"apiVersion":"a/b/c"}', POD, `the object provided is unrecognized (must be of type Pod): unexpected GroupVersion string: a/b/c ({"apiVersion":"a/b/c"})`);
});

test('kinds and versions that do not convert to the endpoint kind', async () => {
  await rejects('{"apiVersion":"v1","kind":"Service"}', POD, 'Service in version "v1" cannot be handled as a Pod: converting (v1.Service) to (core.Pod): unknown conversion');
  await rejects('{"apiVersion":"v1","kind":"Nope"}', POD, 'Nope in version "v1" cannot be handled as a Pod: no kind "Nope" is registered for version "v1" in scheme "pkg/api/legacyscheme/scheme.go:30"');
  await rejects('{"apiVersion":"apps/v1","kind":"Pod"}', POD, 'Pod in version "v1" cannot be handled as a Pod: no kind "Pod" is registered for version "apps/v1" in scheme "pkg/api/legacyscheme/scheme.go:30"');
  await rejects('{"apiVersion":"events.k8s.io/v1","kind":"Event"}', { group: '', version: 'v1', kind: 'Event' }, 'the API version in the data (events.k8s.io/v1) does not match the expected API version (v1)');
  await rejects('{"apiVersion":"autoscaling/v1","kind":"HorizontalPodAutoscaler"}', { group: 'autoscaling', version: 'v2', kind: 'HorizontalPodAutoscaler' }, 'the API version in the data (autoscaling/v1) does not match the expected API version (autoscaling/v2)');
});

test('apiVersion and kind default from the endpoint, and are added to the bytes for storage', async () => {
  const d = await decodeObjectBody(Buffer.from('{"metadata":{"name":"x"}}'), JSON_SERIALIZER, DEPLOYMENT, catalogue, yaml);
  assert.deepEqual(d.gvk, DEPLOYMENT);
  assert.equal(d.json.toString(), '{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"x"}}');
  const kindOnly = await decodeObjectBody(Buffer.from(' { "kind":"Deployment" }'), JSON_SERIALIZER, DEPLOYMENT, catalogue, yaml);
  assert.equal(kindOnly.json.toString(), ' {"apiVersion":"apps/v1", "kind":"Deployment" }');
  const empty = await decodeObjectBody(Buffer.from('{}'), JSON_SERIALIZER, DEPLOYMENT, catalogue, yaml);
  assert.equal(empty.json.toString(), '{"apiVersion":"apps/v1","kind":"Deployment"}');
  const nul = await decodeObjectBody(Buffer.from('null'), JSON_SERIALIZER, DEPLOYMENT, catalogue, yaml);
  assert.deepEqual(JSON.parse(nul.json.toString()), { apiVersion: 'apps/v1', kind: 'Deployment' });
});

test('a complete JSON body passes to storage byte for byte (duplicate fields included)', async () => {
  const body = '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"a","name":"b"}}';
  const d = await decodeObjectBody(Buffer.from(body), JSON_SERIALIZER, POD, catalogue, yaml);
  assert.equal(d.json.toString(), body);
});

test('YAML bodies: 1.1 scalars, no timestamps, errors as sigs.k8s.io/yaml words them', async () => {
  const d = await decodeObjectBody(
    Buffer.from('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  when: 2024-01-01\n  flag: "yes"\n  octal: "0777"\n'),
    YAML_SERIALIZER,
    { group: '', version: 'v1', kind: 'ConfigMap' },
    catalogue,
    yaml,
  );
  assert.deepEqual(JSON.parse(d.json.toString()), {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'x' },
    data: { when: '2024-01-01', flag: 'yes', octal: '0777' },
  });
  const bools = await decodeObjectBody(Buffer.from('kind: ConfigMap\nx: yes\n'), YAML_SERIALIZER, { group: '', version: 'v1', kind: 'ConfigMap' }, catalogue, yaml);
  assert.equal(bools.object.x, true);
  await assert.rejects(
    decodeObjectBody(Buffer.from('a: b: c\n'), YAML_SERIALIZER, POD, catalogue, yaml),
    (err: unknown) => isStatusError(err) && err.code === 400 && /^the object provided is unrecognized \(must be of type Pod\): error converting YAML to JSON: yaml: line 1: .+ \(613a20623a20630a\)$/.test(err.status.message ?? ''),
  );
});

test('summarizeBody quotes JSON and hex-dumps anything else, up to 30 bytes', () => {
  assert.equal(summarizeBody(Buffer.alloc(0)), '<empty>');
  assert.equal(summarizeBody(Buffer.from('{"a":1}')), '{"a":1}');
  assert.equal(summarizeBody(Buffer.from('x'.repeat(31))), '78'.repeat(30) + ' ...');
});
