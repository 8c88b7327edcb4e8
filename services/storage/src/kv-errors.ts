// KV failures as the API answers them. kube-apiserver passes most etcd client errors through
// unconverted (a 500 whose message is etcd's text, e.g. "etcdserver: request is too large"), so
// kapi does the same with etcd's wording; a store that cannot be reached is a 503 the client
// may retry.

import { newServiceUnavailable, newUnconvertedError, type StatusError } from '@kapi/apimachinery';
import { KVError } from '@kapi/kv';

export function kvErrorToStatus(err: KVError): StatusError {
  switch (err.code) {
    case 'TooLarge':
      return newUnconvertedError('etcdserver: request is too large');
    case 'Timeout':
      return newUnconvertedError('etcdserver: request timed out');
    case 'Unavailable':
    case 'Closed':
      return newServiceUnavailable(`storage is unavailable: ${err.message}`);
    default:
      return newUnconvertedError(err.message);
  }
}

/** Runs a storage operation, translating KV errors that escape it into Statuses. */
export async function translatingKVErrors<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (err) {
    if (err instanceof KVError) throw kvErrorToStatus(err);
    throw err;
  }
}
