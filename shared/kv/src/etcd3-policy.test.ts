import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  GRPCCancelledError,
  GRPCDeadlineExceededError,
  GRPCInternalError,
  GRPCUnavailableError,
  GRPCUnknownError,
  castGrpcError,
} from 'etcd3';
import { MemberSkippedError, isSafeWriteRetry, isTransportFailure, isUnsentFailure, writeNotApplied } from './etcd3-policy.js';

/** An error as grpc-js hands it to a unary callback, cast as the etcd3 package does. */
function grpcError(code: number, name: string, details: string): Error {
  return castGrpcError(Object.assign(new Error(`${code} ${name}: ${details}`), { code, details }));
}

describe('etcd3 retry rules', () => {
  const refused = grpcError(14, 'UNAVAILABLE', 'No connection established. Last error: connect ECONNREFUSED 127.0.0.1:2379');

  it('retries writes only when they provably never reached a member', () => {
    const unsent = [
      refused,
      grpcError(14, 'UNAVAILABLE', 'No connection established'),
      grpcError(14, 'UNAVAILABLE', 'Name resolution failed for target dns:etcd-0:2379'),
      grpcError(14, 'UNAVAILABLE', 'Channel closed before call started'),
      grpcError(14, 'UNAVAILABLE', 'Stream refused by server'),
      new MemberSkippedError(),
    ];
    for (const err of unsent) {
      assert.ok(err instanceof MemberSkippedError || err instanceof GRPCUnavailableError, err.message);
      assert.equal(isUnsentFailure(err), true, err.message);
      assert.equal(writeNotApplied(err), true, err.message);
      assert.equal(isSafeWriteRetry(err), true, err.message);
    }
    // The request may have reached etcd: its outcome is unknown.
    const maybeApplied = [
      grpcError(14, 'UNAVAILABLE', 'Connection dropped'),
      grpcError(14, 'UNAVAILABLE', 'read ECONNRESET'),
      grpcError(14, 'UNAVAILABLE', 'Write error: write EPIPE'),
      grpcError(14, 'UNAVAILABLE', 'etcdserver: server stopped'),
      grpcError(14, 'UNAVAILABLE', 'etcdserver: request timed out'),
      grpcError(13, 'INTERNAL', 'Received RST_STREAM with code 2 (Internal server error)'),
      grpcError(1, 'CANCELLED', 'Call cancelled'),
      grpcError(2, 'UNKNOWN', 'raft proposal dropped'),
      grpcError(4, 'DEADLINE_EXCEEDED', 'Deadline exceeded after 10.001s,remote_addr=127.0.0.1:2379'),
    ];
    for (const err of maybeApplied) {
      assert.ok(
        [GRPCUnavailableError, GRPCInternalError, GRPCCancelledError, GRPCUnknownError, GRPCDeadlineExceededError].some((c) => err instanceof c),
        err.message,
      );
      assert.equal(isUnsentFailure(err), false, err.message);
      assert.equal(writeNotApplied(err), false, err.message);
      assert.equal(isSafeWriteRetry(err), false, err.message);
    }
  });

  it('knows the rejections etcd makes before proposing a write', () => {
    const noLeader = grpcError(14, 'UNAVAILABLE', 'etcdserver: no leader');
    assert.equal(writeNotApplied(noLeader), true);
    assert.equal(isSafeWriteRetry(noLeader), true, 'another member may have a leader');
    const busy = grpcError(14, 'UNAVAILABLE', 'etcdserver: too many requests');
    assert.equal(writeNotApplied(busy), true);
    assert.equal(isSafeWriteRetry(busy), false, 'not a transport failure: no retry');
  });

  it('keeps retrying reads after any transport failure', () => {
    assert.equal(isTransportFailure(refused), true);
    assert.equal(isTransportFailure(grpcError(14, 'UNAVAILABLE', 'Connection dropped')), true);
    assert.equal(isTransportFailure(grpcError(14, 'UNAVAILABLE', 'etcdserver: no leader')), true);
    assert.equal(isTransportFailure(grpcError(14, 'UNAVAILABLE', 'etcdserver: request timed out')), false);
    assert.equal(isTransportFailure(grpcError(4, 'DEADLINE_EXCEEDED', 'Deadline exceeded')), false);
  });
});
