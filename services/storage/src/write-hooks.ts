// Per-resource hooks around the generic store's writes: what kube-apiserver's REST storages add
// around genericregistry.Store with BeginCreate / BeginUpdate / AfterDelete (the Service REST
// allocates cluster IPs and node ports there). The registry calls them, never knowing the type.

import type { KubeObject, UserInfo } from '@kapi/apimachinery';
import type { ResourceInfo } from '@kapi/schema';

/** What a begin hook reserved: committed once the object is written, reverted when the write
 * fails (kube's FinishFunc with success true / false). Neither ever throws. */
export interface WriteTransaction {
  commit(): Promise<void>;
  revert(): Promise<void>;
}

export const NO_TRANSACTION: WriteTransaction = { commit: async () => undefined, revert: async () => undefined };

export interface ResourceWriteHooks {
  /** Before a create is admitted (POST, or a PUT / apply that creates): may change the object
   * (allocate values) or reject it with a StatusError. Runs once per attempt to write. `user`
   * is who asked (absent for internal writes). */
  beginCreate?(object: KubeObject, dryRun: boolean, user: UserInfo | undefined): Promise<WriteTransaction>;
  /** Before an update of the main resource is admitted (old is the stored object). */
  beginUpdate?(object: KubeObject, old: KubeObject, dryRun: boolean, user: UserInfo | undefined): Promise<WriteTransaction>;
  /** After the object was removed from storage (not for dry runs). Never throws. */
  afterDelete?(object: KubeObject): Promise<void>;
}

/** The hooks of a resource, if it has any. */
export type WriteHooksLookup = (info: ResourceInfo) => ResourceWriteHooks | undefined;

/** The first lookup's hooks for a resource, else the next one's (each resource has one owner). */
export function composeWriteHooks(...lookups: WriteHooksLookup[]): WriteHooksLookup {
  return (info) => {
    for (const lookup of lookups) {
      const hooks = lookup(info);
      if (hooks) return hooks;
    }
    return undefined;
  };
}

/** Runs `write` inside a begun transaction: committed when it resolves, reverted when it throws. */
export async function withTransaction<T>(txn: WriteTransaction, write: () => Promise<T>): Promise<T> {
  let result: T;
  try {
    result = await write();
  } catch (err) {
    await txn.revert();
    throw err;
  }
  await txn.commit();
  return result;
}
