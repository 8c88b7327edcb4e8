import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isStatusError } from '@kapi/apimachinery';
import {
  DEFAULT_ENDPOINT_RESTRICTIONS,
  JSON_SERIALIZER,
  SERIALIZERS,
  YAML_SERIALIZER,
  isPrettyPrint,
  negotiateInputSerializer,
  negotiateMediaTypeOptions,
  negotiateOutputMediaType,
  parseAccept,
  parseMediaType,
  routeConsumesContentType,
  routeProducesAccept,
  type EndpointRestrictions,
} from './negotiation.js';

const tables: EndpointRestrictions = {
  allowsMediaTypeTransform: (t, s, gvk) =>
    gvk === undefined || (gvk.group === 'meta.k8s.io' && gvk.kind === 'Table' && t === 'application' && (s === 'json' || s === 'yaml')),
  allowsServerVersion: () => false,
  allowsStreamSchema: (s) => s === 'watch',
};

test('parseAccept sorts by q, then by specificity, keeping header order otherwise', () => {
  const clauses = parseAccept('text/*;q=0.5, */*;q=0.1, application/json;as=Table;v=v1;g=meta.k8s.io, application/yaml, */*');
  assert.deepEqual(
    clauses.map((c) => `${c.type}/${c.subType}`),
    ['application/json', 'application/yaml', '*/*', 'text/*', '*/*'],
  );
  assert.deepEqual(clauses[0]!.params, { as: 'Table', v: 'v1', g: 'meta.k8s.io' });
  assert.equal(clauses[3]!.q, 0.5);
});

test('parseAccept skips malformed clauses', () => {
  assert.deepEqual(parseAccept('json, a/b/c, *, ;x=y').map((c) => `${c.type}/${c.subType}`), ['*/*']);
});

test('negotiation: empty Accept gets the first serializer', () => {
  const o = negotiateMediaTypeOptions('', SERIALIZERS, DEFAULT_ENDPOINT_RESTRICTIONS);
  assert.equal(o?.accepted, JSON_SERIALIZER);
});

test('negotiation: kubectl get asks for a Table and falls back to JSON', () => {
  const accept = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';
  const withTables = negotiateMediaTypeOptions(accept, SERIALIZERS, tables);
  assert.deepEqual(withTables?.convert, { group: 'meta.k8s.io', version: 'v1', kind: 'Table' });
  const without = negotiateMediaTypeOptions(accept, SERIALIZERS, DEFAULT_ENDPOINT_RESTRICTIONS);
  assert.equal(without?.convert, undefined);
  assert.equal(without?.accepted, JSON_SERIALIZER);
});

test('negotiation: yaml, wildcards, stream and pretty parameters', () => {
  assert.equal(negotiateMediaTypeOptions('application/yaml', SERIALIZERS, DEFAULT_ENDPOINT_RESTRICTIONS)?.accepted, YAML_SERIALIZER);
  assert.equal(negotiateMediaTypeOptions('application/*', SERIALIZERS, DEFAULT_ENDPOINT_RESTRICTIONS)?.accepted, JSON_SERIALIZER);
  assert.equal(negotiateMediaTypeOptions('*/*', SERIALIZERS, DEFAULT_ENDPOINT_RESTRICTIONS)?.accepted, JSON_SERIALIZER);
  // YAML has no stream serializer: stream=watch skips it
  assert.equal(negotiateMediaTypeOptions('application/yaml;stream=watch', SERIALIZERS, DEFAULT_ENDPOINT_RESTRICTIONS), undefined);
  assert.equal(negotiateMediaTypeOptions('application/json;stream=watch', SERIALIZERS, DEFAULT_ENDPOINT_RESTRICTIONS)?.stream, 'watch');
  assert.equal(negotiateMediaTypeOptions('application/json;pretty=1', SERIALIZERS, DEFAULT_ENDPOINT_RESTRICTIONS)?.pretty, true);
  assert.equal(negotiateMediaTypeOptions('application/json;sv=v1', SERIALIZERS, DEFAULT_ENDPOINT_RESTRICTIONS), undefined);
});

