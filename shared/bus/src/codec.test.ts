import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StatusError, type Status } from '@kapi/apimachinery';
import { messageTypeNames, protoCodec } from './codec.js';
import { decodeReply, encodeErrorReply, encodeReply } from './envelope.js';
import type {
  CacheEvent,
  CacheWatchReply,
  CacheWatchRequest,
  AdmissionRequest,
  AdmissionResponse,
  CreateRequest,
  DeleteCollectionRequest,
  DeleteOptions,
  DeleteRequest,
  GetRequest,
  GroupVersionKindMsg,
  HealthCheck,
  HealthReply,
  HealthRequest,
  ListOptions,
  ListRequest,
  ObjectReply,
  PatchRequest,
  Preconditions,
  ResourceRef,
  StatusCauseMsg,
  StatusDetailsMsg,
  StatusMsg,
  UpdateRequest,
  UserInfoMsg,
  WriteOptions,
} from './messages.js';
import { errorToStatusMessage, statusCodec, statusErrorFromMessage, statusFromMessage, statusToMessage } from './status-codec.js';
import { StorageRpc } from './subjects.js';

const bytes = (s: string): Uint8Array => new Uint8Array(Buffer.from(s));

const cacheEvent: CacheEvent = {
  type: 'MODIFIED',
  revision: 12,
  prevRevision: 10,
  namespace: 'a',
  object: new Uint8Array(Buffer.from('{"new":true}')),
  prevObject: new Uint8Array(Buffer.from('{"old":true}')),
  key: '/registry/pods/a/x',
};
const ref: ResourceRef = { group: 'apps', version: 'v1', resource: 'deployments', namespace: 'default', name: 'web', subresource: 'scale' };
const user: UserInfoMsg = {
  username: 'alice',
  uid: 'u-1',
  groups: ['system:authenticated', 'devs'],
  extra: { scopes: { values: ['a', 'b'] }, empty: { values: [] } },
};
const writeOptions: WriteOptions = { dryRun: true, fieldManager: 'kubectl', fieldValidation: 'Strict', force: true };
const listOptions: ListOptions = {
  labelSelector: 'app=web',
  fieldSelector: 'metadata.name=x',
  limit: 500,
  continue: 'eyJ2IjoxfQ',
  resourceVersion: '123',
  resourceVersionMatch: 'NotOlderThan',
};
const preconditions: Preconditions = { uid: 'uid-9', resourceVersion: '77' };
const deleteOptions: DeleteOptions = {
  preconditions,
  propagationPolicy: 'Foreground',
  hasGracePeriodSeconds: true,
  gracePeriodSeconds: 2 ** 40, // int64 beyond int32, still exact as a JS number
  dryRun: false,
};
const cause: StatusCauseMsg = { reason: 'FieldValueInvalid', message: 'bad', field: 'spec.replicas' };
const details: StatusDetailsMsg = { name: 'web', group: 'apps', kind: 'deployments', uid: 'uid-1', causes: [cause], retryAfterSeconds: 3 };
const gvk: GroupVersionKindMsg = { group: 'apps', version: 'v1', kind: 'Deployment' };
const check: HealthCheck = { name: 'etcd', ok: true, message: 'fine' };

