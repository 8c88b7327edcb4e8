// Maps errors from the etcd3 client (gRPC status + etcd's message text) to KVError.
//
// The etcd3 package turns gRPC errors into typed classes but keeps only the message, so etcd's
// own conditions are recognised by the server's message text (stable across etcd 3.x:
// rpctypes in etcd's api/v3rpc).

import {
  ClientClosedError,
  GRPCCancelledError,
  GRPCDeadlineExceededError,
  GRPCResourceExhastedError,
  GRPCUnavailableError,
  isRecoverableError,
} from 'etcd3';
import { KVError } from './kv.js';

/** The KVError for `err`, or undefined when it is none of the store conditions (a bug, bad
 * input): callers rethrow those unchanged. */
export function mapEtcdError(err: unknown): KVError | undefined {
  if (err instanceof KVError) return err;
  if (!(err instanceof Error)) return undefined;
  const msg = err.message;
  if (msg.includes('required revision has been compacted')) return new KVError('Compacted', msg);
  if (msg.includes('required revision is a future revision')) return new KVError('FutureRevision', msg);
  if (msg.includes('request is too large') || (err instanceof GRPCResourceExhastedError && msg.includes('larger than max'))) {
    return new KVError('TooLarge', msg);
  }
  if (err instanceof ClientClosedError) return new KVError('Closed', msg);
  // The outcome of a request that timed out is unknown (it may still be applied).
  if (err instanceof GRPCDeadlineExceededError || msg.includes('request timed out')) return new KVError('Timeout', msg);
  if (
    err instanceof GRPCUnavailableError ||
    err instanceof GRPCCancelledError ||
    'isBrokenCircuitError' in err ||
    msg.includes('no leader') ||
    msg.includes('leader changed') ||
    msg.includes('not capable') ||
    msg.includes('too many requests')
  ) {
    return new KVError('Unavailable', msg);
  }
  // Other transport failures (internal, unknown, aborted) mean this member is unusable now.
  if (isRecoverableError(err)) return new KVError('Unavailable', msg);
  return undefined;
}

/** mapEtcdError, falling back to the original error. */
export function toKVError(err: unknown): unknown {
  return mapEtcdError(err) ?? err;
}

/** etcd answers RequestProgress correctly (after the events it covers) from 3.4.31 and 3.5.13
 * (etcd issues 15220 and 17507); kube-apiserver gates consistent reads on the same versions. */
export function versionSupportsRequestProgress(version: string): boolean {
  const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(version);
  if (!m) return false;
  const [major, minor, patch] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (major !== 3) return major > 3;
  if (minor < 4) return false;
  if (minor === 4) return patch >= 31;
  if (minor === 5) return patch >= 13;
  return true;
}
