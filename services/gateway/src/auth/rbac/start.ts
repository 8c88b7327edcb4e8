// RBAC in a gateway: informers for the four RBAC resources feeding the authorizer. Until the
// first complete copy is in place, a request waits for it (bounded): authorizing against half a
// policy would deny what is allowed.

import type { Informer } from '../../informer.js';
import { Informer as GatewayInformer } from '../../informer.js';
import type { WatchFeeds } from '../../watch/feed.js';
import type { AuthorizationResult, Authorizer } from '../authorizer.js';
import { RBACAuthorizer } from './authorizer.js';
import { InformerRBACSource } from './source.js';
import type { ClusterRole, Role, RoleBinding } from '@kapi/apimachinery';

const RBAC_GROUP = 'rbac.authorization.k8s.io';

export interface RunningRBAC {
  authorizer: Authorizer;
  /** Resolves when every informer has its first copy. */
  synced: Promise<void>;
  close(): void;
}

export function startRBAC(feeds: WatchFeeds, opts: { syncWaitMs?: number } = {}): RunningRBAC {
  let source: InformerRBACSource | undefined;
  const onChange = () => source?.invalidate();
  const informer = <T extends Role | RoleBinding>(resource: string) => new GatewayInformer<T>(feeds, RBAC_GROUP, 'v1', resource, { onChange });
  const informers = {
    roles: informer<Role>('roles'),
    roleBindings: informer<RoleBinding>('rolebindings'),
    clusterRoles: informer<ClusterRole>('clusterroles'),
    clusterRoleBindings: informer<RoleBinding>('clusterrolebindings'),
  };
  source = new InformerRBACSource(informers);
  const all: Informer[] = Object.values(informers) as Informer[];
  for (const i of all) i.start();
  const synced = Promise.all(all.map((i) => i.synced)).then(() => undefined);
  const rbac = new RBACAuthorizer(source);
  const syncWaitMs = opts.syncWaitMs ?? 10_000;
  const waitSynced = async (): Promise<boolean> => {
    if (all.every((i) => i.hasSynced)) return true;
    let timer: NodeJS.Timeout | undefined;
    const ok = await Promise.race([synced.then(() => true), new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), syncWaitMs)))]);
    clearTimeout(timer);
    return ok;
  };
  const notSynced: AuthorizationResult = { decision: 'no-opinion', reason: '', error: 'RBAC: the role and binding caches are not synced yet' };
  return {
    synced,
    authorizer: {
      async authorize(a) {
        return (await waitSynced()) ? rbac.authorize(a) : notSynced;
      },
      async rulesFor(user, namespace) {
        if (!(await waitSynced())) return { resourceRules: [], nonResourceRules: [], incomplete: true, errors: [notSynced.error!] };
        return rbac.rulesFor(user, namespace);
      },
    },
    close() {
      for (const i of all) i.close();
    },
  };
}
