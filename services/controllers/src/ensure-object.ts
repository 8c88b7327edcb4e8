// Creating an object the API server owns (bootstrap policy, APF configuration) and keeping it in
// step: missing → created (another replica winning the race is fine); present → `update` says
// what it should become (undefined: leave it), written with its resourceVersion (a conflict waits
// for the next start or pass).

import { isStatusError, type KubeObject } from '@kapi/apimachinery';
import type { ApiClient, ResourceAddress } from './api-client.js';

export async function ensureObject<T extends KubeObject>(client: ApiClient, address: ResourceAddress, wanted: T, update: (current: T) => T | undefined): Promise<void> {
  const at = { ...address, name: wanted.metadata?.name };
  let current: T | undefined;
  try {
    current = (await client.get(at)) as T;
  } catch (err) {
    if (!(isStatusError(err) && err.code === 404)) throw err;
  }
  if (!current) {
    try {
      await client.create(address, wanted);
    } catch (err) {
      if (!(isStatusError(err) && err.code === 409)) throw err;
    }
    return;
  }
  const next = update(current);
  if (!next) return;
  try {
    await client.update(at, next);
  } catch (err) {
    if (!(isStatusError(err) && err.code === 409)) throw err;
  }
}
