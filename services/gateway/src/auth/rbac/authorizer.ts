// The RBAC authorizer and rule resolver (plugin/pkg/auth/authorizer/rbac): the rules a user has
// are those of every role bound to one of its subjects — ClusterRoleBindings everywhere, then the
// RoleBindings of the request's namespace. Allow as soon as one rule grants the request; else no
// opinion (the next authorizer decides; the end of the chain denies), with the errors met on the
// way (roles that do not exist) as the reason.

import type { UserInfo } from '@kapi/apimachinery';
import type { AuthorizationAttributes, AuthorizationResult, Authorizer, ResolvedRules } from '../authorizer.js';
import { describeSubject, ruleAllows, subjectMatches } from './rules.js';
import type { PolicyRule, RBACSource, RoleBinding } from './types.js';

/** What a visit is told: the rule, where it came from, or an error meeting a binding. */
type RuleVisitor = (source: string | undefined, rule: PolicyRule | undefined, err: string | undefined) => boolean;

/** kube's aggregate error text: one error as is, more in brackets. */
function aggregate(errors: readonly string[]): string {
  return errors.length === 1 ? errors[0]! : `[${errors.join(', ')}]`;
}

export class RBACAuthorizer implements Authorizer {
  constructor(private readonly source: RBACSource) {}

  /** The rules of the role a binding refers to, or the lister's NotFound text. */
  private roleRules(binding: RoleBinding, bindingNamespace: string): { rules: PolicyRule[] } | { error: string } {
    const ref = binding.roleRef;
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

  /** VisitRulesFor: every rule the user has in `namespace` ('' = cluster scope only), until the
   * visitor returns false. */
  visitRulesFor(user: UserInfo, namespace: string, visit: RuleVisitor): void {
    const groups = user.groups ?? [];
    const visitBinding = (binding: RoleBinding, bindingNamespace: string, kind: string): boolean => {
      const subject = (binding.subjects ?? []).find((s) => subjectMatches(s, user.username, groups, bindingNamespace));
      if (!subject) return true;
      const resolved = this.roleRules(binding, bindingNamespace);
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

  async authorize(a: AuthorizationAttributes): Promise<AuthorizationResult> {
    let allowedBy: string | undefined;
    const errors: string[] = [];
    this.visitRulesFor(a.user, a.namespace ?? '', (source, rule, err) => {
      if (err !== undefined) {
        errors.push(err);
        return true;
      }
      if (rule && ruleAllows(a, rule)) {
        allowedBy = source;
        return false;
      }
      return true;
    });
    if (allowedBy !== undefined) return { decision: 'allow', reason: `RBAC: allowed by ${allowedBy}` };
    return { decision: 'no-opinion', reason: errors.length > 0 ? `RBAC: ${aggregate(errors)}` : '' };
  }

  rulesFor(user: UserInfo, namespace: string): ResolvedRules {
    const out: ResolvedRules = { resourceRules: [], nonResourceRules: [], incomplete: false, errors: [] };
    this.visitRulesFor(user, namespace, (_source, rule, err) => {
      if (err !== undefined) {
        out.errors.push(err);
        out.incomplete = true;
        return true;
      }
      if (!rule) return true;
      if ((rule.resources ?? []).length > 0) {
        out.resourceRules.push({ verbs: rule.verbs ?? [], apiGroups: rule.apiGroups ?? [], resources: rule.resources ?? [], resourceNames: rule.resourceNames ?? [] });
      }
      if ((rule.nonResourceURLs ?? []).length > 0) out.nonResourceRules.push({ verbs: rule.verbs ?? [], nonResourceURLs: rule.nonResourceURLs ?? [] });
      return true;
    });
    return out;
  }
}
