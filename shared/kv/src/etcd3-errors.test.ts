import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ClientClosedError, GRPCDeadlineExceededError, GRPCInvalidArgumentError, GRPCOutOfRangeError, GRPCUnavailableError } from 'etcd3';
import { mapEtcdError, versionSupportsRequestProgress } from './etcd3-errors.js';
import { MemberSkippedError } from './etcd3-policy.js';

describe('etcd3 error mapping', () => {
  it('maps etcd conditions and transport failures to KVError codes', () => {
    const cases: [Error, string | undefined][] = [
      [new GRPCOutOfRangeError('11 OUT_OF_RANGE: etcdserver: mvcc: required revision has been compacted'), 'Compacted'],
      [new GRPCOutOfRangeError('11 OUT_OF_RANGE: etcdserver: mvcc: required revision is a future revision'), 'FutureRevision'],
      [new GRPCInvalidArgumentError('3 INVALID_ARGUMENT: etcdserver: request is too large'), 'TooLarge'],
      [new GRPCUnavailableError('14 UNAVAILABLE: Connection dropped'), 'Unavailable'],
      [new GRPCUnavailableError('14 UNAVAILABLE: etcdserver: no leader'), 'Unavailable'],
      [new GRPCUnavailableError('14 UNAVAILABLE: etcdserver: request timed out'), 'Timeout'],
      [new GRPCDeadlineExceededError('4 DEADLINE_EXCEEDED: Deadline exceeded'), 'Timeout'],
      [new MemberSkippedError(), 'Unavailable'],
      [new ClientClosedError('KV'), 'Closed'],
      [new GRPCInvalidArgumentError('3 INVALID_ARGUMENT: etcdserver: key is not provided'), undefined],
      [new Error('a bug'), undefined],
    ];
    for (const [err, code] of cases) assert.equal(mapEtcdError(err)?.code, code, err.message);
  });

  it('trusts RequestProgress from 3.4.31 and 3.5.13 on, as kube-apiserver does', () => {
    for (const v of ['3.4.31', '3.4.40', '3.5.13', '3.5.21', '3.6.0', 'v3.6.4']) assert.equal(versionSupportsRequestProgress(v), true, v);
    for (const v of ['3.4.23', '3.4.30', '3.5.0', '3.5.12', '3.3.27', 'garbage']) assert.equal(versionSupportsRequestProgress(v), false, v);
  });
});