test('negotiateOutputMediaType: 406 lists what can be produced', () => {
  assert.throws(
    () => negotiateOutputMediaType({ accept: 'application/vnd.kubernetes.protobuf', query: new URLSearchParams(), userAgent: '' }, SERIALIZERS, DEFAULT_ENDPOINT_RESTRICTIONS),
    (err: unknown) => {
      assert.ok(isStatusError(err));
      assert.equal(err.code, 406);
      assert.equal(err.reason, 'NotAcceptable');
      assert.equal(err.status.message, 'only the following media types are accepted: application/json, application/yaml');
      return true;
    },
  );
});

test('isPrettyPrint: ?pretty wins, else curl, Wget and browsers', () => {
  assert.equal(isPrettyPrint(new URLSearchParams('pretty=true'), ''), true);
  assert.equal(isPrettyPrint(new URLSearchParams('pretty=0'), 'curl/8.0'), false);
  assert.equal(isPrettyPrint(new URLSearchParams('pretty=bogus'), ''), false);
  assert.equal(isPrettyPrint(new URLSearchParams(), 'curl/8.0'), true);
  assert.equal(isPrettyPrint(new URLSearchParams(), 'Mozilla/5.0 (X11)'), true);
  assert.equal(isPrettyPrint(new URLSearchParams(), 'kubectl/v1.33.0'), false);
});

test('negotiateInputSerializer: parameters and case are ignored, unknown types are 415', () => {
  assert.equal(negotiateInputSerializer(undefined, SERIALIZERS), JSON_SERIALIZER);
  assert.equal(negotiateInputSerializer('', SERIALIZERS), JSON_SERIALIZER);
  assert.equal(negotiateInputSerializer('Application/JSON; charset=utf-8', SERIALIZERS), JSON_SERIALIZER);
  assert.equal(negotiateInputSerializer('application/yaml', SERIALIZERS), YAML_SERIALIZER);
  for (const ct of ['application/vnd.kubernetes.protobuf', 'text/plain', 'application/json; charset', 'nonsense']) {
    assert.throws(() => negotiateInputSerializer(ct, SERIALIZERS), (err: unknown) => {
      assert.ok(isStatusError(err));
      assert.equal(err.code, 415);
      assert.equal(
        err.status.message,
        'the body of the request was in an unknown format - accepted media types include: application/json, application/yaml',
      );
      return true;
    }, ct);
  }
});

test('parseMediaType follows mime.ParseMediaType', () => {
  assert.equal(parseMediaType('application/json'), 'application/json');
  assert.equal(parseMediaType('APPLICATION/Merge-Patch+JSON ; charset="utf-8"'), 'application/merge-patch+json');
  assert.equal(parseMediaType('application/json;'), 'application/json');
  assert.equal(parseMediaType('application'), undefined);
  assert.equal(parseMediaType('application/json; a=1; a=2'), undefined);
});

test('go-restful route matching of Accept and Content-Type', () => {
  const produces = ['application/json', 'application/yaml'];
  assert.equal(routeProducesAccept('', produces), true);
  assert.equal(routeProducesAccept('text/html, application/json;q=0.1', produces), true);
  assert.equal(routeProducesAccept('application/*', produces), false);
  assert.equal(routeProducesAccept('text/html', produces), false);
  const patch = ['application/merge-patch+json'];
  assert.equal(routeConsumesContentType('application/merge-patch+json; charset=utf-8', 'PATCH', patch), true);
  assert.equal(routeConsumesContentType('application/json', 'PATCH', patch), false);
  assert.equal(routeConsumesContentType('', 'PATCH', patch), false);
  assert.equal(routeConsumesContentType('', 'GET', patch), true);
  assert.equal(routeConsumesContentType('anything', 'POST', ['*/*']), true);
});

// Speed is the bench's business; this checks a huge header is parsed whole and ordered.
test('parseAccept handles a huge header', () => {
  const header = Array.from({ length: 5000 }, (_, i) => `application/x${i};q=0.${i % 10}`).join(',');
  const clauses = parseAccept(header);
  assert.equal(clauses.length, 5000);
  for (let i = 1; i < clauses.length; i++) assert.ok(clauses[i - 1]!.q >= clauses[i]!.q);
});
