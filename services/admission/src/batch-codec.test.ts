import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AdmissionRequest } from '@kapi/bus';
import { type ReviewResult, decodeRequests, decodeResults, encodeRequests, encodeResults } from './batch-codec.js';

const enc = new TextEncoder();

function req(name: string, object: string, oldObject = ''): AdmissionRequest {
  return {
    operation: 'UPDATE',
    ref: { group: 'apps', version: 'v1', resource: 'deployments', namespace: 'ns', name, subresource: 'status' },
    kind: { group: 'apps', version: 'v1', kind: 'Deployment' },
    object: enc.encode(object),
    oldObject: enc.encode(oldObject),
    dryRun: true,
    fieldValidation: 'Warn',
    user: { username: 'ü', uid: 'u1', groups: ['a', 'b'], extra: { scopes: { values: ['x'] } } },
  };
}

describe('batch codec', () => {
  it('round-trips requests, byte fields included, into one buffer', () => {
    const big = new Uint8Array(4096).fill(7);
    // A view into a larger buffer: only its own bytes may travel.
    const view = big.subarray(10, 20);
    const reqs = [req('a', '{"x":"é"}', '{"old":1}'), req('b', ''), { ...req('c', ''), object: view, user: undefined }];
    const packed = encodeRequests(reqs);
    assert.ok(packed.byteLength < 2048, `packed ${packed.byteLength} bytes`);
    const back = decodeRequests(packed);
    assert.equal(back.length, 3);
    assert.deepEqual({ ...back[0], object: [...back[0]!.object], oldObject: [...back[0]!.oldObject] }, {
      ...reqs[0],
      object: [...reqs[0]!.object],
      oldObject: [...reqs[0]!.oldObject],
    });
    assert.equal(back[1]!.object.length, 0);
    assert.deepEqual([...back[2]!.object], [...view]);
    assert.equal(back[2]!.user, undefined);
  });

  it('round-trips results: objects, unchanged markers and Statuses', () => {
    const results: ReviewResult[] = [
      { ok: true, object: enc.encode('{"a":1}'), warnings: ['w1'] },
      { ok: true, warnings: [] },
      { ok: false, status: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'no', reason: 'Invalid', code: 422 } },
      { ok: true, object: new Uint8Array(), warnings: [] },
    ];
    const back = decodeResults(encodeResults(results));
    assert.deepEqual(back.map((r) => (r.ok && r.object ? { ...r, object: new TextDecoder().decode(r.object) } : r)), [
      { ok: true, object: '{"a":1}', warnings: ['w1'] },
      { ok: true, warnings: [] },
      results[2],
      { ok: true, object: '', warnings: [] },
    ]);
  });

  it('rejects buffers that are not batches', () => {
    assert.throws(() => decodeRequests(new Uint8Array([1, 2])), /truncated buffer/);
    assert.throws(() => decodeRequests(new Uint8Array([255, 0, 0, 0, 1])), /truncated header/);
    const lying = encodeResults([{ ok: true, object: enc.encode('abc'), warnings: [] }]);
    assert.throws(() => decodeResults(lying.subarray(0, lying.length - 1)), /bad length/);
  });
});
