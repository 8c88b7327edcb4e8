// The RBAC authorizer (plugin/pkg/auth/authorizer/rbac) over the shared rule resolver: allow as
// soon as one of the user's rules grants the request; else no opinion (the next authorizer
// decides; the end of the chain denies), with the errors met on the way (roles that do not
// exist) as the reason.

import { aggregateErrors, RuleResolver, type RBACSource, type UserInfo } from '@kapi/apimachinery';
import type { AuthorizationAttributes, AuthorizationResult, Authorizer, ResolvedRules } from '../authorizer.js';

export class RBACAuthorizer implements Authorizer {
  private readonly resolver: RuleResolver;

  constructor(source: RBACSource) {
    this.resolver = new RuleResolver(source);
  }

  async authorize(a: AuthorizationAttributes): Promise<AuthorizationResult> {
    const d = this.resolver.decide(a);
    if (d.allowed) return { decision: 'allow', reason: `RBAC: allowed by ${d.allowedBy}` };
    return { decision: 'no-opinion', reason: d.errors.length > 0 ? `RBAC: ${aggregateErrors(d.errors)}` : '' };
  }

  rulesFor(user: UserInfo, namespace: string): ResolvedRules {
    const { rules, errors } = this.resolver.rulesFor(user, namespace);
    const out: ResolvedRules = { resourceRules: [], nonResourceRules: [], incomplete: errors.length > 0, errors };
    for (const rule of rules) {
      if ((rule.resources ?? []).length > 0) {
        out.resourceRules.push({ verbs: rule.verbs ?? [], apiGroups: rule.apiGroups ?? [], resources: rule.resources ?? [], resourceNames: rule.resourceNames ?? [] });
      }
      if ((rule.nonResourceURLs ?? []).length > 0) out.nonResourceRules.push({ verbs: rule.verbs ?? [], nonResourceURLs: rule.nonResourceURLs ?? [] });
    }
    return out;
  }
}
