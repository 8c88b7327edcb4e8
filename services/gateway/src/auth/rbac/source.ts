// The RBAC objects of the cluster as the gateway sees them: four informers (roles, rolebindings,
// clusterroles, clusterrolebindings) with lookup indexes rebuilt lazily after a change.

import type { Informer } from '../../informer.js';
import type { ClusterRole, RBACSource, Role, RoleBinding } from '@kapi/apimachinery';

export interface RBACInformers {
  roles: Informer<Role>;
  roleBindings: Informer<RoleBinding>;
  clusterRoles: Informer<ClusterRole>;
  clusterRoleBindings: Informer<RoleBinding>;
}

export class InformerRBACSource implements RBACSource {
  private bindingsByNamespace: Map<string, RoleBinding[]> | undefined;
  private clusterBindings: RoleBinding[] | undefined;

  constructor(private readonly informers: RBACInformers) {}

  /** Drops the indexes; the informers call it on every change. */
  invalidate(): void {
    this.bindingsByNamespace = undefined;
    this.clusterBindings = undefined;
  }

  getRole(namespace: string, name: string): Role | undefined {
    return this.informers.roles.get(namespace, name);
  }

  getClusterRole(name: string): ClusterRole | undefined {
    return this.informers.clusterRoles.get('', name);
  }

  listRoleBindings(namespace: string): RoleBinding[] {
    if (!this.bindingsByNamespace) {
      const index = new Map<string, RoleBinding[]>();
      for (const b of this.informers.roleBindings.list()) {
        const ns = b.metadata?.namespace ?? '';
        let list = index.get(ns);
        if (!list) index.set(ns, (list = []));
        list.push(b);
      }
      this.bindingsByNamespace = index;
    }
    return this.bindingsByNamespace.get(namespace) ?? [];
  }

  listClusterRoleBindings(): RoleBinding[] {
    this.clusterBindings ??= this.informers.clusterRoleBindings.list();
    return this.clusterBindings;
  }
}
