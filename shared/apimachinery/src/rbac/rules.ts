// Matching one PolicyRule against a request (k8s.io/component-helpers/auth/rbac/validation
// and pkg/apis/rbac/v1/evaluation_helpers.go semantics):
//   verbs, apiGroups: "*" or the exact value;
//   resources: "*", the exact "resource" or "resource/subresource", or "*/subresource";
//   resourceNames: empty means every name, else the request's name must be listed (a request
//     without a name — list, create, deletecollection — never matches a rule with names);
//   nonResourceURLs: "*", the exact path, or a prefix ending in "*".

import type { UserInfo } from '../types.js';
import type { PolicyRule, Subject } from './types.js';

/** The attributes of a request RBAC decides on (authorizer.Attributes). */
export interface RBACRequest {
  user: UserInfo;
  verb: string;
  resourceRequest: boolean;
  apiGroup?: string;
  resource?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  /** Non-resource requests. */
  path?: string;
}

const ALL = '*';

export function verbMatches(rule: PolicyRule, verb: string): boolean {
  return (rule.verbs ?? []).some((v) => v === ALL || v === verb);
}

export function apiGroupMatches(rule: PolicyRule, group: string): boolean {
  return (rule.apiGroups ?? []).some((g) => g === ALL || g === group);
}

export function resourceMatches(rule: PolicyRule, combined: string, subresource: string): boolean {
  for (const r of rule.resources ?? []) {
    if (r === ALL || r === combined) return true;
    if (subresource !== '' && r.length === subresource.length + 2 && r.startsWith('*/') && r.endsWith(subresource)) return true;
  }
  return false;
}

export function resourceNameMatches(rule: PolicyRule, name: string): boolean {
  const names = rule.resourceNames ?? [];
  return names.length === 0 || names.includes(name);
}

export function nonResourceURLMatches(rule: PolicyRule, path: string): boolean {
  for (const u of rule.nonResourceURLs ?? []) {
    if (u === ALL || u === path) return true;
    if (u.endsWith('*') && path.startsWith(u.slice(0, -1))) return true;
  }
  return false;
}

/** RuleAllows: whether the rule grants the request. */
export function ruleAllows(a: RBACRequest, rule: PolicyRule): boolean {
  if (a.resourceRequest) {
    const resource = a.resource ?? '';
    const combined = a.subresource ? `${resource}/${a.subresource}` : resource;
    return (
      verbMatches(rule, a.verb) &&
      apiGroupMatches(rule, a.apiGroup ?? '') &&
      resourceMatches(rule, combined, a.subresource ?? '') &&
      resourceNameMatches(rule, a.name ?? '')
    );
  }
  return verbMatches(rule, a.verb) && nonResourceURLMatches(rule, a.path ?? '');
}

/** serviceaccount.MakeUsername. */
export function serviceAccountUsername(namespace: string, name: string): string {
  return `system:serviceaccount:${namespace}:${name}`;
}

/** appliesToUser: whether a binding's subject is this user. A ServiceAccount subject without a
 * namespace means the binding's own namespace (none for a ClusterRoleBinding: never matches). */
export function subjectMatches(subject: Subject, username: string, groups: readonly string[], bindingNamespace: string): boolean {
  switch (subject.kind) {
    case 'User':
      return subject.name === username;
    case 'Group':
      return groups.includes(subject.name);
    case 'ServiceAccount': {
      const ns = subject.namespace || bindingNamespace;
      return ns !== '' && serviceAccountUsername(ns, subject.name) === username;
    }
    default:
      return false;
  }
}

/** describeSubject as kube's allowed-by reasons print it. */
export function describeSubject(subject: Subject, bindingNamespace: string): string {
  if (subject.kind === 'ServiceAccount') {
    const ns = subject.namespace || bindingNamespace;
    return `${subject.kind} ${JSON.stringify(`${ns}/${subject.name}`)}`;
  }
  return `${subject.kind} ${JSON.stringify(subject.name)}`;
}
