// The RBAC rule resolver (k8s.io/kubernetes/pkg/registry/rbac/validation DefaultRuleResolver and
// the RBAC authorizer's visitor): the rules a user has are those of every role bound to one of its
// subjects — ClusterRoleBindings everywhere, then the RoleBindings of the namespace. Used by the
// gateway's authorizer (objects from its informers) and by storage's escalation check (objects
// read from the KV).

import type { UserInfo } from '../types.js';
import { describeSubject, ruleAllows, subjectMatches, type RBACRequest } from './rules.js';
import type { PolicyRule, RBACSource, RoleBinding, RoleRef } from './types.js';

/** Told each rule with where it came from, or an error met resolving a binding; false stops. */
export type RuleVisitor = (source: string | undefined, rule: PolicyRule | undefined, err: string | undefined) => boolean;

export interface RBACDecision {
  allowed: boolean;
  /** "allowed by ..." when allowed. */
  allowedBy?: string;
  /** Bindings whose roles could not be found. */
  errors: string[];
}

/** kube's aggregate error text: one error as is, more in brackets. */
export function aggregateErrors(errors: readonly string[]): string {
  return errors.length === 1 ? errors[0]! : `[${errors.join(', ')}]`;
}

export class RuleResolver {
  constructor(private readonly source: RBACSource) {}

  /** GetRoleReferenceRules: the rules of the role a binding refers to, or the lister's NotFound. */
  roleReferenceRules(ref: RoleRef, bindingNamespace: string): { rules: PolicyRule[] } | { error: string } {
    if (ref.kind === 'ClusterRole') {
      const role = this.source.getClusterRole(ref.name);
      return role ? { rules: role.rules ?? [] } : { error: `clusterrole.rbac.authorization.k8s.io ${JSON.stringify(ref.name)} not found` };
    }
    if (ref.kind === 'Role' && bindingNamespace !== '') {
      const role = this.source.getRole(bindingNamespace, ref.name);
      return role ? { rules: role.rules ?? [] } : { error: `role.rbac.authorization.k8s.io ${JSON.stringify(ref.name)} not found` };
    }
    return { error: `unsupported role reference kind: ${JSON.stringify(ref.kind)}` };
  }

  /** VisitRulesFor: every rule the user has in `namespace` ('' = cluster scope only). */
  visitRulesFor(user: UserInfo, namespace: string, visit: RuleVisitor): void {
    const groups = user.groups ?? [];
    const visitBinding = (binding: RoleBinding, bindingNamespace: string, kind: string): boolean => {
      const subject = (binding.subjects ?? []).find((s) => subjectMatches(s, user.username, groups, bindingNamespace));
      if (!subject) return true;
      const resolved = this.roleReferenceRules(binding.roleRef, bindingNamespace);
      if ('error' in resolved) return visit(undefined, undefined, resolved.error);
      const name = kind === 'RoleBinding' ? `${binding.metadata?.name ?? ''}/${bindingNamespace}` : (binding.metadata?.name ?? '');
      const where = `${kind} ${JSON.stringify(name)} of ${binding.roleRef.kind} ${JSON.stringify(binding.roleRef.name)} to ${describeSubject(subject, bindingNamespace)}`;
      for (const rule of resolved.rules) if (!visit(where, rule, undefined)) return false;
      return true;
    };
    for (const b of this.source.listClusterRoleBindings()) if (!visitBinding(b, '', 'ClusterRoleBinding')) return;
    if (namespace === '') return;
    for (const b of this.source.listRoleBindings(namespace)) if (!visitBinding(b, namespace, 'RoleBinding')) return;
  }

  /** Whether some rule of the user grants the request. */
  decide(a: RBACRequest): RBACDecision {
    const out: RBACDecision = { allowed: false, errors: [] };
    this.visitRulesFor(a.user, a.namespace ?? '', (source, rule, err) => {
      if (err !== undefined) {
        out.errors.push(err);
        return true;
      }
      if (rule && ruleAllows(a, rule)) {
        out.allowed = true;
        out.allowedBy = source;
        return false;
      }
      return true;
    });
    return out;
  }

  /** RulesFor: every rule of the user in a namespace, and the errors met. */
  rulesFor(user: UserInfo, namespace: string): { rules: PolicyRule[]; errors: string[] } {
    const rules: PolicyRule[] = [];
    const errors: string[] = [];
    this.visitRulesFor(user, namespace, (_source, rule, err) => {
      if (err !== undefined) errors.push(err);
      else if (rule) rules.push(rule);
      return true;
    });
    return { rules, errors };
  }
}

/** Fixed objects (tests; storage's per-request snapshot). */
export function staticRBACSource(objects: {
  roles?: readonly import('./types.js').Role[];
  roleBindings?: readonly RoleBinding[];
  clusterRoles?: readonly import('./types.js').ClusterRole[];
  clusterRoleBindings?: readonly RoleBinding[];
}): RBACSource {
  return {
    getRole: (ns, name) => objects.roles?.find((r) => r.metadata?.namespace === ns && r.metadata?.name === name),
    getClusterRole: (name) => objects.clusterRoles?.find((r) => r.metadata?.name === name),
    listRoleBindings: (ns) => (objects.roleBindings ?? []).filter((b) => b.metadata?.namespace === ns),
    listClusterRoleBindings: () => [...(objects.clusterRoleBindings ?? [])],
  };
}
