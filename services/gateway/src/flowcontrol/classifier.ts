// Request classification (k8s.io/apiserver/pkg/util/flowcontrol rule.go and apf_controller's
// match): a request belongs to the matching FlowSchema with the numerically lowest
// matchingPrecedence, ties broken by name; within it, the flow distinguisher (ByUser: the user
// name; ByNamespace: the request's namespace; none: "") names its flow.

import { createHash } from 'node:crypto';
import type { RequestInfo } from '../request-info.js';
import { FLOWCONTROL_ALL, type FlowSchema, type NonResourcePolicyRule, type PolicyRulesWithSubjects, type ResourcePolicyRule, type FlowSubject } from '@kapi/apimachinery';

/** What classification looks at (kube's RequestDigest). */
export interface RequestDigest {
  user: { username: string; groups?: readonly string[] };
  requestInfo: Pick<RequestInfo, 'isResourceRequest' | 'verb' | 'apiGroup' | 'resource' | 'subresource' | 'namespace' | 'path'>;
}

const SA_PREFIX = 'system:serviceaccount:';

/** The API's default matchingPrecedence when none is set. */
export const DEFAULT_MATCHING_PRECEDENCE = 1000;

export function matchingPrecedence(fs: FlowSchema): number {
  const p = fs.spec.matchingPrecedence;
  return p === undefined || p === 0 ? DEFAULT_MATCHING_PRECEDENCE : p;
}

/** Whether `a` is consulted before `b`: lower precedence first, then name. */
export function flowSchemaPrecedes(a: FlowSchema, b: FlowSchema): number {
  const d = matchingPrecedence(a) - matchingPrecedence(b);
  if (d !== 0) return d;
  return a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0;
}

const contains = (list: readonly string[] | undefined, value: string): boolean =>
  list !== undefined && (list.includes(FLOWCONTROL_ALL) || list.includes(value));

export function matchesSubject(user: RequestDigest['user'], subject: FlowSubject): boolean {
  switch (subject.kind) {
    case 'User':
      return subject.user !== undefined && (subject.user.name === FLOWCONTROL_ALL || subject.user.name === user.username);
    case 'Group': {
      if (subject.group === undefined) return false;
      return subject.group.name === FLOWCONTROL_ALL || (user.groups ?? []).includes(subject.group.name);
    }
    case 'ServiceAccount': {
      const sa = subject.serviceAccount;
      if (sa === undefined) return false;
      // "*" matches every service account of the namespace: system:serviceaccount:<ns>:<any>
      if (sa.name === FLOWCONTROL_ALL) return user.username.startsWith(`${SA_PREFIX}${sa.namespace}:`);
      return user.username === `${SA_PREFIX}${sa.namespace}:${sa.name}`;
    }
    default:
      return false;
  }
}

export function matchesResourceRule(ri: RequestDigest['requestInfo'], rule: ResourcePolicyRule): boolean {
  if (!contains(rule.verbs, ri.verb)) return false;
  if (!contains(rule.apiGroups, ri.apiGroup)) return false;
  const resource = ri.subresource === '' ? ri.resource : `${ri.resource}/${ri.subresource}`;
  if (!contains(rule.resources, resource)) return false;
  // A request without a namespace is a cluster-scoped one (including namespaces themselves
  // and lists across all namespaces).
  if (ri.namespace === '') return rule.clusterScope === true;
  return contains(rule.namespaces, ri.namespace);
}

/** "*" matches every path; a pattern ending in "*" matches by prefix; else the path exactly. */
export function matchesNonResourceURL(patterns: readonly string[], path: string): boolean {
  for (const p of patterns) {
    if (p === FLOWCONTROL_ALL || p === path) return true;
    if (p.endsWith('*') && path.startsWith(p.replace(/\*+$/, ''))) return true;
  }
  return false;
}

export function matchesNonResourceRule(ri: RequestDigest['requestInfo'], rule: NonResourcePolicyRule): boolean {
  return contains(rule.verbs, ri.verb) && matchesNonResourceURL(rule.nonResourceURLs, ri.path);
}

export function matchesPolicyRule(d: RequestDigest, rule: PolicyRulesWithSubjects): boolean {
  if (!(rule.subjects ?? []).some((s) => matchesSubject(d.user, s))) return false;
  if (d.requestInfo.isResourceRequest) return (rule.resourceRules ?? []).some((r) => matchesResourceRule(d.requestInfo, r));
  return (rule.nonResourceRules ?? []).some((r) => matchesNonResourceRule(d.requestInfo, r));
}

export function matchesFlowSchema(d: RequestDigest, fs: FlowSchema): boolean {
  return (fs.spec.rules ?? []).some((r) => matchesPolicyRule(d, r));
}

export function flowDistinguisher(d: RequestDigest, fs: FlowSchema): string {
  switch (fs.spec.distinguisherMethod?.type) {
    case 'ByUser':
      return d.user.username;
    case 'ByNamespace':
      return d.requestInfo.namespace;
    default:
      return '';
  }
}

/** The flow's 64-bit hash that shuffle sharding deals from: the first 8 bytes, little-endian,
 * of SHA-256(schema name, NUL, distinguisher) — as kube hashes flows. */
export function flowHash(flowSchemaName: string, distinguisher: string): bigint {
  const h = createHash('sha256');
  h.update(flowSchemaName);
  h.update(Buffer.of(0));
  h.update(distinguisher);
  return h.digest().readBigUInt64LE(0);
}

export interface Classification {
  flowSchema: FlowSchema;
  distinguisher: string;
}

/** Classifies requests against a fixed set of flow schemas (rebuilt when the set changes). */
export class Classifier {
  private readonly ordered: FlowSchema[];

  constructor(flowSchemas: readonly FlowSchema[]) {
    this.ordered = [...flowSchemas].sort(flowSchemaPrecedes);
  }

  /** The schemas in the order they are consulted. */
  get flowSchemas(): readonly FlowSchema[] {
    return this.ordered;
  }

  /** The first matching schema and the request's distinguisher; undefined when none matches. */
  classify(d: RequestDigest): Classification | undefined {
    for (const fs of this.ordered) {
      if (matchesFlowSchema(d, fs)) return { flowSchema: fs, distinguisher: flowDistinguisher(d, fs) };
    }
    return undefined;
  }
}
