import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeMessage, encodeMessage } from './codec.js';
import { decodeEnvelope, decodeObject, decodeWatchFrame, encodeEnvelope, encodeObject, encodeWatchFrame, messageNameFor } from './envelope.js';
import { FIXTURES } from './fixtures.test-data.js';
import { formatDuration, formatMicroTime, formatTime, parseDuration, parseRFC3339 } from './go-time.js';
import { ProtoDecodeError } from './wire.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const bytes = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h.replace(/\s+/g, ''), 'hex'));
const decodeError = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ProtoDecodeError, String(err));
    return err.message;
  }
  assert.fail('no error');
};

describe('protobuf round trip of built-in kinds (JSON -> protobuf -> JSON)', () => {
  for (const [name, object] of Object.entries(FIXTURES)) {
    it(name, () => {
      const wire = encodeObject(object);
      assert.deepEqual(decodeObject(wire), object);
      // The envelope names the kind; encoding is deterministic.
      const env = decodeEnvelope(wire);
      assert.equal(env.kind, object.kind);
      assert.equal(env.apiVersion, object.apiVersion);
      assert.equal(hex(encodeObject(decodeObject(wire))), hex(wire));
    });
  }
});

describe('the bytes generated.pb.go writes and reads', () => {
  // ConfigMap{ObjectMeta{Name: "c"}, Data: {"a": "b"}} as gogo's Marshal writes it: every
  // non-pointer field of ObjectMeta, even empty (name, generateName, namespace, selfLink, uid,
  // resourceVersion, generation, creationTimestamp as an empty Time), map entries as messages.
  const GO_CONFIGMAP = '0a11 0a0163 1200 1a00 2200 2a00 3200 3800 4200  1206 0a0161 120162';
  const GO_ENVELOPE = `6b387300 0a0f 0a027631 1209 436f6e6669674d6170 121b ${GO_CONFIGMAP} 1a00 2200`;

  it('encodes a ConfigMap byte for byte as Go does, envelope included', () => {
    const object = { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'c' }, data: { a: 'b' } };
    assert.equal(hex(encodeMessage('k8s.io.api.core.v1.ConfigMap', object)), hex(bytes(GO_CONFIGMAP)));
    assert.equal(hex(encodeObject(object)), hex(bytes(GO_ENVELOPE)));
  });

  it('decodes Go bytes into the JSON encoding/json writes (omitempty zeros dropped, zero Time omitted)', () => {
    assert.deepEqual(decodeObject(bytes(GO_ENVELOPE)), { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'c' }, data: { a: 'b' } });
  });

  it('keeps zero values of pointer fields and writes non-omitempty ones', () => {
    // DeploymentSpec{Replicas: ptr(0)} with no template: replicas stays 0; selector (a pointer
    // without omitempty) is null; template (a struct) is written.
    const spec = decodeMessage('k8s.io.api.apps.v1.DeploymentSpec', bytes('0800'));
    assert.deepEqual(spec, { replicas: 0, selector: null, template: { metadata: {}, spec: { containers: null } }, strategy: {} });
    // PolicyRule.verbs has no omitempty: a rule without verbs says null.
    assert.deepEqual(decodeMessage('k8s.io.api.rbac.v1.PolicyRule', new Uint8Array()), { verbs: null });
  });

  it('maps IntOrString, Quantity, Time, MicroTime and RawExtension', () => {
    const port = decodeMessage('k8s.io.api.core.v1.ServicePort', encodeMessage('k8s.io.api.core.v1.ServicePort', { port: 80, targetPort: 'web' }));
    assert.equal(port.targetPort, 'web');
    const intPort = decodeMessage('k8s.io.api.core.v1.ServicePort', encodeMessage('k8s.io.api.core.v1.ServicePort', { port: 80 }));
    assert.equal(intPort.targetPort, 0);
    // metav1.Time keeps whole seconds; MicroTime microseconds.
    const cond = decodeMessage('k8s.io.apimachinery.pkg.apis.meta.v1.Condition', encodeMessage('k8s.io.apimachinery.pkg.apis.meta.v1.Condition', { type: 'A', status: 'True', lastTransitionTime: '2024-01-02T04:04:05.9+01:00' }));
    assert.equal(cond.lastTransitionTime, '2024-01-02T03:04:05Z');
    const raw = encodeMessage('k8s.io.apimachinery.pkg.runtime.RawExtension', { a: [1, 'x'] });
    assert.equal(Buffer.from(raw).subarray(2).toString(), '{"a":[1,"x"]}');
  });

  it('rejects malformed bytes with generated.pb.go texts', () => {
    const name = 'k8s.io.api.core.v1.ConfigMap';
    assert.equal(decodeError(() => decodeMessage(name, bytes('0a05'))), 'unexpected EOF');
    assert.equal(decodeError(() => decodeMessage(name, bytes('0a'))), 'unexpected EOF');
    assert.equal(decodeError(() => decodeMessage(name, bytes('0801'))), 'proto: wrong wireType = 0 for field Metadata');
    assert.equal(decodeError(() => decodeMessage(name, bytes('0001'))), 'proto: ConfigMap: illegal tag 0 (wire type 0)');
    assert.equal(decodeError(() => decodeMessage(name, bytes('0c'))), 'proto: ConfigMap: wiretype end group for non-group');
    assert.equal(decodeError(() => decodeMessage(name, bytes('ffffffffffffffffffff01'))), 'proto: integer overflow');
    assert.equal(decodeError(() => decodeMessage(name, bytes('7f'))), 'proto: illegal wireType 7');
    // Unknown fields are skipped, as Go skips them.
    assert.deepEqual(decodeMessage(name, bytes('a00601 f80600')), { metadata: {} });
  });
});