/** One fully populated sample of every kapi.v1 message type (fields exactly as decoded). */
const samples: Record<string, unknown> = {
  'kapi.v1.StatusCause': cause,
  'kapi.v1.StatusDetails': details,
  'kapi.v1.Status': { status: 'Failure', message: 'nope', reason: 'Invalid', details, code: 422 } satisfies StatusMsg,
  'kapi.v1.Reply': { payload: bytes('x') },
  'kapi.v1.ExtraValue': { values: ['v'] },
  'kapi.v1.UserInfo': user,
  'kapi.v1.GroupVersionKind': gvk,
  'kapi.v1.ResourceRef': ref,
  'kapi.v1.ObjectReply': { object: bytes('{"kind":"Pod"}'), warnings: ['w1', 'w2'], code: 201, auditAnnotations: { 'webhook.example.com/k': 'v' } } satisfies ObjectReply,
  'kapi.v1.HealthRequest': {} satisfies HealthRequest,
  'kapi.v1.HealthCheck': check,
  'kapi.v1.HealthReply': { service: 'storage', instance: 'storage-1', checks: [check, { name: 'kms', ok: false, message: 'down' }] } satisfies HealthReply,
  'kapi.v1.WriteOptions': writeOptions,
  'kapi.v1.ListOptions': listOptions,
  'kapi.v1.Preconditions': preconditions,
  'kapi.v1.DeleteOptions': deleteOptions,
  'kapi.v1.CreateRequest': { ref, object: bytes('{}'), options: writeOptions, user } satisfies CreateRequest,
  'kapi.v1.GetRequest': { ref, resourceVersion: '42' } satisfies GetRequest,
  'kapi.v1.ListRequest': { ref, options: listOptions } satisfies ListRequest,
  'kapi.v1.UpdateRequest': { ref, object: bytes('{"a":1}'), options: writeOptions, user } satisfies UpdateRequest,
  'kapi.v1.PatchRequest': { ref, patchType: 'application/merge-patch+json', patch: bytes('{"b":2}'), options: writeOptions, user } satisfies PatchRequest,
  'kapi.v1.DeleteRequest': { ref, options: deleteOptions, user } satisfies DeleteRequest,
  'kapi.v1.DeleteCollectionRequest': { ref, options: deleteOptions, listOptions, user } satisfies DeleteCollectionRequest,
  'kapi.v1.AdmissionRequest': {
    operation: 'UPDATE',
    ref,
    kind: gvk,
    object: bytes('{"new":true}'),
    oldObject: bytes('{"old":true}'),
    dryRun: true,
    fieldValidation: 'Warn',
    user,
  } satisfies AdmissionRequest,
  'kapi.v1.AdmissionResponse': { object: bytes('{}'), warnings: ['careful'], auditAnnotations: {} } satisfies AdmissionResponse,
  'kapi.v1.CacheEvent': cacheEvent,
  'kapi.v1.CacheWatchRequest': {
    ref,
    mode: 'state',
    afterRevision: 7,
    minRevision: 9,
    consistent: true,
    labelSelector: 'a=b',
    fieldSelector: 'metadata.name=x',
    fromKey: '/registry/pods/a/x',
    atRevision: 11,
    notOlderThan: 13,
  } satisfies CacheWatchRequest,
  'kapi.v1.CacheWatchReply': { revision: 12, events: [cacheEvent], nextKey: '/registry/pods/a/y' } satisfies CacheWatchReply,
};

describe('protoCodec', () => {
  it('has a sample for every message type in proto/kapi/v1', () => {
    assert.deepEqual(Object.keys(samples).sort(), messageTypeNames());
  });

  for (const [typeName, sample] of Object.entries(samples)) {
    it(`round-trips ${typeName}`, () => {
      const codec = protoCodec<unknown>(typeName);
      assert.equal(codec.typeName, typeName);
      const decoded = codec.decode(codec.encode(sample));
      assert.deepEqual(decoded, sample);
    });
  }

  it('decodes absent nested messages as default objects and scalars as defaults', () => {
    const codec = protoCodec<DeleteCollectionRequest>('kapi.v1.DeleteCollectionRequest');
    const d = codec.decode(new Uint8Array(0));
    assert.deepEqual(d, {
      ref: { group: '', version: '', resource: '', namespace: '', name: '', subresource: '' },
      options: {
        preconditions: { uid: '', resourceVersion: '' },
        propagationPolicy: '',
        hasGracePeriodSeconds: false,
        gracePeriodSeconds: 0,
        dryRun: false,
      },
      listOptions: { labelSelector: '', fieldSelector: '', limit: 0, continue: '', resourceVersion: '', resourceVersionMatch: '' },
      user: { username: '', uid: '', groups: [], extra: {} },
    });
    // Two decodes never share a default object.
    const e = codec.decode(new Uint8Array(0));
    assert.notEqual(d.ref, e.ref);
    // A partly given message keeps what it has and defaults the rest.
    const g = protoCodec<GetRequest>('kapi.v1.GetRequest');
    assert.deepEqual(g.decode(g.encode({ ref: { namespace: 'ns' } } as unknown as GetRequest)).ref, {
      group: '', version: '', resource: '', namespace: 'ns', name: '', subresource: '',
    });
  });

  it('decodes bytes as plain Uint8Array views, whatever the input buffer type', () => {
    const codec = protoCodec<ObjectReply>('kapi.v1.ObjectReply');
    const wire = codec.encode({ object: bytes('hello'), warnings: [], code: 0 });
    for (const input of [Buffer.from(wire), new Uint8Array(wire)]) {
      const d = codec.decode(input);
      assert.equal(Object.getPrototypeOf(d.object), Uint8Array.prototype);
      assert.equal(Buffer.from(d.object).toString(), 'hello');
    }
  });

  it('returns one cached codec per type and fails fast on unknown types', () => {
    assert.equal(protoCodec('kapi.v1.GetRequest'), protoCodec('kapi.v1.GetRequest'));
    assert.throws(() => protoCodec('kapi.v1.NoSuchThing'), /unknown protobuf message type "kapi.v1.NoSuchThing"/);
    assert.throws(() => protoCodec('kapi.v1'), /unknown protobuf message type/);
  });

  it('reports malformed input and unencodable objects with the type name', () => {
    const codec = protoCodec<GetRequest>('kapi.v1.GetRequest');
    assert.throws(() => codec.decode(new Uint8Array([0x0a, 0x50, 0x01])), /cannot decode kapi.v1.GetRequest from 3 bytes/);
    assert.throws(() => codec.encode({ ref: 5 } as unknown as GetRequest), /cannot encode kapi.v1.GetRequest: .*object expected/);
  });

  it('the subjects module builds its RPCs from these codecs', () => {
    assert.equal(StorageRpc.get.subject, 'kapi.rpc.v1.storage.get');
    assert.equal(StorageRpc.get.request.typeName, 'kapi.v1.GetRequest');
    assert.equal(StorageRpc.deleteCollection.response.typeName, 'kapi.v1.ObjectReply');
  });
});

