// The Authorizer interface (k8s.io/apiserver/pkg/authorization/authorizer) that RBAC, Node and
// webhook authorization will implement, with kube's two trivial ones and the --authorization-mode
// union (pkg/kubeapiserver/authorizer config.go New): system:masters is always allowed
// (the privileged-groups authorizer kube puts first), then each mode in order; the first
// Allow or Deny decides, and the reasons of the ones without an opinion are joined with "\n".

import { goQuote, type UserInfo } from '@kapi/apimachinery';

export interface AuthorizationAttributes {
  user: UserInfo;
  verb: string;
  /** Resource requests: */
  resourceRequest: boolean;
  apiGroup?: string;
  apiVersion?: string;
  resource?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  /** Non-resource requests: */
  path?: string;
}

export type Decision = 'allow' | 'deny' | 'no-opinion';

export interface AuthorizationResult {
  decision: Decision;
  reason: string;
}

export interface Authorizer {
  authorize(attributes: AuthorizationAttributes): Promise<AuthorizationResult>;
}

export const alwaysAllow: Authorizer = {
  async authorize() {
    return { decision: 'allow', reason: '' };
  },
};

/** authorizerfactory.alwaysDenyAuthorizer: no opinion, with this reason. */
export const alwaysDeny: Authorizer = {
  async authorize() {
    return { decision: 'no-opinion', reason: 'Everything is forbidden.' };
  },
};

export const SYSTEM_PRIVILEGED_GROUP = 'system:masters';

/** authorizerfactory.NewPrivilegedGroups. */
export function privilegedGroups(...groups: string[]): Authorizer {
  return {
    async authorize(a) {
      return (a.user.groups ?? []).some((g) => groups.includes(g)) ? { decision: 'allow', reason: '' } : { decision: 'no-opinion', reason: '' };
    },
  };
}

/** authorizer union.New. */
export function authorizerUnion(authorizers: readonly Authorizer[]): Authorizer {
  return {
    async authorize(a) {
      const reasons: string[] = [];
      for (const z of authorizers) {
        const r = await z.authorize(a);
        if (r.decision !== 'no-opinion') return r;
        if (r.reason !== '') reasons.push(r.reason);
      }
      return { decision: 'no-opinion', reason: reasons.join('\n') };
    },
  };
}

export const AUTHORIZATION_MODES = ['AlwaysAllow', 'AlwaysDeny'] as const;
/** Modes kube has that kapi does not implement yet. */
const PLANNED_MODES = ['ABAC', 'Webhook', 'RBAC', 'Node'];

/** --authorization-mode: a comma-separated list, as kube validates it. */
export function parseAuthorizationModes(value: string): string[] {
  const modes = value.split(',').map((m) => m.trim()).filter((m) => m !== '');
  if (modes.length === 0) throw new Error('at least one authorization-mode must be passed');
  const seen = new Set<string>();
  for (const m of modes) {
    if (!(AUTHORIZATION_MODES as readonly string[]).includes(m)) {
      if (PLANNED_MODES.includes(m)) throw new Error(`authorization-mode ${m} is not implemented by kapi yet`);
      throw new Error(`authorization-mode ${JSON.stringify(m)} is not a valid mode`);
    }
    if (seen.has(m)) throw new Error(`authorization-mode ${JSON.stringify(m)} has mode specified more than once`);
    seen.add(m);
  }
  return modes;
}

export function authorizerForModes(modes: readonly string[]): Authorizer {
  const byMode: Record<string, Authorizer> = { AlwaysAllow: alwaysAllow, AlwaysDeny: alwaysDeny };
  return authorizerUnion([privilegedGroups(SYSTEM_PRIVILEGED_GROUP), ...modes.map((m) => byMode[m]!)]);
}

/** responsewriters forbiddenMessage. */
export function forbiddenMessage(a: AuthorizationAttributes): string {
  const username = a.user.username;
  if (!a.resourceRequest) return `User ${goQuote(username)} cannot ${a.verb} path ${goQuote(a.path ?? "")}`;
  let resource = a.resource ?? '';
  if (a.subresource) resource = `${resource}/${a.subresource}`;
  if (a.namespace) {
    return `User ${goQuote(username)} cannot ${a.verb} resource ${goQuote(resource)} in API group ${goQuote(a.apiGroup ?? "")} in the namespace ${goQuote(a.namespace)}`;
  }
  return `User ${goQuote(username)} cannot ${a.verb} resource ${goQuote(resource)} in API group ${goQuote(a.apiGroup ?? "")} at the cluster scope`;
}
