// RBAC upkeep kube-apiserver and kube-controller-manager do:
//  - ensureBootstrapPolicy (the rbac/bootstrap-roles post-start hook): creates the bootstrap
//    cluster roles and bindings that are missing; for those still annotated autoupdate=true,
//    adds the rules and subjects the policy has and they lack (never removes what users added);
//  - clusterRoleAggregation (kube-controller-manager's clusterrole-aggregation controller): a
//    ClusterRole with an aggregationRule gets the rules of every other ClusterRole its selectors
//    match, in name order, without duplicates.

import { isStatusError, selectorFromLabelSelector, type KubeObject, type LabelSelector } from '@kapi/apimachinery';
import type { ApiClient, ResourceAddress } from './api-client.js';
import { ensureObject } from './ensure-object.js';
import { AUTOUPDATE_ANNOTATION, bootstrapClusterRoleBindings, bootstrapClusterRoles } from './bootstrap-policy.js';

const CLUSTER_ROLES: ResourceAddress = { group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'clusterroles' };
const CLUSTER_ROLE_BINDINGS: ResourceAddress = { group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'clusterrolebindings' };

type Obj = KubeObject & Record<string, unknown>;

const keyOf = (v: unknown): string => JSON.stringify(v);

/** `current` plus the entries of `wanted` it lacks (compared as JSON). */
function union(current: unknown[], wanted: unknown[]): unknown[] {
  const have = new Set(current.map(keyOf));
  return [...current, ...wanted.filter((w) => !have.has(keyOf(w)))];
}

function reconcile(client: ApiClient, address: ResourceAddress, wanted: Obj, field: 'rules' | 'subjects'): Promise<void> {
  return ensureObject(client, address, wanted, (current) => {
    if (current.metadata?.annotations?.[AUTOUPDATE_ANNOTATION] !== 'true') return undefined;
    // Aggregated roles get their rules from the aggregation controller.
    if (field === 'rules' && current.aggregationRule) return undefined;
    const have = (current[field] as unknown[] | undefined) ?? [];
    const merged = union(have, (wanted[field] as unknown[] | undefined) ?? []);
    return merged.length === have.length ? undefined : { ...current, [field]: merged };
  });
}

export async function ensureBootstrapPolicy(client: ApiClient): Promise<void> {
  for (const role of bootstrapClusterRoles()) await reconcile(client, CLUSTER_ROLES, role as Obj, 'rules');
  for (const binding of bootstrapClusterRoleBindings()) await reconcile(client, CLUSTER_ROLE_BINDINGS, binding as Obj, 'subjects');
}

/** The rules an aggregated role should have, from the roles its selectors match. */
export function aggregatedRules(role: Obj, all: readonly Obj[]): unknown[] {
  const selectors = (((role.aggregationRule as { clusterRoleSelectors?: LabelSelector[] } | undefined)?.clusterRoleSelectors) ?? []).map((s) => selectorFromLabelSelector(s));
  const sources = all
    .filter((r) => r.metadata?.name !== role.metadata?.name)
    .filter((r) => selectors.some((s) => !s.empty() && s.matches(r.metadata?.labels ?? {})))
    .sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
  let rules: unknown[] = [];
  for (const src of sources) rules = union(rules, (src.rules as unknown[] | undefined) ?? []);
  return rules;
}

/** One pass of the aggregation controller. Roles aggregating aggregated roles converge over
 * passes (as kube's controller does through its queue). */
export async function reconcileClusterRoleAggregation(client: ApiClient): Promise<void> {
  const roles = (await client.list(CLUSTER_ROLES)).items as Obj[];
  for (const role of roles) {
    if (!role.aggregationRule) continue;
    const rules = aggregatedRules(role, roles);
    if (keyOf(rules) === keyOf(role.rules ?? [])) continue;
    try {
      await client.update({ ...CLUSTER_ROLES, name: role.metadata?.name }, { ...role, rules });
    } catch (err) {
      // changed meanwhile: the next pass sees the new version
      if (!(isStatusError(err) && err.code === 409)) throw err;
    }
  }
}