describe('status codec', () => {
  const full: Status = {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: 'Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1',
    reason: 'Invalid',
    details: {
      name: 'web',
      group: 'apps',
      kind: 'Deployment',
      uid: 'uid-7',
      causes: [{ reason: 'FieldValueInvalid', message: 'Invalid value: -1', field: 'spec.replicas' }, { message: 'only a message' }],
      retryAfterSeconds: 5,
    },
    code: 422,
  };

  it('round-trips a StatusError with every detail through the wire', () => {
    const wire = statusCodec.encode(statusToMessage(full));
    const back = statusErrorFromMessage(statusCodec.decode(wire));
    assert.ok(back instanceof StatusError);
    assert.deepEqual(back.status, full);
    assert.equal(back.code, 422);
    assert.equal(back.reason, 'Invalid');
    assert.equal(back.message, full.message);
  });

  it('leaves out what Go would omit and keeps a minimal Status minimal', () => {
    const minimal: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'NotFound', code: 404 };
    assert.deepEqual(statusFromMessage(statusCodec.decode(statusCodec.encode(statusToMessage(minimal)))), minimal);
    assert.equal(statusFromMessage({ status: '', message: '', reason: '', code: 200 }).status, 'Success');
  });

  it('maps any other thrown value to InternalError', () => {
    const m = errorToStatusMessage(new TypeError('boom'));
    assert.equal(m.code, 500);
    assert.equal(m.reason, 'InternalError');
    assert.match(m.message, /Internal error occurred: boom/);
    assert.equal(errorToStatusMessage('plain string').code, 500);
    assert.equal(errorToStatusMessage(new StatusError(full)).code, 422);
  });
});

describe('reply envelope', () => {
  const codec = protoCodec<ObjectReply>('kapi.v1.ObjectReply');

  it('carries a payload', () => {
    const reply: ObjectReply = { object: bytes('{"x":1}'), warnings: ['w'], code: 202, auditAnnotations: {} };
    assert.deepEqual(decodeReply(codec, encodeReply(codec, reply)), reply);
  });

  it('carries an empty payload (a message whose encoding is zero bytes)', () => {
    const health = protoCodec<HealthRequest>('kapi.v1.HealthRequest');
    assert.deepEqual(decodeReply(health, encodeReply(health, {})), {});
  });

  it('carries a payload of a codec that is not a ProtoCodec', () => {
    const raw = { typeName: 'raw', encode: (s: string) => bytes(s), decode: (d: Uint8Array) => Buffer.from(d).toString() };
    assert.equal(decodeReply(raw, encodeReply(raw, 'hi there')), 'hi there');
  });

  it('throws the StatusError an error envelope carries', () => {
    const err = new StatusError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'Conflict', message: 'stale', code: 409 });
    assert.throws(() => decodeReply(codec, encodeErrorReply(err)), (e: unknown) => e instanceof StatusError && e.code === 409 && e.message === 'stale');
  });

  it('turns malformed envelopes and payloads into InternalError', () => {
    const internal = (e: unknown): boolean => e instanceof StatusError && e.code === 500 && e.reason === 'InternalError';
    assert.throws(() => decodeReply(codec, new Uint8Array([0xff, 0xff, 0xff])), internal);
    assert.throws(() => decodeReply(codec, new Uint8Array(0)), internal);
    assert.throws(() => decodeReply(codec, new Uint8Array([0x0a, 0x03, 0x0a, 0x50, 0x01])), internal);
  });
});
