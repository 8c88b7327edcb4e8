// Escalation prevention for RBAC writes (pkg/registry/rbac/{role,clusterrole,rolebinding,
// clusterrolebinding}/policybased): a role may be created or changed only by a user who holds
// every rule it grants or may `escalate` roles; a binding only by one who holds every rule of the
// role it refers to or may `bind` that role. Superusers (system:masters) and internal writes
// (no user) are not checked.
//
// The writer's rules are resolved here, from the stored roles and bindings (kube's registry does
// the same with a resolver over its own storage); the escalate/bind permissions are checked
// against RBAC rules too (an authorization webhook's grants are not consulted).

import {
  escalationMessage,
  newForbidden,
  RuleResolver,
  staticRBACSource,
  type ClusterRole,
  type KubeObject,
  type PolicyRule,
  type Role,
  type RoleBinding,
  type RoleRef,
  type UserInfo,
} from '@kapi/apimachinery';
import { prefixEnd } from '@kapi/kv';
import type { Catalogue } from '@kapi/schema';
import { collectionPrefix } from './keys.js';
import type { ObjectStore } from './object-store.js';
import { NO_TRANSACTION, type ResourceWriteHooks, type WriteHooksLookup } from './write-hooks.js';

const RBAC_GROUP = 'rbac.authorization.k8s.io';
const SUPERUSER_GROUP = 'system:masters';
/** Objects read per list at most: a cluster with more RBAC objects than this fails closed. */
const MAX_RBAC_OBJECTS = 50_000;

/** rbacregistry.EscalationAllowed. */
function escalationAllowed(user: UserInfo | undefined): boolean {
  return !user || (user.groups ?? []).includes(SUPERUSER_GROUP);
}

export function rbacEscalationHooks(deps: { store: ObjectStore; catalogue: Catalogue }): WriteHooksLookup {
  const list = async <T extends KubeObject>(resource: string, namespace: string): Promise<T[]> => {
    const info = deps.catalogue.lookup(RBAC_GROUP, 'v1', resource);
    if (!info) return [];
    const prefix = collectionPrefix(info, namespace);
    const { objects, more } = await deps.store.range(prefix, { end: prefixEnd(prefix), limit: MAX_RBAC_OBJECTS });
    if (more) throw new Error(`more than ${MAX_RBAC_OBJECTS} ${resource} to check RBAC escalation against`);
    return objects.map((o) => o.object as T);
  };

  /** A resolver over the stored objects a decision in `namespace` needs. */
  const resolverFor = async (namespace: string): Promise<RuleResolver> => {
    const [clusterRoles, clusterRoleBindings, roles, roleBindings] = await Promise.all([
      list<ClusterRole>('clusterroles', ''),
      list<RoleBinding>('clusterrolebindings', ''),
      namespace === '' ? Promise.resolve([]) : list<Role>('roles', namespace),
      namespace === '' ? Promise.resolve([]) : list<RoleBinding>('rolebindings', namespace),
    ]);
    return new RuleResolver(staticRBACSource({ clusterRoles, clusterRoleBindings, roles, roleBindings }));
  };

  /** ConfirmNoEscalation: 403 unless the user's rules in `namespace` cover `rules`. */
  const confirmNoEscalation = (resolver: RuleResolver, user: UserInfo, namespace: string, rules: PolicyRule[], resource: string, name: string): void => {
    const owned = resolver.rulesFor(user, namespace);
    const message = escalationMessage(user, owned.rules, rules, owned.errors);
    if (message) throw newForbidden({ group: RBAC_GROUP, resource }, name, message);
  };

  const roleHooks = (resource: 'roles' | 'clusterroles'): ResourceWriteHooks => {
    const check = async (object: KubeObject, user: UserInfo | undefined): Promise<void> => {
      if (escalationAllowed(user)) return;
      const namespace = object.metadata?.namespace ?? '';
      const name = object.metadata?.name ?? '';
      const resolver = await resolverFor(namespace);
      // RoleEscalationAuthorized: the escalate verb on this role
      if (resolver.decide({ user: user!, verb: 'escalate', resourceRequest: true, apiGroup: RBAC_GROUP, resource, namespace, name }).allowed) return;
      confirmNoEscalation(resolver, user!, namespace, ((object as Role).rules ?? []) as PolicyRule[], resource, name);
    };
    return {
      async beginCreate(object, _dryRun, user) {
        await check(object, user);
        return NO_TRANSACTION;
      },
      async beginUpdate(object, old, _dryRun, user) {
        // Changes that leave the rules as they are (labels, finalizers) need no check.
        if (JSON.stringify((object as Role).rules ?? []) !== JSON.stringify((old as Role).rules ?? [])) await check(object, user);
        return NO_TRANSACTION;
      },
    };
  };

  const bindingHooks = (resource: 'rolebindings' | 'clusterrolebindings'): ResourceWriteHooks => {
    const check = async (object: KubeObject, user: UserInfo | undefined): Promise<void> => {
      if (escalationAllowed(user)) return;
      const namespace = object.metadata?.namespace ?? '';
      const ref = (object as RoleBinding).roleRef as RoleRef | undefined;
      if (!ref) return; // validation rejects it
      const resolver = await resolverFor(namespace);
      // BindingAuthorized: the bind verb on the referenced role
      const roleResource = ref.kind === 'ClusterRole' ? 'clusterroles' : 'roles';
      if (resolver.decide({ user: user!, verb: 'bind', resourceRequest: true, apiGroup: RBAC_GROUP, resource: roleResource, namespace, name: ref.name }).allowed) return;
      const referenced = resolver.roleReferenceRules(ref, namespace);
      if ('error' in referenced) throw newForbidden({ group: RBAC_GROUP, resource }, object.metadata?.name ?? '', referenced.error);
      confirmNoEscalation(resolver, user!, namespace, referenced.rules, resource, object.metadata?.name ?? '');
    };
    return {
      async beginCreate(object, _dryRun, user) {
        await check(object, user);
        return NO_TRANSACTION;
      },
      async beginUpdate(object, old, _dryRun, user) {
        const changed = JSON.stringify([(object as RoleBinding).roleRef, (object as RoleBinding).subjects]) !== JSON.stringify([(old as RoleBinding).roleRef, (old as RoleBinding).subjects]);
        if (changed) await check(object, user);
        return NO_TRANSACTION;
      },
    };
  };

  const hooks: Record<string, ResourceWriteHooks> = {
    roles: roleHooks('roles'),
    clusterroles: roleHooks('clusterroles'),
    rolebindings: bindingHooks('rolebindings'),
    clusterrolebindings: bindingHooks('clusterrolebindings'),
  };
  return (info) => (info.group === RBAC_GROUP ? hooks[info.resource] : undefined);
}