describe('the k8s\\0 envelope', () => {
  it('gives kube serializer texts for bodies it cannot read', () => {
    assert.equal(decodeError(() => decodeEnvelope(new Uint8Array())), 'empty data');
    assert.equal(decodeError(() => decodeEnvelope(Buffer.from('{"kind":"Pod"}'))), 'provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]');
    assert.equal(decodeError(() => decodeEnvelope(bytes('6b387300'))), 'empty body');
    assert.equal(decodeError(() => decodeEnvelope(bytes('6b387300 0a05'))), 'unexpected EOF');
  });

  it('finds the message of a kind in its group version, meta kinds in meta/v1', () => {
    assert.equal(messageNameFor('v1', 'Pod'), 'k8s.io.api.core.v1.Pod');
    assert.equal(messageNameFor('rbac.authorization.k8s.io/v1', 'ClusterRole'), 'k8s.io.api.rbac.v1.ClusterRole');
    assert.equal(messageNameFor('flowcontrol.apiserver.k8s.io/v1', 'FlowSchema'), 'k8s.io.api.flowcontrol.v1.FlowSchema');
    assert.equal(messageNameFor('apps/v1', 'Status'), 'k8s.io.apimachinery.pkg.apis.meta.v1.Status');
    assert.equal(messageNameFor('meta.k8s.io/v1', 'DeleteOptions'), 'k8s.io.apimachinery.pkg.apis.meta.v1.DeleteOptions');
    assert.equal(messageNameFor('meta.k8s.io/v1', 'Table'), undefined, 'Table is +protobuf=false upstream');
    assert.equal(messageNameFor('example.com/v1', 'Widget'), undefined);
  });
});

describe('watch frames', () => {
  it('length-prefixed WatchEvent{type, object.raw = enveloped object} without an envelope of its own', () => {
    const object = encodeObject(FIXTURES.ConfigMap!);
    const frame = encodeWatchFrame('ADDED', object);
    const length = Buffer.from(frame).readUInt32BE(0);
    assert.equal(length, frame.length - 4);
    // The event itself is a bare metav1.WatchEvent message (protobuf.RawSerializer): field 1
    // type, field 2 object {field 1 raw}.
    assert.equal(hex(frame.subarray(4, 11)), '0a05' + Buffer.from('ADDED').toString('hex'));
    assert.equal(frame[11], 0x12);
    const parsed = decodeWatchFrame(frame);
    assert.equal(parsed.type, 'ADDED');
    assert.equal(parsed.size, frame.length);
    assert.deepEqual(decodeObject(parsed.object), FIXTURES.ConfigMap);
    // Two frames back to back are read one at a time.
    const two = Buffer.concat([frame, encodeWatchFrame('DELETED', object)]);
    const first = decodeWatchFrame(two);
    assert.equal(decodeWatchFrame(two.subarray(first.size)).type, 'DELETED');
  });
});

describe('Go time and duration forms', () => {
  it('formats and parses', () => {
    assert.equal(formatTime(0), '1970-01-01T00:00:00Z');
    assert.equal(formatTime(-62135596800), '0001-01-01T00:00:00Z');
    assert.equal(formatMicroTime(1704164645, 123456789), '2024-01-02T03:04:05.123456Z');
    assert.deepEqual(parseRFC3339('2024-01-02T03:04:05.5Z'), { seconds: 1704164645, nanos: 500000000 });
    assert.deepEqual(parseRFC3339('0050-01-01T00:00:00Z')?.seconds, -60589296000);
    assert.equal(parseRFC3339('2024-01-02'), undefined);
    for (const [ns, text] of [
      [0, '0s'],
      [1, '1ns'],
      [1500, '1.5µs'],
      [2_000_000, '2ms'],
      [1_500_000_000, '1.5s'],
      [60e9, '1m0s'],
      [3600e9, '1h0m0s'],
      [-90e9, '-1m30s'],
    ] as const) {
      assert.equal(formatDuration(ns), text);
      assert.equal(parseDuration(text), ns);
    }
    assert.equal(parseDuration('1.5h'), 5400e9);
    assert.equal(parseDuration('bogus'), undefined);
  });
});
