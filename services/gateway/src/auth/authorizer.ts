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
  /** The authorizer could not decide (a webhook down): when nobody allows, the request fails
   * with 500, as kube's WithAuthorization answers an authorizer error. */
  error?: string;
}

export interface ResourceRule {
  verbs: string[];
  apiGroups: string[];
  resources: string[];
  resourceNames: string[];
}

export interface NonResourceRule {
  verbs: string[];
  nonResourceURLs: string[];
}

/** authorizer.RuleResolver's answer: what a user may do in a namespace, as far as known. */
export interface ResolvedRules {
  resourceRules: ResourceRule[];
  nonResourceRules: NonResourceRule[];
  /** Some rules could not be listed (an authorizer that cannot enumerate, a missing role). */
  incomplete: boolean;
  errors: string[];
}

export interface Authorizer {
  authorize(attributes: AuthorizationAttributes): Promise<AuthorizationResult>;
  /** The rule resolver half (SelfSubjectRulesReview); absent = cannot enumerate. */
  rulesFor?(user: UserInfo, namespace: string): ResolvedRules | Promise<ResolvedRules>;
}

const EVERYTHING: Pick<ResolvedRules, 'resourceRules' | 'nonResourceRules'> = {
  resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'], resourceNames: [] }],
  nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }],
};

function everything(): ResolvedRules {
  return { resourceRules: [...EVERYTHING.resourceRules], nonResourceRules: [...EVERYTHING.nonResourceRules], incomplete: false, errors: [] };
}

export const alwaysAllow: Authorizer = {
  async authorize() {
    return { decision: 'allow', reason: '' };
  },
  rulesFor: everything,
};

/** authorizerfactory.alwaysDenyAuthorizer: no opinion, with this reason. */
export const alwaysDeny: Authorizer = {
  async authorize() {
    return { decision: 'no-opinion', reason: 'Everything is forbidden.' };
  },
  rulesFor: () => ({ resourceRules: [], nonResourceRules: [], incomplete: false, errors: [] }),
};

export const SYSTEM_PRIVILEGED_GROUP = 'system:masters';

/** authorizerfactory.NewPrivilegedGroups. */
export function privilegedGroups(...groups: string[]): Authorizer {
  return {
    async authorize(a) {
      return (a.user.groups ?? []).some((g) => groups.includes(g)) ? { decision: 'allow', reason: '' } : { decision: 'no-opinion', reason: '' };
    },
    rulesFor(user) {
      return (user.groups ?? []).some((g) => groups.includes(g)) ? everything() : { resourceRules: [], nonResourceRules: [], incomplete: false, errors: [] };
    },
  };
}

/** authorizer union.New. */
export function authorizerUnion(authorizers: readonly Authorizer[]): Authorizer {
  return {
    async authorize(a) {
      const reasons: string[] = [];
      const errors: string[] = [];
      for (const z of authorizers) {
        const r = await z.authorize(a);
        if (r.decision !== 'no-opinion') return r;
        if (r.reason !== '') reasons.push(r.reason);
        if (r.error) errors.push(r.error);
      }
      const out: AuthorizationResult = { decision: 'no-opinion', reason: reasons.join('\n') };
      if (errors.length > 0) out.error = errors.length === 1 ? errors[0]! : `[${errors.join(', ')}]`;
      return out;
    },
    async rulesFor(user, namespace) {
      const out: ResolvedRules = { resourceRules: [], nonResourceRules: [], incomplete: false, errors: [] };
      for (const z of authorizers) {
        if (!z.rulesFor) {
          out.incomplete = true;
          continue;
        }
        const r = await z.rulesFor(user, namespace);
        out.resourceRules.push(...r.resourceRules);
        out.nonResourceRules.push(...r.nonResourceRules);
        out.incomplete ||= r.incomplete;
        out.errors.push(...r.errors);
      }
      return out;
    },
  };
}

export const AUTHORIZATION_MODES = ['AlwaysAllow', 'AlwaysDeny', 'RBAC', 'Node', 'Webhook'] as const;
/** Modes kube has that kapi does not implement. */
const PLANNED_MODES = ['ABAC'];

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

/** The authorizers the modes name, built by the gateway (RBAC needs its informers, Webhook its
 * config file, Node the pod lookups). */
export type ModeAuthorizers = Partial<Record<(typeof AUTHORIZATION_MODES)[number], Authorizer>>;

export function authorizerForModes(modes: readonly string[], built: ModeAuthorizers = {}): Authorizer {
  const byMode: Record<string, Authorizer | undefined> = { AlwaysAllow: alwaysAllow, AlwaysDeny: alwaysDeny, ...built };
  return authorizerUnion([
    privilegedGroups(SYSTEM_PRIVILEGED_GROUP),
    ...modes.map((m) => {
      const z = byMode[m];
      if (!z) throw new Error(`authorization-mode ${m} has no authorizer`);
      return z;
    }),
  ]);
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
