// Which requests a webhook or a ValidatingAdmissionPolicy applies to (k8s.io/apiserver/pkg/
// admission/plugin/webhook/predicates and policy/matching): rules (operations, apiGroups,
// apiVersions, resources with kube's subresource patterns, scope, resourceNames), the namespace
// selector (the namespace's labels; a Namespace's own labels; other cluster-scoped objects always
// match) and the object selector (the new or the old object's labels).

import { selectorFromLabelSelector, type KubeObject, type LabelSelector } from '@kapi/apimachinery';
import type { AdmissionAttributes } from './chain.js';

export interface RuleWithOperations {
  operations?: string[];
  apiGroups?: string[];
  apiVersions?: string[];
  resources?: string[];
  scope?: string;
  /** ValidatingAdmissionPolicy rules only. */
  resourceNames?: string[];
}

const ALL = '*';
const has = (list: readonly string[] | undefined, v: string) => (list ?? []).some((x) => x === ALL || x === v);

/** resources: "*" = every resource but no subresource; "pods/*" = pods' subresources; "*\/scale";
 * "*\/*" = everything. */
function resourceMatches(patterns: readonly string[] | undefined, resource: string, subresource: string): boolean {
  for (const p of patterns ?? []) {
    const slash = p.indexOf('/');
    const [res, sub] = slash < 0 ? [p, ''] : [p.slice(0, slash), p.slice(slash + 1)];
    if ((res === ALL || res === resource) && (sub === subresource || (sub === ALL && slash >= 0))) return true;
  }
  return false;
}

export function ruleMatches(rule: RuleWithOperations, a: AdmissionAttributes): boolean {
  if (!has(rule.operations, a.operation)) return false;
  if (!has(rule.apiGroups, a.group) || !has(rule.apiVersions, a.version)) return false;
  if (!resourceMatches(rule.resources, a.resource, a.subresource)) return false;
  const scope = rule.scope ?? ALL;
  // Namespaces are cluster-scoped; a namespaced request carries its namespace.
  const namespaced = a.namespace !== '';
  if (scope === 'Cluster' && namespaced) return false;
  if (scope === 'Namespaced' && !namespaced) return false;
  if ((rule.resourceNames ?? []).length > 0 && !rule.resourceNames!.includes(a.name)) return false;
  return true;
}

const labelsOf = (o: KubeObject | undefined): Record<string, string> => o?.metadata?.labels ?? {};

/** objectSelector: matches when the new or the old object's labels match (kube's matchObject). */
export function objectSelectorMatches(selector: LabelSelector | undefined | null, a: AdmissionAttributes): boolean {
  if (!selector) return true;
  const s = selectorFromLabelSelector(selector);
  if (s.empty()) return true;
  return [a.object, a.oldObject].some((o) => o !== undefined && s.matches(labelsOf(o)));
}

/** namespaceSelector, with the labels of the request's namespace read through `namespaceLabels`. */
export async function namespaceSelectorMatches(
  selector: LabelSelector | undefined | null,
  a: AdmissionAttributes,
  namespaceLabels: (namespace: string) => Promise<Record<string, string> | undefined>,
): Promise<boolean> {
  if (!selector) return true;
  const s = selectorFromLabelSelector(selector);
  if (s.empty()) return true;
  if (a.resource === 'namespaces' && a.group === '' && a.subresource === '') return s.matches(labelsOf(a.object ?? a.oldObject));
  if (a.namespace === '') return true;
  const labels = await namespaceLabels(a.namespace);
  return s.matches(labels ?? {});
}
