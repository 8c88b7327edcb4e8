// The audit.k8s.io/v1 Policy (--audit-policy-file) and how a request is matched against it
// (k8s.io/apiserver/pkg/audit/policy/checker.go): the first rule whose users, userGroups, verbs,
// namespaces, resources and nonResourceURLs all match gives the level; its omitStages join the
// policy's. No rule matching means level None.

import { readFile } from 'node:fs/promises';
import { parse as parseYAML } from 'yaml';
import { nonResourceURLMatches } from '@kapi/apimachinery';

export type AuditLevel = 'None' | 'Metadata' | 'Request' | 'RequestResponse';
export type AuditStage = 'RequestReceived' | 'ResponseStarted' | 'ResponseComplete' | 'Panic';

const LEVELS: AuditLevel[] = ['None', 'Metadata', 'Request', 'RequestResponse'];
const STAGES: AuditStage[] = ['RequestReceived', 'ResponseStarted', 'ResponseComplete', 'Panic'];

interface GroupResources {
  group?: string;
  resources?: string[];
  resourceNames?: string[];
}

export interface PolicyRule {
  level: AuditLevel;
  users?: string[];
  userGroups?: string[];
  verbs?: string[];
  resources?: GroupResources[];
  namespaces?: string[];
  nonResourceURLs?: string[];
  omitStages?: AuditStage[];
  omitManagedFields?: boolean;
}

export interface AuditPolicy {
  rules: PolicyRule[];
  omitStages?: AuditStage[];
  omitManagedFields?: boolean;
}

/** What the policy looks at of a request. */
export interface AuditRequestAttributes {
  user: string;
  groups: readonly string[];
  verb: string;
  resourceRequest: boolean;
  apiGroup?: string;
  resource?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  path: string;
}

export interface AuditDecision {
  level: AuditLevel;
  omitStages: AuditStage[];
  omitManagedFields: boolean;
}

/** Validates and normalizes a parsed policy; throws with the field that is wrong. */
export function parseAuditPolicy(doc: unknown, source = 'audit policy'): AuditPolicy {
  const o = (doc ?? {}) as Record<string, unknown>;
  if (o.kind !== 'Policy' || (o.apiVersion !== 'audit.k8s.io/v1' && o.apiVersion !== 'audit.k8s.io/v1beta1')) {
    throw new Error(`${source}: expected kind Policy of audit.k8s.io/v1, got ${String(o.apiVersion)}, Kind=${String(o.kind)}`);
  }
  const checkStages = (v: unknown, where: string): AuditStage[] => {
    if (v === undefined) return [];
    if (!Array.isArray(v)) throw new Error(`${source}: ${where} must be a list`);
    for (const s of v) if (!STAGES.includes(s as AuditStage)) throw new Error(`${source}: ${where}: unknown stage ${JSON.stringify(s)}`);
    return v as AuditStage[];
  };
  if (!Array.isArray(o.rules) || o.rules.length === 0) throw new Error(`${source}: rules: Required value: at least one rule is required`);
  const rules = (o.rules as Record<string, unknown>[]).map((r, i) => {
    if (!LEVELS.includes(r.level as AuditLevel)) throw new Error(`${source}: rules[${i}].level: Unsupported value: ${JSON.stringify(r.level)}`);
    if (r.nonResourceURLs && (r.resources || r.namespaces)) throw new Error(`${source}: rules[${i}]: rules cannot apply to both regular resources and non-resource URLs`);
    return { ...(r as unknown as PolicyRule), omitStages: checkStages(r.omitStages, `rules[${i}].omitStages`) };
  });
  return { rules, omitStages: checkStages(o.omitStages, 'omitStages'), omitManagedFields: o.omitManagedFields === true };
}

export async function loadAuditPolicy(path: string): Promise<AuditPolicy> {
  const text = await readFile(path, 'utf8');
  let doc: unknown;
  try {
    doc = parseYAML(text);
  } catch (err) {
    throw new Error(`${path}: ${(err as Error).message}`);
  }
  return parseAuditPolicy(doc, path);
}

function resourceMatches(rule: GroupResources[], a: AuditRequestAttributes): boolean {
  const combined = a.subresource ? `${a.resource}/${a.subresource}` : (a.resource ?? '');
  return rule.some((gr) => {
    if ((gr.group ?? '') !== (a.apiGroup ?? '') && gr.group !== '*') return false;
    const resources = gr.resources ?? [];
    if (resources.length > 0) {
      const ok = resources.some((r) => r === combined || r === '*' || (r === `${a.resource}/*` && a.subresource) || (a.subresource && r === `*/${a.subresource}`));
      if (!ok) return false;
    }
    const names = gr.resourceNames ?? [];
    return names.length === 0 || names.includes(a.name ?? '');
  });
}

function ruleMatches(rule: PolicyRule, a: AuditRequestAttributes): boolean {
  if (rule.users?.length && !rule.users.includes(a.user)) return false;
  if (rule.userGroups?.length && !rule.userGroups.some((g) => a.groups.includes(g))) return false;
  if (rule.verbs?.length && !rule.verbs.includes(a.verb)) return false;
  if (rule.namespaces?.length || rule.resources?.length) {
    if (!a.resourceRequest) return false;
    if (rule.namespaces?.length && !rule.namespaces.includes(a.namespace ?? '')) return false;
    if (rule.resources?.length && !resourceMatches(rule.resources, a)) return false;
  }
  if (rule.nonResourceURLs?.length) {
    if (a.resourceRequest) return false;
    // the same URL patterns as RBAC's: exact, "*", or a prefix ending in "*"
    if (!nonResourceURLMatches({ nonResourceURLs: rule.nonResourceURLs }, a.path)) return false;
  }
  return true;
}

export function evaluateAuditPolicy(policy: AuditPolicy, a: AuditRequestAttributes): AuditDecision {
  for (const rule of policy.rules) {
    if (!ruleMatches(rule, a)) continue;
    return {
      level: rule.level,
      omitStages: [...new Set([...(policy.omitStages ?? []), ...(rule.omitStages ?? [])])],
      omitManagedFields: rule.omitManagedFields ?? policy.omitManagedFields ?? false,
    };
  }
  return { level: 'None', omitStages: [], omitManagedFields: false };
}
